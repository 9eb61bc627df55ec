"""`gospub import vk|ok|monitoring|telegram|awards` and `gospub export vk|ok|monitoring|awards`."""

from __future__ import annotations

import argparse
from datetime import date

from ..region import QUALITY_MARK, TIMEZONE
from .report import ImportFileError


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"expected a date YYYY-MM-DD, got {text!r}") from exc


def _run(args, work) -> int:
    try:
        report = work()
    except OSError as exc:
        raise ImportFileError(getattr(exc, "filename", None) or "?", "whole file", "a readable file",
                              exc.strerror or str(exc)) from exc
    print(report.summary())
    print(f"Report: {args.out}/import_report.json")
    return 0


def _import_vk(args) -> int:
    from .vk import import_vk
    return _run(args, lambda: import_vk(args.dump_dir, args.out, as_of=args.as_of, skip_bad_files=args.skip_bad_files))


def _import_ok(args) -> int:
    from .ok import import_ok
    return _run(args, lambda: import_ok(args.dump_dir, args.out, as_of=args.as_of, skip_bad_files=args.skip_bad_files,
                                        comment_timezone=args.comment_timezone))


def _import_monitoring(args) -> int:
    from .monitoring import import_monitoring
    return _run(args, lambda: import_monitoring(args.files, args.out, as_of=args.as_of,
                                                skip_bad_files=args.skip_bad_files))


def _import_telegram(args) -> int:
    from .telegram import import_telegram
    return _run(args, lambda: import_telegram(args.files, args.out, skip_bad_files=args.skip_bad_files))


def _import_awards(args) -> int:
    from .awards import import_awards
    return _run(args, lambda: import_awards(args.file, args.out, year=args.year, award=args.award))


def _export_vk(args) -> int:
    from .vk_export import export_vk
    summary = export_vk(args.dataset, args.out)
    print(f"gospub export vk: {summary['files']:,} files, {summary['posts']:,} posts, {summary['comments']:,} "
          f"comments, {summary['groups']:,} pages ({summary['snapshots']:,} snapshots) written to {args.out}"
          + (f"; {summary['skipped_pages']:,} pages on other platforms left out" if summary["skipped_pages"] else ""))
    return 0


def _export_ok(args) -> int:
    from .ok_export import export_ok
    summary = export_ok(args.dataset, args.out, comment_timezone=args.comment_timezone)
    print(f"gospub export ok: {summary['files']:,} files, {summary['posts']:,} topics, {summary['comments']:,} "
          f"comments, {summary['groups']:,} pages ({summary['snapshots']:,} snapshots) written to {args.out}"
          + (f"; {summary['skipped_pages']:,} pages on other platforms left out" if summary["skipped_pages"] else ""))
    return 0


def _export_monitoring(args) -> int:
    from .monitoring_export import export_monitoring
    summary = export_monitoring(args.dataset, args.out, weeks=args.weeks, until=args.until)
    print(f"gospub export monitoring: {summary['weeks']} weekly file(s), {summary['rows']:,} rows "
          f"({summary['organizations']:,} organisations, {summary['pages']:,} VK pages) written to {args.out}")
    return 0


def _export_awards(args) -> int:
    from .awards import export_awards
    summary = export_awards(args.dataset, args.year, args.out, award=args.award)
    print(f"gospub export awards: {summary['awards']:,} award(s) for {summary['year']} written to {summary['file']}")
    return 0


