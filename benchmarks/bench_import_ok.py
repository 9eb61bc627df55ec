"""Benchmark of `gospub import ok`: a year of the synthetic region as OK pages, exported as OK dumps.

Target: 100,000 topics a second or more. For the volume, the region's VK year is relabelled
as OK pages first (`tests/ok_fixture.relabel_as_ok`, about 300,000 topics); then
`export ok` writes them as raw OK REST API responses and the whole import (parse,
pseudonymise, comment dates, deduplicate, validate, write Parquet) is timed several
times; the best and the median are reported.

    .venv/bin/python benchmarks/bench_import_ok.py [--dataset DIR | --dump DIR | --keep DIR] [--runs 3]

`--keep DIR` writes the dump into DIR (kept) and times it; later runs take it with `--dump DIR`.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

from gospub_analysis.importers.ok import import_ok
from gospub_analysis.importers.ok_export import export_ok
from gospub_analysis.importers.pseudonym import Pseudonymizer

sys.path.insert(0, str(Path(__file__).resolve().parent))
from import_timing import dump_size, time_import  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from ok_fixture import relabel_as_ok  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--dataset", help="dataset to relabel and export (default: generate 2023 at scale 1, seed 2023)")
    parser.add_argument("--dump", help="an OK dump written before (skips generating, relabelling and exporting)")
    parser.add_argument("--keep", help="write the dump into this folder (kept) instead of a temporary one")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args(argv)
    if args.dump:
        return _time(Path(args.dump), f"{args.dump} (written before)", args.runs)
    with tempfile.TemporaryDirectory(prefix="bench_import_ok_") as tmp:
        tmp = Path(tmp)
        dataset = Path(args.dataset) if args.dataset else None
        if dataset is None:
            from gospub_analysis.synthetic import generate
            dataset = generate(tmp / "dataset", seed=2023, years=(2023, 2023), progress=None)
        start = time.perf_counter()
        dump = Path(args.keep) if args.keep else tmp / "dump"
        summary = export_ok(relabel_as_ok(dataset, tmp / "ok_pages"), dump)
        export_seconds = time.perf_counter() - start
        line = (f"{summary['files']:,} files, {dump_size(dump):,.0f} MB, {summary['posts']:,} topics, "
                f"{summary['comments']:,} comments, {summary['snapshots']:,} group observations "
                f"(relabel and export took {export_seconds:.1f} s)")
        return _time(dump, line, args.runs)


def _time(dump: Path, line: str, runs: int) -> int:
    pseudonymize = Pseudonymizer(b"benchmark-key")
    with tempfile.TemporaryDirectory(prefix="bench_import_ok_out_") as out:
        time_import("ok", "topics", lambda dump, out: import_ok(dump, out, pseudonymize=pseudonymize), dump, runs,
                    line, Path(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
