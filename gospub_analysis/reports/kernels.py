"""Kernels a worker process keeps for its notebook runs, and the papermill engine that uses them.

Starting a kernel and importing pandas, matplotlib and the package cost about as much as
a municipality notebook itself, and papermill, given a kernel manager, still opens a new
client per run and waits for it to be ready (at least 0.2 s: it drains the kernel's
messages until none arrives for that long), twice per run with a reset before it.
A `KernelSession` is one kernel with one client, kept for every run of a worker in one
working directory:

* `warm(code)` sends the imports the build's notebooks need (`notebook_imports`) and the
  recording of the fresh state (`kernel_state.snapshot`), without waiting: the kernel
  imports while its worker computes the shared inputs or another task;
* `reset()`, before every run, clears the namespace (`%reset -f` in a new history
  session, so the execution count starts again at 1) and restores what a notebook may have changed outside it (`kernel_state.restore`),
  so a run sees only its parameters and computes and shows what it would in a fresh
  kernel; imported modules stay loaded;
* the papermill engine `KEPT_KERNEL_ENGINE` executes a notebook through the session's
  client: papermill still parameterises, records cell timings and marks a failing cell;
  like `OWN_KERNEL_ENGINE` (a kernel of the run's own) it gives the injected parameters cell a
  stable id (`stable_injected_id`), so that the same inputs make the same executed notebook;
* the kernel keeps no SQLite input history (`KERNEL_ARGUMENTS`), which cost each reset a
  commit to the history file every kernel of the machine shares.

`session(cwd)` gives the worker's session for `cwd`, starting it on first use and
replacing it when the kernel died or does not answer the reset.
"""

from __future__ import annotations

import ast
import logging
import os
from pathlib import Path

import nbformat
from jupyter_core.utils import run_sync
from papermill.clientwrap import PapermillNotebookClient
from papermill.engines import NBClientEngine, papermill_engines

from ..config import KERNEL_NAME

KEPT_KERNEL_ENGINE = "gospub-kept-kernel"
OWN_KERNEL_ENGINE = "gospub-own-kernel"
INJECTED_TAG = "injected-parameters"
STATE = "gospub_analysis.reports.kernel_state"
# What `%reset -f` does, in a new history session (as a fresh kernel has): the execution
# count starts again at 1 without colliding with the history already written.
RESET = f"get_ipython().reset(new_session=True)\n__import__({STATE!r}, fromlist=['restore']).restore()"
SNAPSHOT = f"__import__({STATE!r}, fromlist=['snapshot']).snapshot()"
READY_TIMEOUT = 120  # a kernel busy with its warm-up imports answers after them
RESET_TIMEOUT = 120
# No input history in SQLite: every cell of every run (and every reset's new session) would be
# written and committed to the one history file all kernels of the machine share; a report's
# notebooks never read it, and the execution counts do not depend on it.
KERNEL_ARGUMENTS = ["--HistoryManager.enabled=False"]
logger = logging.getLogger("papermill")


class KernelError(RuntimeError):
    """A kept kernel did not start, or did not run the build's own code."""


class KernelSession:
    """One kernel of this process with one client, reused by every run in `cwd`."""

    def __init__(self, cwd: Path | str, kernel_name: str = KERNEL_NAME, warm: str = ""):
        from jupyter_client.manager import AsyncKernelManager

        self.cwd = str(cwd)
        self.km = AsyncKernelManager(kernel_name=kernel_name)
        run_sync(self.km.start_kernel)(cwd=self.cwd, extra_arguments=KERNEL_ARGUMENTS)
        self.kc = self.km.client()
        self.kc.start_channels()
        self.kc.allow_stdin = False
        self.runs = 0
        self._ready = False
        self.warm(warm)  # a fresh kernel's state is recorded even when no imports are given

    def ready(self) -> None:
        """Wait until the kernel answers and its messages reach this client (once)."""
        if not self._ready:
            run_sync(self.kc.wait_for_ready)(timeout=READY_TIMEOUT)
            self._ready = True

    def run(self, code: str, timeout: float = RESET_TIMEOUT) -> None:
        """Execute the build's own `code` (not a notebook's); raise `KernelError` when it fails."""
        self.ready()
        errors: list[str] = []

        def hook(msg):
            if msg["msg_type"] == "error":
                errors.append(f"{msg['content']['ename']}: {msg['content']['evalue']}")

        reply = run_sync(self.kc.execute_interactive)(code, store_history=False, timeout=timeout,
                                                      output_hook=hook, allow_stdin=False)
        if reply["content"]["status"] != "ok":
            raise KernelError(f"the kept kernel failed to run {code.splitlines()[0]!r}: {'; '.join(errors)}")

    def warm(self, code: str = "") -> None:
        """Send the imports the notebooks need and the snapshot of the fresh state the resets
        return to, without waiting: the kernel runs them (as soon as it is up) while this
        process does other work; the next request to the kernel queues behind them."""
        self.kc.execute(f"{code}\n{SNAPSHOT}" if code else SNAPSHOT, store_history=False, allow_stdin=False)

    def reset(self) -> None:
        self.run(RESET)

    def alive(self) -> bool:
        return bool(run_sync(self.km.is_alive)())

    def shutdown(self) -> None:
        try:
            self.kc.stop_channels()
        finally:
            run_sync(self.km.shutdown_kernel)(now=True)


