"""Benchmark of `gospub import vk`: a year of the synthetic region, exported as VK dumps.

Target: 100,000 posts a second or more (a year of Novosibirsk oblast, about 300,000
posts, in under 3 s). Steps: generate one synthetic year at full scale (unless
--dataset is given), `export vk` it, then time the whole import (parse, pseudonymise,
deduplicate, validate, write Parquet) several times and report the best and the median.

    .venv/bin/python benchmarks/bench_import_vk.py [--dataset DIR] [--runs 3]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

from gospub_analysis.importers.pseudonym import Pseudonymizer
from gospub_analysis.importers.vk import import_vk
from gospub_analysis.importers.vk_export import export_vk

sys.path.insert(0, str(Path(__file__).resolve().parent))
from import_timing import dump_size, time_import  # noqa: E402


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
        line = (f"{summary['files']:,} files, {dump_size(tmp / 'dump'):,.0f} MB, {summary['posts']:,} posts, "
                f"{summary['comments']:,} comments, {summary['snapshots']:,} group observations "
                f"(export took {export_seconds:.1f} s)")
        pseudonymize = Pseudonymizer(b"benchmark-key")
        time_import("vk", "posts", lambda dump, out: import_vk(dump, out, pseudonymize=pseudonymize), tmp / "dump",
                    args.runs, line)
        return 0


if __name__ == "__main__":
    sys.exit(main())
