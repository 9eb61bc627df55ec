"""The growth notebook's data calls, one code tree against another, alternated in one sitting.

Usage: python benchmarks/bench_growth.py [DATA_DIR] [--year 2023] [--trees OLD NEW] [--pairs 3]
                                         [--profile OUT.prof]

Each run is a fresh Python process (`PYTHONPATH=<tree>`) that imports everything first and then
times, as CPU (user + sys of all threads, `resource.getrusage`) and wall seconds:
  prepare  the build's shared growth input (`reports.notebooks.SHARED_INPUTS`' growth series per
           municipality, `growth.monthly_by`) on its own `Source(data, cache_dir)`, as the build's
           process computes it before the district pages;
  notebook every data call of notebooks/growth.ipynb (headline, platforms, coverage, cross-posting,
           change, monthly series, sectors, reasons, municipalities, rhythm, summary, the tables
           `write_growth_tables` writes), without charts or files, on `open_source(data, cache_dir)`
           in the same folder, as in a report build;
  cold     the same notebook calls with no cache folder at all (a notebook run on its own).
Runs alternate old, new, old, new, ... with the load average printed before each pair. Without
`--trees`, one run of this checkout. `--profile` writes a cProfile of one prepare + notebook run.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

CHILD = r'''
import json, resource, sys, time
data, year, cache, profile = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
import gospub_analysis
from gospub_analysis import Source, availability, coverage, crossposting, growth, open_source
from gospub_analysis.published import beside_published
from gospub_analysis.reports import notebooks as nbs

def notebook(cache_dir):
    source = open_source(data, cache_dir)
    g = growth.growth_of(source, year)
    growth.about_ru(g)
    availability.check(source, year)
    growth.tables.headline_for_reader(beside_published(g.headline(), source.region, year))
    growth.tables.platforms_for_reader(g.by_platform())
    coverage.summary_for_reader(coverage.coverage_summary(source, coverage.year_end(year, source.timezone)))
    crossposting.summary_text(crossposting.year_summary(source, year), year)
    change = g.change()
    if change is not None:
        growth.tables.change_for_reader(change, year)
    g.monthly()
    growth.tables.for_reader(g.by_sector(), "sectors")
    g.monthly("sector")
    growth.tables.for_reader(g.no_page_reasons(by="sector"), "no_page_reasons")
    m = g.by_municipality()
    growth.tables.for_reader(m.sort_values(["rank_pages_per_1000", "municipality"]), "municipalities")
    g.unassigned()
    g.posting_rhythm()
    growth.summary_ru(g)
    g.headline(), g.monthly(), g.monthly("sector"), g.by_municipality(), g.by_platform(), g.by_sector()
    g.no_page_reasons(by="sector"), g.change()

def prepare():
    source = Source(data, cache)
    for compute in nbs.SHARED_INPUTS:
        if compute.__name__ == "_growth_by_municipality":
            compute(source, year)

def clock(work):
    r0, t0 = resource.getrusage(resource.RUSAGE_SELF), time.perf_counter()
    work()
    r1 = resource.getrusage(resource.RUSAGE_SELF)
    return {"cpu": r1.ru_utime + r1.ru_stime - r0.ru_utime - r0.ru_stime, "wall": time.perf_counter() - t0}

if profile != "-":
    import cProfile
    p = cProfile.Profile(); p.enable(); prepare(); notebook(cache); p.disable(); p.dump_stats(profile)
    out = {}
else:
    out = {"prepare": clock(prepare), "notebook": clock(lambda: notebook(cache))}
    open_source(data, cache).clear_cache()
    out["cold"] = clock(lambda: notebook(None))
out["tree"] = gospub_analysis.__file__
print(json.dumps(out))
'''


def run(tree: str | None, data: str, year: int, profile: str | None = None) -> dict:
    env = dict(os.environ)
    if tree:
        env["PYTHONPATH"] = tree
    with tempfile.TemporaryDirectory(prefix="bench-growth-") as cache:
        done = subprocess.run([sys.executable, "-c", CHILD, data, str(year), cache, profile or "-"], env=env,
                              cwd=cache, check=True, capture_output=True, text=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    from gospub_analysis.config import DEFAULT_DATASET

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data_dir", nargs="?", default=str(DEFAULT_DATASET))
    parser.add_argument("--year", type=int, default=2023)
    parser.add_argument("--trees", nargs=2, metavar=("OLD", "NEW"))
    parser.add_argument("--pairs", type=int, default=3)
    parser.add_argument("--profile")
    args = parser.parse_args()
    data = str(Path(args.data_dir).resolve())
    if args.profile:
        run(args.trees[1] if args.trees else None, data, args.year, args.profile)
        print(f"profile written to {args.profile}")
        return
    trees = args.trees or [None]
    rows = {t: [] for t in trees}
    for i in range(args.pairs if args.trees else 1):
        print(f"pair {i + 1}: load {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
        for tree in trees:
            r = run(tree, data, args.year)
            rows[tree].append(r)
            print(f"  {tree or 'this checkout'}: " + "  ".join(
                f"{k} {r[k]['cpu']:.2f} s CPU / {r[k]['wall']:.2f} s wall" for k in ("prepare", "notebook", "cold")))
    for tree in trees:
        print(f"median {tree or 'this checkout'}: " + "  ".join(
            f"{k} {sorted(r[k]['cpu'] for r in rows[tree])[len(rows[tree]) // 2]:.2f} s CPU" for k in
            ("prepare", "notebook", "cold")))


if __name__ == "__main__":
    main()