_SESSIONS: dict[str, KernelSession] = {}  # working directory -> this process's session
_AT_EXIT: list = []
_OWNER = [os.getpid()]


def session(cwd: Path | str, warm: str = "") -> KernelSession:
    """This process's kernel for `cwd`: started on first use, reset before every later use;
    `warm`: imports to send it (see `KernelSession.warm`)."""
    from multiprocessing.util import Finalize

    if _OWNER[0] != os.getpid():  # a forked worker: its parent's kernels are not its own
        _SESSIONS.clear()
        _AT_EXIT.clear()
        _OWNER[0] = os.getpid()
    key = str(cwd)
    kept = _SESSIONS.get(key)
    if kept is not None:
        try:
            if kept.alive():
                kept.reset()
                if warm:
                    kept.warm(warm)
                return kept
        except Exception:  # a kernel that does not answer is replaced, not trusted
            pass
        close(key)
    if not _AT_EXIT:
        # Shut the kernels down when this (worker) process exits. Not tied to a session: a
        # replaced session, when collected, must not close the one that replaced it.
        _AT_EXIT.append(Finalize(None, close_all, exitpriority=10))
    fresh = KernelSession(key, warm=warm)
    _SESSIONS[key] = fresh
    return fresh


def started(cwd: Path | str) -> bool:
    return str(cwd) in _SESSIONS


def close(key: str) -> None:
    kept = _SESSIONS.pop(str(key), None)
    if kept is not None:
        try:
            kept.shutdown()
        except Exception:  # already gone
            pass


def close_all() -> None:
    for key in list(_SESSIONS):
        close(key)


def stable_injected_id(nb):
    """`nb` with the id of the cell papermill injected (tagged `injected-parameters`) set to that tag
    (followed by -1, -2, ... should the notebook have a cell of that id already), not the random id
    papermill's `nbformat.v4.new_code_cell` gives it: otherwise every executed notebook of a build
    differs from the last build's in that id alone. The other cells keep their notebook's ids."""
    injected = [c for c in nb.cells if INJECTED_TAG in c.get("metadata", {}).get("tags", [])]
    taken = {c.get("id") for c in nb.cells if not any(c is i for i in injected)}
    for cell in injected:
        cell_id, n = INJECTED_TAG, 0
        while cell_id in taken:
            n += 1
            cell_id = f"{INJECTED_TAG}-{n}"
        cell["id"] = cell_id
        taken.add(cell_id)
    return nb


class OwnKernelEngine(NBClientEngine):
    """papermill's nbclient engine (a kernel of the run's own), the injected cell's id made stable
    (`stable_injected_id`) before papermill first writes the notebook."""

    @classmethod
    def execute_notebook(cls, nb, kernel_name, **kwargs):
        return super().execute_notebook(stable_injected_id(nb), kernel_name, **kwargs)


class KeptKernelEngine(OwnKernelEngine):
    """papermill's nbclient engine, run through a `KernelSession`'s kernel and client."""

    @classmethod
    def execute_managed_notebook(cls, nb_man, kernel_name, log_output=False, stdout_file=None, stderr_file=None,
                                 start_timeout=60, execution_timeout=None, session=None, **kwargs):
        if session is None:
            raise TypeError(f"the {KEPT_KERNEL_ENGINE} engine needs session=<KernelSession>")
        client = PapermillNotebookClient(
            nb_man, km=session.km, kernel_name=kernel_name, log=logger, log_output=log_output,
            stdout_file=stdout_file, stderr_file=stderr_file, startup_timeout=start_timeout,
            timeout=execution_timeout,
        )
        session.ready()
        client.kc = session.kc  # nbclient opens a client of its own only when it has none
        session.runs += 1
        return client.execute()


papermill_engines.register(KEPT_KERNEL_ENGINE, KeptKernelEngine)
papermill_engines.register(OWN_KERNEL_ENGINE, OwnKernelEngine)


def notebook_imports(notebooks) -> str:
    """The import statements of the notebooks' code cells, each once, in the order met.

    Run in a kept kernel before the first notebook, so that no run pays the imports; the
    reset before each run removes the names they bound."""
    seen: dict[str, None] = {}
    for path in dict.fromkeys(Path(p) for p in notebooks):
        for cell in nbformat.read(path, as_version=4).cells:
            if cell.cell_type != "code":
                continue
            try:
                tree = ast.parse(cell.source)
            except SyntaxError:  # magics: the notebook will say so when it runs
                continue
            for node in tree.body:
                if isinstance(node, (ast.Import, ast.ImportFrom)) and not getattr(node, "level", 0):
                    seen.setdefault(ast.unparse(node))
    # One failing import (the notebook will report it) must not keep the others from loading.
    return "\n".join(f"try:\n    {statement}\nexcept Exception:\n    pass" for statement in seen)
