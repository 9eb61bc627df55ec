"""A fixed piece of work timed beside every benchmark, so that figures taken at different hours compare.

The development machine is shared: the same code on the same data took 37.4 s at 12:42 and
53.7 s at 17:33 on 3 December 2026, both on an otherwise idle machine (`benchmarks/README.md`,
"Ninth sitting"). A figure is only comparable with another taken in the same minutes, or
after dividing each by the yardstick measured beside it.

The yardstick is single-threaded CPU work of the kinds the project spends its time on, each
part fixed in size and seeded:
  python  building, sorting and joining 200,000 short strings (interpreter speed);
  numpy   sorting 4 million floats and a grouped sum by bincount;
  duckdb  one thread: a grouped aggregate and a sort over 4 million generated rows;
  png     drawing and encoding a 10 × 5 inch matplotlib chart with 13 months of bars and lines
          (text layout and Agg, what the report's charts cost), twice.
Each part is run three times and its fastest CPU time kept.

    .venv/bin/python benchmarks/yardstick.py          # prints the parts and their sum
"""

from __future__ import annotations

import io
import os
import time

PARTS = ("python", "numpy", "duckdb", "png")


def _python() -> None:
    words = [f"стр{i * 7919 % 1_000_003:07d}" for i in range(200_000)]
    words.sort()
    "|".join(words).count("стр1")


def _numpy() -> None:
    import numpy as np

    rng = np.random.default_rng(2023)
    values = rng.random(4_000_000)
    np.sort(values, kind="quicksort")
    np.bincount(rng.integers(0, 3_500, 4_000_000), weights=values)


def _duckdb() -> None:
    import duckdb

    with duckdb.connect(config={"threads": 1}) as con:
        con.execute("""SELECT i % 3500 AS page, count(*), sum(i % 97), median(i % 1013)
                       FROM range(4000000) t(i) GROUP BY 1 ORDER BY 1""").fetchall()
        con.execute("SELECT hash(i) AS h FROM range(4000000) t(i) ORDER BY h LIMIT 10").fetchall()


def _png() -> None:
    import matplotlib

    matplotlib.use("agg")
    import matplotlib.pyplot as plt
    import numpy as np

    months = np.arange(13)
    for _ in range(2):
        fig, ax = plt.subplots(figsize=(10, 5))
        ax2 = ax.twinx()
        ax2.bar(months + 0.1, 1000 + 50 * months, width=0.8, alpha=0.35, label="публикации за месяц")
        ax.plot(months, 20 + months, marker="o", markersize=3, label="активные страницы")
        ax.set(title="Район: страницы и публикации", ylabel="страниц (линии)")
        ax2.set_ylabel("публикаций за месяц (столбцы)")
        ax.set_xticks(months, [f"мес. {m}" for m in months])
        ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.08), ncol=2, frameon=False)
        fig.tight_layout()
        fig.savefig(io.BytesIO(), format="png", dpi=100, bbox_inches="tight")
        plt.close(fig)


_WORK = {"python": _python, "numpy": _numpy, "duckdb": _duckdb, "png": _png}


def measure(repeat: int = 3) -> dict[str, float]:
    """The fastest CPU time of each part over `repeat` runs (seconds), after one untimed run
    that imports the libraries, and their sum under 'total'."""
    parts: dict[str, float] = {}
    for name in PARTS:
        work = _WORK[name]
        work()
        best = float("inf")
        for _ in range(repeat):
            start = time.process_time()
            work()
            best = min(best, time.process_time() - start)
        parts[name] = best
    parts["total"] = sum(parts[name] for name in PARTS)
    return parts


def line(parts: dict[str, float] | None = None) -> str:
    """One line for a benchmark's output: the yardstick's sum, its parts and the load."""
    parts = parts or measure()
    each = ", ".join(f"{name} {parts[name]:.2f}" for name in PARTS)
    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    return f"yardstick {parts['total']:.2f} s of CPU ({each}; load {load})"


if __name__ == "__main__":
    print(line())
