"""Time the yearly report and show where its time goes.

Usage: python benchmarks/bench_report.py [DATA_DIR] [--year 2023] [--jobs N] [--only full|main]
                                         [--runs N] [--profile] [--ranking-draws N] [--no-yardstick]
Builds into a temporary folder (reports/ is not touched) with `build_report`, exactly
what `gospub report` runs, and prints the wall times recorded in build.json: total, the
main notebooks (each and the phase), the shared inputs and the municipality phase, the
CPU time of every process of the build, and the load average before and after.

`--profile` adds, per notebook (the municipality notebook summed over its runs), where
its time went, read from the build's executed notebooks and build.json:
  kernel   starting or resetting the kept kernel (builds that record `kernel_seconds`),
           and from the start of papermill's run to the first cell (a kernel start, or
           a new client of a kept kernel getting ready);
  imports  the first code cell after the parameters (imports, opening the data; the
           classifier's first cell also runs the classifier);
  cells    every other cell;
  nbclient what papermill and nbclient add between and around the cells (saving the
           notebook after each cell, messages);
  outside  the job's execute time outside papermill's own clock and the above (reading
           and parameterising the notebook, the final write; in older builds resetting
           the kept kernel);
  html     the HTML conversion.
Before and after the runs it prints the yardstick (`yardstick.py`: fixed CPU work timed the
same way every time), so that figures taken at different hours can be compared; `--no-yardstick`
skips it.
`--ranking-draws N` gives the ranking notebook `n_draws = N` (default 100) to show what the
rest of the build costs when its stability checks get cheaper.
The script reads only what any build writes, so it profiles older trees too
(`PYTHONPATH=/old/tree python benchmarks/bench_report.py --profile`).
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import resource
import statistics
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

import nbformat

from gospub_analysis import config
from gospub_analysis.reports import notebooks as table
from gospub_analysis.reports.build import build_report, format_failures

sys.path.insert(0, str(Path(__file__).resolve().parent))
import yardstick  # noqa: E402

PARTS = ("kernel", "imports", "cells", "nbclient", "outside", "html")


def _seconds(a: str, b: str) -> float:
    return (datetime.fromisoformat(b) - datetime.fromisoformat(a)).total_seconds()


def notebook_parts(executed: Path, record: dict) -> dict[str, float]:
    """Where one job's time went (see the module docstring), from its executed notebook."""
    nb = nbformat.read(executed, as_version=4)
    pm = nb.metadata["papermill"]
    cells = [c for c in nb.cells if c.metadata.get("papermill", {}).get("start_time")]
    code = [c for c in cells if c.cell_type == "code" and not {"parameters", "injected-parameters"}
            & set(c.metadata.get("tags", []))]
    durations = [c.metadata.papermill.get("duration") or 0.0 for c in cells]
    first = code[0].metadata.papermill.get("duration") or 0.0 if code else 0.0
    to_first = _seconds(pm["start_time"], cells[0].metadata.papermill["start_time"]) if cells else 0.0
    papermill_total = pm.get("duration") or 0.0
    kept = record.get("kernel_seconds", 0.0)  # builds that record it: a kept kernel started or reset
    return {
        "kernel": kept + to_first,
        "imports": first,
        "cells": sum(durations) - first,
        "nbclient": papermill_total - to_first - sum(durations),
        "outside": record.get("execute_seconds", 0.0) - kept - papermill_total,
        "html": record.get("html_seconds", 0.0),
    }


def profile(report_dir: Path, build: dict) -> None:
    """Print where each notebook's time went (module docstring), and the sum over the build."""
    groups: dict[str, list[dict[str, float]]] = {}
    for record in build["notebooks"]:
        if "executed" not in record:
            continue
        parts = notebook_parts(report_dir / record["executed"], record)
        parts["total"] = record["seconds"]
        groups.setdefault(record["name"].split(":")[0], []).append(parts)
    print(f"  {'notebook':<18}{'runs':>5}" + "".join(f"{p:>9}" for p in (*PARTS, "total")))
    every = {p: 0.0 for p in (*PARTS, "total")}
    for name, runs in groups.items():
        sums = {p: sum(r[p] for r in runs) for p in every}
        for p in every:
            every[p] += sums[p]
        print(f"  {name:<18}{len(runs):>5}" + "".join(f"{sums[p]:>9.1f}" for p in every))
        if len(runs) > 1:
            med = {p: statistics.median(r[p] for r in runs) for p in every}
            print(f"  {'  median of one':<18}{'':>5}" + "".join(f"{med[p]:>9.2f}" for p in every))
    print(f"  {'all jobs':<18}{sum(map(len, groups.values())):>5}" + "".join(f"{every[p]:>9.1f}" for p in every))
    shared = next((r for r in build["notebooks"] if r["name"] == "shared-inputs"), None)
    if shared:
        print(f"  shared inputs {shared['seconds']:.1f} s")


