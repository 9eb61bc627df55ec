"""Running a build's notebooks on worker processes: shared inputs first, then every page.

`run_pages(prepare, jobs, ...)` submits `prepare()` (the computation every page reads,
written into the build's shared cache) to a process pool, and once it succeeded every
`Job` (`runner.run_in_worker`: papermill, HTML, one kernel kept per worker for the jobs
that reuse it). While `prepare` runs, the other workers start their kernels and import
what the notebooks import (`warm_up`), so that no worker idles and no page pays the
start. A progress bar counts the tasks; the first failure cancels what has not started. It returns the outcomes by name and when each kind of task finished. The weekly
build uses it; it is the yearly build's scheduling (`build._run`) in a general form.
"""

from __future__ import annotations

import multiprocessing
import sys
import time
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from pathlib import Path
from typing import Callable

from . import kernels
from .runner import Job, Outcome, init_worker, run_in_worker

PREPARE = "shared-inputs"
WARM_UP = "warm-up"


def warm_up(cwd: str, code: str) -> Outcome:
    """Start this worker's kept kernel for `cwd` and run `code` in it (imports); never raises."""
    started = time.perf_counter()
    try:
        kernels.session(Path(cwd)).warm(code)
        return Outcome(WARM_UP, ok=True, seconds=time.perf_counter() - started)
    except Exception as exc:  # a cold kernel is slower, not wrong: the pages still run
        return Outcome(WARM_UP, ok=False, seconds=time.perf_counter() - started, error={"evalue": str(exc)})


def run_pages(prepare: Callable[[], Outcome], jobs: list[tuple[str, Job]], *, work: Path, workers: int,
              progress: bool, desc: str, warm_code: str | None = None) -> tuple[dict[str, Outcome], dict[str, float]]:
    """Run `prepare` (and `warm_code` in the other workers' kernels), then the `(kind, job)` pairs;
    (outcomes by name, seconds from the start to the end of `prepare` and of the last task of
    each kind, keyed '<kind>_end')."""
    from tqdm.auto import tqdm

    t0 = time.perf_counter()
    outcomes: dict[str, Outcome] = {}
    marks: dict[str, float] = {}
    # fork: workers start at once with everything imported, and scripts need no __main__ guard.
    context = multiprocessing.get_context("fork")
    slots = context.Value("i", 0)
    with ProcessPoolExecutor(max_workers=workers, mp_context=context, initializer=init_worker,
                             initargs=(slots, str(work / "build.log"), progress and sys.stderr.isatty())) as pool:
        bar = tqdm(total=1 + len(jobs), desc=desc, unit="страница", disable=not progress, file=sys.stderr)
        pending: dict[Future, str] = {pool.submit(prepare): PREPARE}
        if warm_code and jobs:
            pending.update({pool.submit(warm_up, str(jobs[0][1].cwd), warm_code): WARM_UP for _ in range(workers - 1)})
        failed = False
        while pending:
            done, _ = wait(pending, return_when=FIRST_COMPLETED)
            for future in done:
                kind = pending.pop(future)
                if future.cancelled():
                    continue
                outcome = future.result()
                if kind == WARM_UP:
                    marks[f"{kind}_end"] = time.perf_counter() - t0
                    continue
                outcomes[outcome.name] = outcome
                failed = failed or not outcome.ok
                bar.update(1)
                bar.set_postfix_str(outcome.name, refresh=True)
                marks[f"{kind}_end"] = time.perf_counter() - t0
                if kind == PREPARE and outcome.ok:
                    pending.update({pool.submit(run_in_worker, job): job_kind for job_kind, job in jobs})
            if failed:  # the build cannot succeed: don't start what is still queued
                for future in [f for f in pending if f.cancel()]:
                    pending.pop(future)
        bar.close()
    return outcomes, marks
