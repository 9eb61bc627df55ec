"""`gospub report`: build the yearly report (see `gospub_analysis.reports.build`)."""

from __future__ import annotations

import sys

from ..config import DEFAULT_DATASET, REPORTS_DIR


def _report(args) -> int:
    from .build import build_report, format_failures

    result = build_report(
        args.year,
        args.data,
        reports_dir=args.out,
        municipalities=args.municipality,
        all_municipalities=args.all_municipalities,
        jobs=args.jobs,
        progress=not args.quiet,
    )
    if not result.ok:
        print(format_failures(result), file=sys.stderr)
        return 1
    t = result.build["timings"]
    print(
        f"Отчёт за {args.year} год: {result.report_dir / 'index.html'} "
        f"({len(result.build['notebooks'])} задач, {t['wall_seconds']:.0f} с)"
    )
    return 0


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "report",
        help="build reports/<year>: notebooks run with papermill, HTML pages without code, index.html",
        description="Run the report notebooks with papermill (kernel 'gospub') into a temporary folder and "
        "replace reports/<year> only when every notebook succeeded.",
    )
    p.add_argument("--year", type=int, required=True, help="report year, e.g. 2023")
    p.add_argument("--data", default=str(DEFAULT_DATASET), help=f"dataset folder (default {DEFAULT_DATASET})")
    p.add_argument(
        "--out", default=str(REPORTS_DIR), help=f"reports folder; the report goes to OUT/<year> (default {REPORTS_DIR})"
    )
    which = p.add_mutually_exclusive_group()
    which.add_argument("--municipality", nargs="+", metavar="NAME", help="build these municipality reports")
    which.add_argument(
        "--all-municipalities", action="store_true", help="build a report for each of the 35 municipalities"
    )
    p.add_argument("--jobs", type=int, default=None, help="notebooks run at once (default: number of cores)")
    p.add_argument("--quiet", action="store_true", help="no progress bars")
    p.set_defaults(func=_report)