def load() -> str:
    return "load " + " ".join(f"{x:.2f}" for x in os.getloadavg())


def cpu_of_children() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def with_draws(n_draws: int | None):
    """The report's main notebooks, the ranking with `n_draws` bootstrap draws (None: its own)."""
    if n_draws is None:
        return None
    ranking = next(nb for nb in table.MAIN_NOTEBOOKS if nb.name == "ranking")

    def parameters(year, source, own=ranking.year_parameters):
        return {**own(year, source), "n_draws": n_draws}

    return tuple(dataclasses.replace(nb, year_parameters=parameters) if nb is ranking else nb
                 for nb in table.MAIN_NOTEBOOKS)


def run(label: str, data_dir: Path, year: int, jobs: int | None, all_municipalities: bool,
        show_profile: bool, main_notebooks=None) -> dict:
    with tempfile.TemporaryDirectory(prefix="bench-report-") as out:
        before, cpu0, cpu_self0 = load(), cpu_of_children(), time.process_time()
        start = time.perf_counter()
        result = build_report(
            year, data_dir, reports_dir=out, all_municipalities=all_municipalities, jobs=jobs, progress=False,
            main_notebooks=main_notebooks,
        )
        wall = time.perf_counter() - start
        cpu = cpu_of_children() - cpu0 + time.process_time() - cpu_self0
        if not result.ok:
            raise SystemExit(format_failures(result))
        t = result.build["timings"]
        each = ", ".join(f"{name} {s:.1f} s" for name, s in t["main_notebooks_seconds"].items())
        print(
            f"{label}: wall {wall:.1f} s (build.json {t['wall_seconds']:.1f} s), CPU {cpu:.1f} s "
            f"[{before} -> {load()}]; main notebooks phase {t['main_phase_seconds']:.1f} s ({each})"
        )
        if all_municipalities:
            districts = [n for n in result.build["notebooks"] if n["name"].startswith("municipality:")]
            per = sorted(n["seconds"] for n in districts)
            print(
                f"  shared inputs ready at {t['shared_inputs_seconds']:.1f} s; "
                f"{len(districts)} municipality notebooks in {t['municipality_phase_seconds']:.1f} s "
                f"(each {per[0]:.1f}-{per[-1]:.1f} s, median {per[len(per) // 2]:.1f} s)"
            )
        if show_profile:
            profile(result.report_dir, result.build)
    return {"wall": wall, "cpu": cpu, **t}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("data_dir", nargs="?", default=str(config.DEFAULT_DATASET))
    parser.add_argument("--year", type=int, default=2023)
    parser.add_argument("--jobs", type=int, default=None, help="default: the build's default")
    parser.add_argument("--only", choices=["full", "main"], default=None)
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--profile", action="store_true", help="where each notebook's time goes")
    parser.add_argument("--ranking-draws", type=int, default=None, help="the ranking notebook's n_draws")
    parser.add_argument("--no-yardstick", action="store_true",
                        help="skip the fixed work timed before and after the runs (yardstick.py)")
    args = parser.parse_args()
    main_notebooks = with_draws(args.ranking_draws)
    print(f"cores: {os.cpu_count()}, jobs: {args.jobs or 'default'}, dataset: {args.data_dir}, year {args.year}, "
          f"ranking n_draws: {args.ranking_draws or 'its own'}, "
          f"code: {Path(__import__('gospub_analysis').__file__).parent.parent}")
    if not args.no_yardstick:
        print(yardstick.line())
    walls = []
    for _ in range(args.runs):
        if args.only in (None, "main"):
            run("main notebooks only (no municipalities)", Path(args.data_dir), args.year, args.jobs, False,
                args.profile, main_notebooks)
        if args.only in (None, "full"):
            walls.append(run("full report, all 35 municipalities", Path(args.data_dir), args.year, args.jobs, True,
                             args.profile, main_notebooks)["wall"])
    if len(walls) > 1:
        print(f"full report over {len(walls)} runs: best {min(walls):.1f} s, worst {max(walls):.1f} s")
    if not args.no_yardstick:
        print(yardstick.line())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
