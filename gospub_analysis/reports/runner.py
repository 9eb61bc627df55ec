"""Run one notebook with papermill and render its reader's page.

This module owns the execution of a single report notebook: papermill with the
project's kernel named explicitly, the working directory set, parameters checked to be
plain values, a per-cell progress bar, then the HTML page (`html.notebook_to_html`).
A failure is returned, not raised, as an `Outcome` whose `error` names the notebook,
the failing cell and the error, so a build can run many notebooks in worker processes
and report all failures together.

Jobs marked `reuse_kernel` run in the kernel their worker process keeps
(`kernels.session`): starting a kernel and importing pandas and matplotlib cost about
as much as a municipality notebook itself. Before each run the kernel is reset (its
namespace cleared, options and styles restored: `kernels`), so a run sees only its own
parameters and shows what it would in a fresh kernel; imported modules stay loaded.
Papermill runs through the kept kernel's own client (`kernels.KEPT_KERNEL_ENGINE`).
Every other job gets a kernel of its own (`kernels.OWN_KERNEL_ENGINE`). Either engine gives the
cell papermill injects a stable id, so that the same inputs make the same executed notebook.
"""

from __future__ import annotations

import gc
import os
import sys
import time
import traceback
from dataclasses import dataclass
from pathlib import Path

import papermill as pm
from papermill.exceptions import PapermillExecutionError

from ..config import KERNEL_NAME
from . import kernels
from .html import notebook_to_html

PLAIN = (str, int, float, bool, type(None))
SOURCE_LINES_SHOWN = 6


@dataclass(frozen=True)
class Job:
    """One notebook run: where it comes from, where its outputs go, what it gets."""

    name: str  # unique within a build: "ranking", "municipality:bolotnoe"
    title: str
    notebook: Path  # the source notebook
    executed: Path  # the executed .ipynb
    html: Path  # the reader's page
    parameters: dict
    cwd: Path
    banner: str | None = None
    nav_html: str = ""
    footer_html: str = ""
    reuse_kernel: bool = False
    # Save the executed notebook after every cell (papermill's default), so that a long run
    # can be followed and a killed one inspected. The builds write every page once, at the end
    # (or with the failing cell marked, as papermill does on a cell's error; a kernel that dies
    # leaves the build's error and log, not the page): papermill saves twice per cell, each save
    # encoding and validating the whole notebook with its pictures again, 1.4-1.7 s of CPU for the
    # yearly report's four main notebooks, written into the build's work folder where nobody reads them.
    save_every_cell: bool = True


@dataclass
class Outcome:
    name: str
    ok: bool
    seconds: float = 0.0
    execute_seconds: float = 0.0  # kernel_seconds included
    kernel_seconds: float = 0.0  # a kept kernel started or reset (0 for a kernel of its own)
    html_seconds: float = 0.0
    kernel: str = ""  # the id of the kept kernel the job ran in ("": a kernel of its own)
    error: dict | None = None
    value: object = None  # what a side task of a build computed


@dataclass
class ProgressSlot:
    """Where a worker draws its per-cell bar (tqdm `position`); None: no bar."""

    position: int | None = None


def check_parameters(parameters: dict) -> None:
    """Only plain values may be parameters: they are written into the executed notebook."""
    for key, value in parameters.items():
        values = value if isinstance(value, (list, tuple)) else [value]
        if not all(isinstance(v, PLAIN) for v in values):
            raise TypeError(
                f"parameter {key!r} must be a plain value (str, int, float, bool, None), got {type(value).__name__}"
            )


def declared_parameters(notebook: Path) -> set[str]:
    """Names assigned in the notebook's cell tagged `parameters`."""
    return set(pm.inspect_notebook(str(notebook)))


