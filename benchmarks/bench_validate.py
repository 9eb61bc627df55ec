"""Benchmark: `gospub validate DATASET` (a stream, `dataset.stream`), optionally alternated with another
checkout's (`--old DIR`, e.g. `git -C /work/main archive HEAD | tar -x -C DIR`: the in-memory
`load_dataset` path before it).

DATASET: the default dataset when not given. Each run is `/usr/bin/time -v python -m gospub_analysis.cli validate --quiet DATASET` in its own process
(imports included, as a user pays them); prints per run the wall time, CPU (user + sys), peak RSS, the
load average before it and the outcome's first line, new and old in turn, `--rounds` times. A dataset
the old code cannot hold is run with the new code only (no `--old`). Heavy datasets go under
`flock /work/big/.lock`.

    python benchmarks/bench_validate.py data/nso-synthetic --old /tmp/old --rounds 3
    flock /work/big/.lock python benchmarks/bench_validate.py /work/big/genq
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def run(code: Path, dataset: str) -> dict:
    """One `gospub validate` of `dataset` with the package at `code`, measured by /usr/bin/time -v."""
    load = os.getloadavg()[0]
    env = {**os.environ, "PYTHONPATH": str(code)}
    cli = [sys.executable, "-m", "gospub_analysis.cli", "validate", dataset]
    if (code / "gospub_analysis" / "dataset" / "stream.py").exists():
        cli.append("--quiet")
    done = subprocess.run(["/usr/bin/time", "-v", *cli], env=env, capture_output=True, text=True, cwd="/tmp")
    def field(name: str) -> str:
        return re.search(rf"{re.escape(name)}: (.+)", done.stderr).group(1).strip()
    wall = field("Elapsed (wall clock) time (h:mm:ss or m:ss)").split(":")
    seconds = sum(float(part) * 60 ** i for i, part in enumerate(reversed(wall)))
    cpu = float(field("User time (seconds)")) + float(field("System time (seconds)"))
    out = (done.stdout or done.stderr).strip().splitlines()
    return {"wall": seconds, "cpu": cpu, "rss": int(field("Maximum resident set size (kbytes)")) / 2**20,
            "load": load, "exit": done.returncode, "said": out[0][:100] if out else ""}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("dataset", nargs="?", default=str(ROOT / "data" / "nso-synthetic"))
    parser.add_argument("--old", help="a checkout of the code to alternate with")
    parser.add_argument("--rounds", type=int, default=1)
    args = parser.parse_args()
    codes = [("new", ROOT)] + ([("old", Path(args.old))] if args.old else [])
    print(f"cores: {os.cpu_count()}; dataset {args.dataset}")
    for k in range(args.rounds):
        for label, code in codes if k % 2 == 0 else codes[::-1]:
            r = run(code, args.dataset)
            print(f"round {k + 1} {label}: {r['wall']:.1f} s wall, {r['cpu']:.1f} s CPU, peak {r['rss']:.2f} GiB, "
                  f"load {r['load']:.2f}, exit {r['exit']}: {r['said']}", flush=True)


if __name__ == "__main__":
    main()
