"""Replacing a built report folder in one step, and naming the folder of a failed build.

Shared by the yearly build (`build`) and the weekly build (`weekly_build`): a report is
built in a hidden folder next to its target, on the same file system, and swapped in
whole, so a reader never sees half a report; a failed build is kept aside under a new
name for inspection.
"""

from __future__ import annotations

import ctypes
import os
import shutil
from pathlib import Path


def swap_in(new: Path, target: Path) -> None:
    """Make `new` the folder `target`, removing the old one.

    On Linux both folders are exchanged in one renameat2(RENAME_EXCHANGE) call, so readers
    always see a complete report; elsewhere two renames leave a moment without one.
    """
    if not target.exists():
        os.replace(new, target)
        return
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        # renameat2(AT_FDCWD, new, AT_FDCWD, target, RENAME_EXCHANGE)
        exchanged = libc.renameat2(-100, os.fsencode(new), -100, os.fsencode(target), 2) == 0
    except (AttributeError, OSError):
        exchanged = False
    if exchanged:
        shutil.rmtree(new)
        return
    old = target.with_name(f".{target.name}.old-{os.getpid()}")
    os.replace(target, old)
    os.replace(new, target)
    shutil.rmtree(old)


def kept_name(reports_dir: Path, name: object, stamp: str) -> Path:
    """A new folder name for a failed build: <reports_dir>/<name>.failed-<time>[-n]."""
    kept, n = reports_dir / f"{name}.failed-{stamp}", 1
    while kept.exists():
        n += 1
        kept = reports_dir / f"{name}.failed-{stamp}-{n}"
    return kept