def _cell_error(exc: PapermillExecutionError, notebook: Path) -> dict:
    lines = (exc.source or "").splitlines()
    shown = "\n".join(lines[:SOURCE_LINES_SHOWN]) + ("\n..." if len(lines) > SOURCE_LINES_SHOWN else "")
    return {
        "notebook": str(notebook),
        "cell_index": exc.cell_index,
        "execution_count": exc.exec_count,
        "cell_source": shown,
        "ename": exc.ename,
        "evalue": exc.evalue,
    }


def run_job(job: Job, slot: ProgressSlot | None = None) -> Outcome:
    """Execute `job.notebook` into `job.executed`, render `job.html`; never raises."""
    started = time.perf_counter()
    outcome = Outcome(job.name, ok=False)
    try:
        check_parameters(job.parameters)
        job.executed.parent.mkdir(parents=True, exist_ok=True)
        job.cwd.mkdir(parents=True, exist_ok=True)
        bar: bool | dict = False
        if slot is not None and slot.position is not None:
            bar = {"desc": job.name, "position": slot.position, "leave": False, "file": sys.stderr}
        engine = {"engine_name": kernels.OWN_KERNEL_ENGINE}
        if job.reuse_kernel:
            kept = kernels.session(job.cwd)
            engine = {"engine_name": kernels.KEPT_KERNEL_ENGINE, "session": kept}
            outcome.kernel = kept.km.kernel_id or ""
        outcome.kernel_seconds = time.perf_counter() - started
        pm.execute_notebook(
            str(job.notebook),
            str(job.executed),
            parameters=dict(job.parameters),
            kernel_name=KERNEL_NAME,
            cwd=str(job.cwd),
            progress_bar=bar,
            log_output=False,
            request_save_on_cell_execute=job.save_every_cell,
            **engine,
        )
        outcome.execute_seconds = time.perf_counter() - started
        t = time.perf_counter()
        job.html.parent.mkdir(parents=True, exist_ok=True)
        notebook_to_html(
            job.executed,
            job.html,
            job.title,
            banner_label=job.banner,
            nav_html=job.nav_html,
            footer_html=job.footer_html,
        )
        outcome.html_seconds = time.perf_counter() - t
        outcome.ok = True
    except PapermillExecutionError as exc:
        outcome.error = _cell_error(exc, job.notebook)
    except Exception as exc:  # a build reports every failure, whatever it is
        outcome.error = {
            "notebook": str(job.notebook),
            "cell_index": None,
            "execution_count": None,
            "cell_source": "",
            "ename": type(exc).__name__,
            "evalue": str(exc),
            "where": "".join(traceback.format_exception_only(type(exc), exc)).strip(),
        }
    outcome.seconds = time.perf_counter() - started
    return outcome


# --- worker processes ----------------------------------------------------------------------

_SLOT = ProgressSlot()


def init_worker(slots, log_path: str | None, show_cells: bool, warm: tuple[str, str] | None = None) -> None:
    """Process-pool initializer: take a progress-bar row; send the kernels' stderr to the log;
    start this worker's kept kernel for `warm` = (working directory, imports), which imports
    while the worker takes its first task (`kernels.KernelSession.warm`).

    Kernels inherit file descriptor 2 of the worker; their start-up chatter goes to
    `log_path` while the worker's own bars still reach the terminal.
    """
    with slots.get_lock():
        row = slots.value
        slots.value += 1
    _SLOT.position = row + 1 if show_cells else None
    if log_path:
        terminal = os.dup(2)
        log = os.open(log_path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
        os.dup2(log, 2)
        os.close(log)
        sys.stderr = os.fdopen(terminal, "w", buffering=1, encoding="utf-8", errors="replace")
    if warm is not None:
        try:
            kernels.session(warm[0], warm=warm[1])
        except Exception:  # a kernel that cannot start now fails the first job that needs it, with its error
            pass
    # What the worker inherited from the build (its imports, the kernel's client) lives as long as the
    # worker: frozen, the cyclic collector's full passes during the shared inputs and the side tasks
    # skip those objects instead of walking all of them each time.
    gc.collect()
    gc.freeze()


def run_in_worker(job: Job) -> Outcome:
    return run_job(job, _SLOT)
