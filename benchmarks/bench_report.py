"""Time the yearly report: the three main notebooks alone, then the full report.

Usage: python benchmarks/bench_report.py [DATA_DIR] [--year 2023] [--jobs N] [--only full|main]
Builds into a temporary folder (reports/ is not touched) with `build_report`, exactly
what `gospub report` runs, and prints the wall times recorded in build.json: total, the
main notebooks (each and the phase), the municipality inputs and the municipality phase.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

from gospub_analysis import config
from gospub_analysis.reports.build import build_report, format_failures


def run(label: str, data_dir: Path, year: int, jobs: int | None, all_municipalities: bool) -> dict:
    with tempfile.TemporaryDirectory(prefix="bench-report-") as out:
        start = time.perf_counter()
        result = build_report(
            year, data_dir, reports_dir=out, all_municipalities=all_municipalities, jobs=jobs, progress=False
        )
        wall = time.perf_counter() - start
        if not result.ok:
            raise SystemExit(format_failures(result))
    t = result.build["timings"]
    each = ", ".join(f"{name} {s:.1f} s" for name, s in t["main_notebooks_seconds"].items())
    print(
        f"{label}: wall {wall:.1f} s (build.json {t['wall_seconds']:.1f} s); "
        f"main notebooks phase {t['main_phase_seconds']:.1f} s ({each})"
    )
    if all_municipalities:
        districts = [n for n in result.build["notebooks"] if n["name"].startswith("municipality:")]
        per = sorted(n["seconds"] for n in districts)
        print(
            f"  shared inputs ready at {t['shared_inputs_seconds']:.1f} s; "
            f"{len(districts)} municipality notebooks in {t['municipality_phase_seconds']:.1f} s "
            f"(each {per[0]:.1f}-{per[-1]:.1f} s, median {per[len(per) // 2]:.1f} s)"
        )
    return t


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("data_dir", nargs="?", default=str(config.DEFAULT_DATASET))
    parser.add_argument("--year", type=int, default=2023)
    parser.add_argument("--jobs", type=int, default=None, help="default: number of cores")
    parser.add_argument("--only", choices=["full", "main"], default=None)
    args = parser.parse_args()
    print(f"cores: {os.cpu_count()}, jobs: {args.jobs or os.cpu_count()}, dataset: {args.data_dir}, year {args.year}")
    if args.only in (None, "main"):
        run("main notebooks only (no municipalities)", Path(args.data_dir), args.year, args.jobs, False)
    if args.only in (None, "full"):
        run("full report, all 35 municipalities", Path(args.data_dir), args.year, args.jobs, True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
