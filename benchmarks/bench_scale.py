"""Every analysis at a country's size: time and peak memory of each step, one subprocess per step.

Usage: python benchmarks/bench_scale.py DATA_DIR [--year 2023] [--steps a,b,...] [--draws 100]
       [--repeat 1] [--json OUT]

Each step runs in a fresh Python process on a fresh `Source` (nothing cached between
steps), which reports its own wall time and CPU time of all its threads (imports excluded;
the CPU time moves less with the load of a shared machine than the wall time) and peak resident memory
(`ru_maxrss`, imports included). Steps: `load` (`load_dataset` with full validation: not on
the path of any analysis, shown for comparison), `scan` (reading the reference query's
columns), `reference` (an independent DuckDB query of the core page-year indicators, the
yardstick of `indicators`), `indicators` (`metrics.page_year`), `ranking` (indicators and
`ranking.score`), `stability` (`ranking.stability_checks`: three checks of `--draws`
replicates each), `growth` (monthly series, headline, change), `classifier`
(`classifier.run`: features, both models, cross-validation, scoring, reasons), `weekly`
(`weekly.weekly_rows` of the year's last complete week). The dataset's row counts and
the machine's load (`os.getloadavg`) are printed with the figures.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

STEPS = ("load", "scan", "reference", "indicators", "ranking", "stability", "growth", "classifier", "weekly")

# The core page-year indicators computed independently of the package: posts, weeks with at
# least 3 posts, live streams, residents' comments, answered share, median reply in plain hours.
REFERENCE = """
WITH p AS (
    SELECT community_id, is_live,
           date_trunc('week', CAST(timezone($tz, published_at) AS DATE)) AS week
    FROM read_parquet($posts)
    WHERE published_at >= $start AND published_at < $end
),
posts AS (
    SELECT community_id, count(*) AS posts, count(*) FILTER (WHERE is_live) AS live_streams FROM p GROUP BY ALL
),
weeks AS (
    SELECT community_id, count(*) FILTER (WHERE n >= 3) AS weeks_3plus
    FROM (SELECT community_id, week, count(*) AS n FROM p GROUP BY ALL) GROUP BY ALL
),
c AS (
    SELECT community_id, comment_id, created_at, author_kind, reply_to_comment_id
    FROM read_parquet($comments) WHERE NOT coalesce(deleted, false)
),
first_reply AS (
    SELECT community_id, reply_to_comment_id AS comment_id, min(created_at) AS replied_at
    FROM c WHERE author_kind = 'page' AND reply_to_comment_id IS NOT NULL GROUP BY ALL
),
residents AS (
    SELECT c.community_id, date_diff('second', c.created_at, r.replied_at) / 3600.0 AS reply_hours
    FROM c LEFT JOIN first_reply r
      ON r.community_id = c.community_id AND r.comment_id = c.comment_id AND r.replied_at >= c.created_at
    WHERE c.author_kind = 'resident' AND c.created_at >= $start AND c.created_at < $end
),
replies AS (
    SELECT community_id, count(*) AS resident_comments, avg(CAST(reply_hours IS NOT NULL AS DOUBLE)) AS answered_share,
           median(reply_hours) AS median_reply_hours
    FROM residents GROUP BY ALL
)
SELECT * FROM posts LEFT JOIN weeks USING (community_id) FULL JOIN replies USING (community_id)
"""

SCAN = """
SELECT count(*), max(published_at), count(DISTINCT community_id) FILTER (WHERE is_live)
FROM read_parquet($posts) WHERE published_at >= $start AND published_at < $end
"""


def _bounds(year: int, tz: str):
    import pandas as pd
    start = pd.Timestamp(year=year, month=1, day=1, tz=tz).tz_convert("UTC").to_pydatetime()
    end = pd.Timestamp(year=year + 1, month=1, day=1, tz=tz).tz_convert("UTC").to_pydatetime()
    return start, end


def _duckdb(data: Path, year: int, query: str) -> str:
    from gospub_analysis.dataset.source import Source, connect
    source = Source(data)
    start, end = _bounds(year, source.timezone)
    with connect() as con:
        params = {"tz": source.timezone, "start": start, "end": end, "posts": str(data / "posts.parquet"),
                  "comments": str(data / "comments.parquet")}
        frame = con.execute(query, {k: v for k, v in params.items() if f"${k}" in query}).df()
    return f"{len(frame):,} rows"


def run_step(step: str, data: Path, year: int, draws: int) -> str:
    """One step on a fresh Source; returns a short description of what it produced."""
    from gospub_analysis import classifier, growth, metrics, open_source, ranking
    from gospub_analysis.dataset import load_dataset
    source = open_source(data)
    if step == "load":
        return f"{sum(len(t) for t in load_dataset(data).tables.values()):,} rows"
    if step == "scan":
        return _duckdb(data, year, SCAN)
    if step == "reference":
        return _duckdb(data, year, REFERENCE)
    if step == "indicators":
        return f"{len(metrics.page_year(source, year)):,} pages"
    if step == "ranking":
        ranked = ranking.rank_pages(source, year)
        return f"{int(ranked['eligible'].sum()):,} eligible, {int(ranked['winner'].sum())} winners"
    if step == "stability":
        checks = ranking.stability_checks(source, year, ranking.load_methodology(), n_draws=draws, random_state=0)
        return "; ".join(f"{name}: {ranking.stability_summary(frame)['borderline']} borderline"
                         for name, frame in checks.items())
    if step == "growth":
        g = growth.growth_of(source, year)
        monthly = g.monthly()
        g.headline()
        g.change()
        return f"{len(monthly)} months"
    if step == "classifier":
        target = year + 1 if year + 1 in source.covered_years() else year  # a one-year dataset flags its own year
        result = classifier.run(source, train_year=year, target_year=target)
        return f"{len(result.train.y):,} training / {len(result.target.y):,} target pages"
    if step == "weekly":
        import pandas as pd
        from gospub_analysis.weekly import weekly_rows
        last_monday = pd.Timestamp(f"{year}-12-31") - pd.Timedelta(days=(pd.Timestamp(f"{year}-12-31").dayofweek + 7))
        return f"{len(weekly_rows(source, last_monday)):,} pages"
    raise SystemExit(f"unknown step {step!r}; steps: {', '.join(STEPS)}")


def _child(step: str, data: Path, year: int, draws: int) -> None:
    import gospub_analysis.classifier  # noqa: F401  imports outside the timing
    import gospub_analysis.growth  # noqa: F401
    import gospub_analysis.ranking  # noqa: F401
    import gospub_analysis.weekly  # noqa: F401
    start, cpu = time.perf_counter(), time.process_time()
    what = run_step(step, data, year, draws)
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu  # cpu: all the process's threads
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 ** 2  # KiB -> GiB
    print(json.dumps({"step": step, "seconds": seconds, "cpu_seconds": cpu, "peak_gib": peak, "result": what}))


def _measure(step: str, data: Path, year: int, draws: int) -> dict:
    load_before = os.getloadavg()[0]
    done = subprocess.run([sys.executable, __file__, str(data), "--child", step, "--year", str(year),
                           "--draws", str(draws)], capture_output=True, text=True)
    if done.returncode != 0:
        return {"step": step, "error": (done.stderr.strip().splitlines() or ["killed"])[-1],
                "load": load_before, "returncode": done.returncode}
    figures = json.loads(done.stdout.strip().splitlines()[-1])
    return figures | {"load": load_before, "load_after": os.getloadavg()[0]}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("data_dir")
    parser.add_argument("--year", type=int, default=2023)
    parser.add_argument("--steps", default=",".join(STEPS))
    parser.add_argument("--draws", type=int, default=100)
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--json", help="also write the figures to this file")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    data = Path(args.data_dir)
    if args.child:
        _child(args.child, data, args.year, args.draws)
        return 0
    manifest = json.loads((data / "manifest.json").read_text(encoding="utf-8"))
    counts = manifest["row_counts"]
    print(f"{data}: " + ", ".join(f"{name} {n:,}" for name, n in counts.items())
          + f"; {os.cpu_count()} cores")
    figures = []
    for step in args.steps.split(","):
        for _ in range(args.repeat):
            f = _measure(step, data, args.year, args.draws)
            figures.append(f)
            if "error" in f:
                print(f"{step:12s} FAILED ({f['error']}), load {f['load']:.1f}", flush=True)
            else:
                print(f"{step:12s} {f['seconds']:7.1f} s  cpu {f['cpu_seconds']:6.1f} s  peak {f['peak_gib']:5.2f} GiB  load {f['load']:.1f}-"
                      f"{f['load_after']:.1f}  ({f['result']})", flush=True)
    if args.json:
        Path(args.json).write_text(json.dumps({"data": str(data), "row_counts": counts, "cores": os.cpu_count(),
                                               "figures": figures}, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
