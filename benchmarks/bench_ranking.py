"""Time indicators plus ranking for one year of the default dataset (no kernel start).

Usage: python benchmarks/bench_ranking.py [DATA_DIR] [--year 2023] [--repeat 5]
Prints the best and median wall time of metrics.page_year + ranking.score over the repeats.
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

from gospub_analysis import config, metrics, open_source, ranking


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("data_dir", nargs="?", default=str(config.DEFAULT_DATASET))
    parser.add_argument("--year", type=int, default=2023)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    method = ranking.load_methodology()
    times, pages = [], 0
    for _ in range(args.repeat):
        start = time.perf_counter()
        indicators = metrics.page_year(open_source(Path(args.data_dir)), args.year)  # a fresh source: no cache
        scored = ranking.score(indicators, method)
        times.append(time.perf_counter() - start)
        pages = len(scored)
    print(f"indicators + ranking, {args.data_dir}, {args.year}: {pages} pages, "
          f"best {min(times):.2f} s, median {statistics.median(times):.2f} s over {args.repeat} runs")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