def register(subparsers) -> None:
    imp = subparsers.add_parser("import", help="bring real data into a dataset folder (merges, newest wins)")
    sources = imp.add_subparsers(dest="source", required=True)
    skip_help = "import the readable files and list the malformed ones in the report (default: stop, import nothing)"
    zone_help = "time zone of OK comment dates, which the API gives as local times without an offset"

    p = sources.add_parser("vk", help="raw VK API responses (*.json, *.jsonl) under a folder, in any layout")
    p.add_argument("dump_dir", help="folder of VK API responses (or one file)")
    p.add_argument("--out", required=True, help="dataset folder to write or merge into")
    p.add_argument("--as-of", type=_date, help="date of the dump (default: the responses' fetched_at, "
                                               "a YYYY-MM-DD in the path, or the file date)")
    p.add_argument("--skip-bad-files", action="store_true", help=skip_help)
    p.set_defaults(func=_import_vk)

    p = sources.add_parser("ok", help="raw Odnoklassniki REST API responses (*.json, *.jsonl) under a folder, in any "
                                      "layout")
    p.add_argument("dump_dir", help="folder of OK API responses (or one file)")
    p.add_argument("--out", required=True, help="dataset folder to write or merge into")
    p.add_argument("--as-of", type=_date, help="date of the dump (default: the responses' fetched_at, "
                                               "a YYYY-MM-DD in the path, or the file date)")
    p.add_argument("--comment-timezone", help=zone_help + "; default: the dataset's time zone, else " + TIMEZONE)
    p.add_argument("--skip-bad-files", action="store_true", help=skip_help)
    p.set_defaults(func=_import_ok)

    p = sources.add_parser("monitoring", help="the weekly monitoring Excel export (one or several weeks)")
    p.add_argument("files", nargs="+", help="monitoring workbooks (.xlsx or legacy .xls, read by their content); "
                                            "the date is taken from the file name")
    p.add_argument("--out", required=True)
    p.add_argument("--as-of", type=_date, help="date of the export (only with one file)")
    p.add_argument("--skip-bad-files", action="store_true", help=skip_help)
    p.set_defaults(func=_import_monitoring)

    p = sources.add_parser("telegram", help="Telegram Desktop channel exports (result.json)")
    p.add_argument("files", nargs="+", help="result.json of one channel each")
    p.add_argument("--out", required=True)
    p.add_argument("--skip-bad-files", action="store_true", help=skip_help)
    p.set_defaults(func=_import_telegram)

    p = sources.add_parser("awards", help="award list (CSV or Excel) by page link or id")
    p.add_argument("file", help="awards .csv (any encoding Russian Excel saves), .xlsx or .xls")
    p.add_argument("--year", type=int, required=True, help="year the awards are for")
    p.add_argument("--award", default=QUALITY_MARK, help="award code when the file has no «Награда» column")
    p.add_argument("--out", required=True, help="dataset folder holding the awarded pages")
    p.set_defaults(func=_import_awards)

    exp = subparsers.add_parser("export", help="write a dataset in a platform's raw format")
    targets = exp.add_subparsers(dest="target", required=True)
    p = targets.add_parser("vk", help="VK API dumps in the layout `gospub collect vk` writes")
    p.add_argument("dataset", help="dataset folder")
    p.add_argument("--out", required=True, help="dump folder to write")
    p.set_defaults(func=_export_vk)
    p = targets.add_parser("ok", help="OK API responses in the layout `gospub collect ok` writes (the dataset's ok: pages)")
    p.add_argument("dataset", help="dataset folder")
    p.add_argument("--out", required=True, help="dump folder to write")
    p.add_argument("--comment-timezone", default=TIMEZONE, help=zone_help + f" (default {TIMEZONE}, the region's)")
    p.set_defaults(func=_export_ok)
    p = targets.add_parser("monitoring", help="weekly monitoring Excel exports, as `import monitoring` reads them")
    p.add_argument("dataset", help="dataset folder")
    p.add_argument("--out", required=True, help="folder for the monitoring_<YYYY-MM-DD>.xlsx files")
    p.add_argument("--weeks", type=int, default=4, help="number of weekly files (default 4)")
    p.add_argument("--until", type=_date, help="last day covered (default: the dataset's last day); files are "
                                               "dated by the Monday of each week")
    p.set_defaults(func=_export_monitoring)
    p = targets.add_parser("awards", help="an award list (CSV of page links) for one year, as `import awards` reads it")
    p.add_argument("dataset", help="dataset folder")
    p.add_argument("--year", type=int, required=True, help="year of the awards")
    p.add_argument("--award", default=QUALITY_MARK, help=f"award code (default {QUALITY_MARK})")
    p.add_argument("--out", required=True, help="CSV file to write")
    p.set_defaults(func=_export_awards)

