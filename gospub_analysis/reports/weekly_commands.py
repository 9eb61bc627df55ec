"""`gospub weekly`: build the weekly monitoring report (see `gospub_analysis.reports.weekly_build`)."""

from __future__ import annotations

import sys

from ..config import DEFAULT_DATASET, REPORTS_DIR


def _weekly(args) -> int:
    from .weekly_build import build_weekly, format_weekly_failures

    result = build_weekly(args.week, args.data, reports_dir=args.out, municipalities=args.municipality,
                          all_municipalities=args.all_municipalities, cards=args.card, jobs=args.jobs,
                          progress=not args.quiet)
    if not result.ok:
        print(format_weekly_failures(result), file=sys.stderr)
        return 1
    t = result.build["timings"]
    print(f"Неделя {result.build['week']['text']}: {result.report_dir / 'index.html'} "
          f"({len(result.build['notebooks'])} задач, {t['wall_seconds']:.0f} с)")
    return 0


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "weekly",
        help="build reports/weekly/<YYYY-Www>: the Monday traffic light, action lists, a page per municipality",
        description="Run notebooks/weekly.ipynb for the region and each chosen municipality (and notebooks/page.ipynb "
        "for each --card) with papermill into a temporary folder, and replace reports/weekly/<YYYY-Www> only when "
        "every page succeeded.",
    )
    p.add_argument("--week", default="", metavar="YYYY-MM-DD",
                   help="the week's Monday (default: the last complete week in the data)")
    p.add_argument("--data", default=str(DEFAULT_DATASET), help=f"dataset folder (default {DEFAULT_DATASET})")
    p.add_argument("--out", default=str(REPORTS_DIR),
                   help=f"reports folder; the week goes to OUT/weekly/<YYYY-Www> (default {REPORTS_DIR})")
    which = p.add_mutually_exclusive_group()
    which.add_argument("--municipality", nargs="+", metavar="NAME", help="build these municipality pages")
    which.add_argument("--all-municipalities", action="store_true", help="build a page for each of the 35 municipalities")
    p.add_argument("--card", nargs="+", metavar="PAGE", default=[],
                   help="build the card of these pages (ids or links); the tables link their names to the cards")
    p.add_argument("--jobs", type=int, default=None, help="pages built at once (default: number of cores + 1)")
    p.add_argument("--quiet", action="store_true", help="no progress bars")
    p.set_defaults(func=_weekly)
