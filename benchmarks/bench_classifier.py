"""Time the award classifier on the default dataset (no kernel start), and the notebook end to end.

Usage: python benchmarks/bench_classifier.py [DATA_DIR] [--repeat 3] [--notebook]
Prints the best and median wall time of classifier.run (train 2023, flag 2024: features,
5-fold grouped CV of both models, final fits, baselines, permutation importance, reasons)
and, with --notebook, one papermill run of notebooks/award_classifier.ipynb. Each run opens
a fresh `Source`, so nothing computed by an earlier run is reused.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from gospub_analysis import classifier, config, open_source


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("data_dir", nargs="?", default=str(config.DEFAULT_DATASET))
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--notebook", action="store_true")
    args = parser.parse_args()
    times = []
    for _ in range(args.repeat):
        start = time.perf_counter()
        result = classifier.run(open_source(args.data_dir))
        times.append(time.perf_counter() - start)
    ap = result.metrics["summary"]["out_of_time_average_precision"] or {}
    print(f"classifier.run, {args.data_dir}: {len(result.train.y)} training / {len(result.target.y)} target pages, "
          f"best {min(times):.1f} s, median {statistics.median(times):.1f} s over {args.repeat} runs; "
          f"out-of-time AP {', '.join(f'{k} {v:.3f}' for k, v in ap.items())}")
    if args.notebook:
        import papermill as pm

        with tempfile.TemporaryDirectory() as tmp:
            start = time.perf_counter()
            pm.execute_notebook(str(config.NOTEBOOKS_DIR / "award_classifier.ipynb"), str(Path(tmp) / "nb.ipynb"),
                                parameters={"data_dir": str(args.data_dir), "out_dir": str(Path(tmp) / "out")},
                                kernel_name=config.KERNEL_NAME, cwd=tmp, progress_bar=False)
            print(f"notebook award_classifier.ipynb end to end (kernel start included): "
                  f"{time.perf_counter() - start:.1f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
