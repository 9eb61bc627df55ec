"""Benchmark of `gospub import vk`: a year of the synthetic region, exported as VK dumps.

Target: 100,000 posts a second or more (a year of Novosibirsk oblast, about 300,000
posts, in under 3 s). Steps: generate one synthetic year at full scale (unless
--dataset is given), `export vk` it, then time the whole import (parse, pseudonymise,
deduplicate, validate, write Parquet) several times and report the best and the median.

    .venv/bin/python benchmarks/bench_import_vk.py [--dataset DIR] [--runs 3]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

from gospub_analysis.importers.pseudonym import Pseudonymizer
from gospub_analysis.importers.vk import import_vk
from gospub_analysis.importers.vk_export import export_vk

TARGET_POSTS_PER_SECOND = 100_000


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--dataset", help="dataset to export (default: generate 2023 at scale 1, seed 2023)")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="bench_import_vk_") as tmp:
        tmp = Path(tmp)
        dataset = Path(args.dataset) if args.dataset else None
        if dataset is None:
            from gospub_analysis.synthetic import generate
            dataset = generate(tmp / "dataset", seed=2023, years=(2023, 2023), progress=None)
        start = time.perf_counter()
        summary = export_vk(dataset, tmp / "dump")
        export_seconds = time.perf_counter() - start
        size = sum(f.stat().st_size for f in (tmp / "dump").rglob("*") if f.is_file())
        pseudonymize = Pseudonymizer(b"benchmark-key")
        times, cpu = [], []
        for run in range(args.runs):
            out = tmp / f"imported{run}"
            start, start_cpu = time.perf_counter(), sum(os.times()[:4])  # this process and its readers
            report = import_vk(tmp / "dump", out, pseudonymize=pseudonymize)
            times.append(time.perf_counter() - start)
            cpu.append(sum(os.times()[:4]) - start_cpu)
            shutil.rmtree(out)
        posts = report.counts["post"]["imported"]
        best, median = min(times), statistics.median(times)
        print(f"import vk benchmark on {os.cpu_count()} cores, Python {sys.version.split()[0]}")
        print(f"  dump: {summary['files']:,} files, {size / 1e6:,.0f} MB, {summary['posts']:,} posts, "
              f"{summary['comments']:,} comments, {summary['snapshots']:,} group observations "
              f"(export took {export_seconds:.1f} s)")
        print(f"  import: best {best:.2f} s, median {median:.2f} s of {args.runs} runs (wall clock); "
              f"CPU time (both processes) best {min(cpu):.2f} s (the machine's load average was "
              f"{os.getloadavg()[0]:.1f})")
        print(f"  speed: {posts / best:,.0f} posts/s (best), {posts / median:,.0f} posts/s (median); "
              f"target {TARGET_POSTS_PER_SECOND:,}")
        verdict = "meets" if posts / best >= TARGET_POSTS_PER_SECOND else "BELOW"
        print(f"  {verdict} the target (best run); figures from a loaded machine are upper bounds on the time")
        return 0


if __name__ == "__main__":
    sys.exit(main())
