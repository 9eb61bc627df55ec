"""The timing loop the import benchmarks share (`bench_import_vk.py`, `bench_import_ok.py`)."""

from __future__ import annotations

import os
import shutil
import statistics
import sys
import time
from pathlib import Path
from typing import Callable

sys.path.insert(0, str(Path(__file__).resolve().parent))
import yardstick  # noqa: E402

TARGET_PER_SECOND = 100_000


def time_import(name: str, unit: str, run_import: Callable[[Path, Path], object], dump: Path, runs: int,
                dump_line: str, out_root: Path | None = None) -> None:
    """Run `run_import(dump, out)` `runs` times and print the best and median speed in `unit`s a second."""
    before = yardstick.line()
    times, cpu = [], []
    for run in range(runs):
        out = (out_root or dump.parent) / f"imported{run}"
        start, start_cpu = time.perf_counter(), sum(os.times()[:4])  # this process and its readers
        report = run_import(dump, out)
        times.append(time.perf_counter() - start)
        cpu.append(sum(os.times()[:4]) - start_cpu)
        shutil.rmtree(out)
    count = report.counts["post"]["imported"]
    best, median = min(times), statistics.median(times)
    print(f"import {name} benchmark on {os.cpu_count()} cores, Python {sys.version.split()[0]}")
    print(f"  dump: {dump_line}")
    print(f"  import: best {best:.2f} s, median {median:.2f} s of {runs} runs (wall clock); "
          f"CPU time (both processes) best {min(cpu):.2f} s (the machine's load average was "
          f"{os.getloadavg()[0]:.1f})")
    print(f"  speed: {count / best:,.0f} {unit}/s (best), {count / median:,.0f} {unit}/s (median); "
          f"target {TARGET_PER_SECOND:,}")
    print(f"  before the runs: {before}")
    print(f"  after the runs:  {yardstick.line()}")
    verdict = "meets" if count / best >= TARGET_PER_SECOND else "BELOW"
    print(f"  {verdict} the target (best run); figures from a loaded machine are upper bounds on the time")


def dump_size(dump: Path) -> float:
    return sum(f.stat().st_size for f in dump.rglob("*") if f.is_file()) / 1e6
