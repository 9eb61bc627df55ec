"""Running a build's notebooks on worker processes: shared inputs first, then every page.

`run_pages(prepare, jobs, ...)` submits `prepare()` (the computation the pages read,
written into the build's shared cache) to a process pool, with the `early` jobs (pages that
need not wait for it: they compute what they find missing, and the cache is written
atomically, so the longest page can start at once) and `side` tasks (work of the build that
no page waits for, such as the index's chart), and once `prepare` succeeded every other
`Job` (`runner.run_in_worker`: papermill, HTML, one kernel kept per worker). Each
worker starts its kernel as it starts and sends it the notebooks' imports (`warm_code`)
without waiting, so the kernels import while the workers compute the shared inputs and
the side tasks: no worker idles and no page pays the start. A progress bar counts the
tasks; the first failure of `prepare` or a page cancels what has not started (a side task
that fails is only returned). `after_early`, when given, runs in this process as soon as every
early job has succeeded, while the workers go on with the other pages: work that reads what
the early pages wrote (the yearly index's charts), done while this process would only wait,
rather than after the last page with both cores idle. It returns the outcomes by name and
when each kind of task finished. The yearly build (`build._run`) and the weekly build use it.
"""

from __future__ import annotations

import multiprocessing
import os
import sys
import time
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from pathlib import Path
from typing import Callable

from ..config import DUCKDB_THREADS_ENV
from .runner import Job, Outcome, init_worker, run_in_worker

PREPARE = "shared-inputs"
SIDE = "side"


def run_pages(prepare: Callable[[], Outcome], jobs: list[tuple[str, Job]], *, workers: int, **options
              ) -> tuple[dict[str, Outcome], dict[str, float]]:
    """Run `prepare`, the `early` `(kind, job)` pairs (pages that compute what they miss of the
    shared inputs themselves) and the `side` tasks, then, once `prepare` succeeded, the `jobs`
    pairs; the kernels warmed with `warm_code` (None: no kernel started ahead); `after_early()`
    here once every early job succeeded (its outcome is returned like a side task's). Returns
    (outcomes by name, seconds from the start to the end of `prepare` and of the last task of
    each kind, keyed '<kind>_end', side tasks by their outcome's name). Options: those of `_run_pages`.

    DuckDB in every process of the run (the workers and the kernels they start inherit the
    environment) gets the cores shared among the workers (`GOSPUB_DUCKDB_THREADS`, unless it is set
    already): the workers keep every core busy, and threads of several processes waiting for each
    other cost more than they save."""
    if os.environ.get(DUCKDB_THREADS_ENV, "").strip():
        return _run_pages(prepare, jobs, workers=workers, **options)
    os.environ[DUCKDB_THREADS_ENV] = str(max(1, (os.cpu_count() or 1) // max(1, workers)))
    try:
        return _run_pages(prepare, jobs, workers=workers, **options)
    finally:
        os.environ.pop(DUCKDB_THREADS_ENV, None)


def _run_pages(prepare: Callable[[], Outcome], jobs: list[tuple[str, Job]], *, work: Path, workers: int,
               progress: bool, desc: str, warm_code: str | None = None, early: list[tuple[str, Job]] = (),
               side: tuple[Callable[[], Outcome], ...] = (), after_early: Callable[[], Outcome] | None = None
               ) -> tuple[dict[str, Outcome], dict[str, float]]:
    from tqdm.auto import tqdm

    t0 = time.perf_counter()
    outcomes: dict[str, Outcome] = {}
    marks: dict[str, float] = {}
    # fork: workers start at once with everything imported, and scripts need no __main__ guard.
    context = multiprocessing.get_context("fork")
    slots = context.Value("i", 0)
    pages = [*early, *jobs]
    warm = (str(pages[0][1].cwd), warm_code) if warm_code is not None and pages else None
    with ProcessPoolExecutor(max_workers=workers, mp_context=context, initializer=init_worker,
                             initargs=(slots, str(work / "build.log"), progress and sys.stderr.isatty(), warm)) as pool:
        bar = tqdm(total=1 + len(pages), desc=desc, unit="страница", disable=not progress, file=sys.stderr)
        pending: dict[Future, str] = {pool.submit(prepare): PREPARE}
        pending.update({pool.submit(run_in_worker, job): job_kind for job_kind, job in early})
        pending.update({pool.submit(task): SIDE for task in side})
        failed = False
        early_names = {job.name for _, job in early}
        waiting_early = after_early is not None
        while pending:
            done, _ = wait(pending, return_when=FIRST_COMPLETED)
            for future in done:
                kind = pending.pop(future)
                if future.cancelled():
                    continue
                outcome = future.result()
                if kind == SIDE:  # nothing waits for it, and its failure is the caller's to judge
                    outcomes[outcome.name] = outcome
                    marks[f"{outcome.name}_end"] = time.perf_counter() - t0
                    continue
                outcomes[outcome.name] = outcome
                failed = failed or not outcome.ok
                bar.update(1)
                bar.set_postfix_str(outcome.name, refresh=True)
                marks[f"{kind}_end"] = time.perf_counter() - t0
                if kind == PREPARE and outcome.ok and not failed:
                    pending.update({pool.submit(run_in_worker, job): job_kind for job_kind, job in jobs})
            if waiting_early and not failed and all(outcomes.get(name) is not None for name in early_names):
                waiting_early = False
                outcome = after_early()
                outcomes[outcome.name] = outcome
                marks[f"{outcome.name}_end"] = time.perf_counter() - t0
            if failed:  # the build cannot succeed: don't start what is still queued
                for future in [f for f in pending if f.cancel()]:
                    pending.pop(future)
        bar.close()
    return outcomes, marks
