"""Benchmark: generate the default synthetic dataset (2023-2025) and load it back.

Prints wall times; targets (issue 2): generate < 30 s, load_dataset < 2 s on 2 cores.
"""

from __future__ import annotations

import os
import tempfile
import time
from pathlib import Path

import gospub_analysis as ga
from gospub_analysis.synthetic import generate


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "nso"
        t0 = time.perf_counter()
        generate(out, seed=2023, years=(2023, 2025), progress=None)
        t_gen = time.perf_counter() - t0
        loads = []
        for _ in range(3):
            t0 = time.perf_counter()
            ds = ga.load_dataset(out)
            loads.append(time.perf_counter() - t0)
        rows = ds.manifest["row_counts"]
        print(f"cores: {os.cpu_count()}")
        print(f"generate 2023-2025 (scale 1): {t_gen:.2f} s; posts {rows['posts']:,}, comments {rows['comments']:,}, "
              f"snapshots {rows['snapshots']:,}")
        print(f"load_dataset with validation: best {min(loads):.2f} s, worst {max(loads):.2f} s (3 runs)")


if __name__ == "__main__":
    main()
