"""Time the weekly monitoring: the weekly rows of one week, and `gospub weekly --all-municipalities`.

Usage: python benchmarks/bench_weekly.py [DATA_DIR] [--week YYYY-MM-DD] [--runs N] [--jobs N] [--only rows|build]

- rows: `weekly.weekly_rows(source, week)` on a fresh `Source` (nothing cached), as a notebook
  or a script calls it: the twelve weeks up to the week (and the one before, for the change)
  from the posts, comments and snapshots, scored; best and median of `--runs`;
- build: `reports.weekly_build.build_weekly` exactly as `gospub weekly --all-municipalities`
  runs it, into a temporary folder (reports/ is not touched): wall time, the shared inputs,
  the region page, the 35 municipality pages, and the CPU time of all processes.
The machine's load average is printed before each part: the machine is shared.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import tempfile
import time
from pathlib import Path

from gospub_analysis import config, open_source
from gospub_analysis.reports.weekly_build import build_weekly, default_jobs, format_weekly_failures
from gospub_analysis.weekly import weekly_rows


def load() -> str:
    return ", ".join(f"{v:.2f}" for v in os.getloadavg())


def bench_rows(data_dir: Path, week: str, runs: int) -> None:
    seconds, pages = [], 0
    for _ in range(runs):
        source = open_source(data_dir)
        start = time.perf_counter()
        rows = weekly_rows(source, week)
        seconds.append(time.perf_counter() - start)
        pages = len(rows)
    counts = source.manifest.get("row_counts", {})
    print(f"weekly rows of {rows.attrs['week']} ({pages:,} pages; {counts.get('posts', 0):,} posts, "
          f"{counts.get('comments', 0):,} comments, {counts.get('snapshots', 0):,} snapshots in the files): "
          f"best {min(seconds):.2f} s, median {statistics.median(seconds):.2f} s of {runs} (load {load()})")


def cpu_seconds() -> float:
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def bench_build(data_dir: Path, week: str, jobs: int | None) -> None:
    with tempfile.TemporaryDirectory(prefix="bench-weekly-") as out:
        cpu, start = cpu_seconds(), time.perf_counter()
        result = build_weekly(week or None, data_dir, reports_dir=out, all_municipalities=True, jobs=jobs,
                              progress=False)
        wall, cpu = time.perf_counter() - start, cpu_seconds() - cpu
        if not result.ok:
            raise SystemExit(format_weekly_failures(result))
    t = result.build["timings"]
    pages = [n for n in result.build["notebooks"] if n["name"].startswith("weekly:") and n["name"] != "weekly:region"]
    region = next(n for n in result.build["notebooks"] if n["name"] == "weekly:region")
    per = sorted(n["seconds"] for n in pages)
    print(f"weekly build, region + {len(pages)} municipalities, {result.build['parameters']['jobs']} workers: "
          f"wall {wall:.1f} s (build.json {t['wall_seconds']:.1f} s), CPU {cpu:.1f} s; shared inputs ready at "
          f"{t['shared-inputs_end_seconds']:.1f} s; region page {region['seconds']:.1f} s; municipality pages "
          f"{per[0]:.1f}-{per[-1]:.1f} s, median {statistics.median(per):.1f} s (load {load()})")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("data_dir", nargs="?", default=str(config.DEFAULT_DATASET))
    parser.add_argument("--week", default="", help="a Monday YYYY-MM-DD (default: the last complete week)")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--jobs", type=int, default=None, help=f"build workers (default {default_jobs()})")
    parser.add_argument("--only", choices=["rows", "build"], default=None)
    args = parser.parse_args()
    data_dir = Path(args.data_dir)
    print(f"cores: {os.cpu_count()}, dataset: {data_dir}, load {load()}")
    if args.only in (None, "rows"):
        bench_rows(data_dir, args.week, args.runs)
    if args.only in (None, "build"):
        bench_build(data_dir, args.week, args.jobs)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
