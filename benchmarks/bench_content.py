"""Time the content analyses of one year and the rubric classifier on a country-sized year of texts.

Usage: python benchmarks/bench_content.py [DATA_DIR] [--year 2023] [--repeat 3] [--posts-millions 15]

1. `content.content_year(source, year)` on DATA_DIR (default dataset): posts with their
   audience, engagement tables, content types with bootstrap intervals, rubric training,
   held-out evaluation and scoring of every post, top posts, timing, copies. Each run
   opens a fresh `Source`, so nothing is reused.
2. The rubric classifier scoring a frame of `--posts-millions` million *distinct* texts
   (the dataset's texts, each made unique by a numbered suffix, in chunks of one million
   built in Arrow): `rubrics.predict` does all the work a real country's year would need,
   with no help from repeated texts. A scale-50 dataset (15 million posts a year) does not
   fit beside the other work on the 2-core development machine, hence the frame.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from gospub_analysis import config, content, open_source
from gospub_analysis.content import rubrics

CHUNK = 1_000_000


def _load() -> str:
    return f"load average {os.getloadavg()[0]:.1f}"


def bench_year(data_dir: str, year: int, repeat: int) -> None:
    times, cpu = [], []
    for _ in range(repeat):
        start, start_cpu = time.perf_counter(), time.process_time()
        c = content.content_year(open_source(data_dir), year)
        times.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
    print(f"content_year {year}, {data_dir}: {len(c.posts):,} posts, {len(c.pages):,} pages; "
          f"best {min(times):.1f} s, median {statistics.median(times):.1f} s over {repeat} runs, "
          f"CPU best {min(cpu):.1f} s ({_load()})")


def bench_rubrics(data_dir: str, year: int, millions: int) -> None:
    texts = pa.array(content.year_posts(open_source(data_dir), year)["text"].dropna().array, type=pa.string())
    model = rubrics.train()
    start, start_cpu = time.perf_counter(), time.process_time()
    scored, counts = 0, {}
    for k in range(millions):
        numbers = np.arange(k * CHUNK, (k + 1) * CHUNK)
        take = pa.array(numbers % len(texts))
        suffix = pc.binary_join_element_wise(" Публикация ", pc.cast(pa.array(numbers), pa.string()), "")
        chunk = pd.Series(pd.arrays.ArrowStringArray(pc.binary_join_element_wise(texts.take(take), suffix, "")))
        predicted = rubrics.predict(model, chunk)
        scored += len(predicted)
        for rubric, n in pd.Series(predicted).value_counts().items():
            counts[rubric] = counts.get(rubric, 0) + int(n)
    elapsed, cpu = time.perf_counter() - start, time.process_time() - start_cpu
    shares = ", ".join(f"{r} {n / scored:.0%}" for r, n in sorted(counts.items()))
    print(f"rubrics.predict on {scored:,} distinct texts: {elapsed:.1f} s = {scored / elapsed:,.0f} texts/s, "
          f"CPU {cpu:.1f} s ({_load()}); {shares}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("data_dir", nargs="?", default=str(config.DEFAULT_DATASET))
    parser.add_argument("--year", type=int, default=2023)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--posts-millions", type=int, default=15)
    args = parser.parse_args()
    bench_year(args.data_dir, args.year, args.repeat)
    if args.posts_millions:
        bench_rubrics(args.data_dir, args.year, args.posts_millions)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
