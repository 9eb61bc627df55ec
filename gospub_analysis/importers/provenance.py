"""Where imported data came from: every input file, named relative to the dataset folder.

The manifest's `provenance.sources` lists each file that contributed to the dataset,
one entry per file and content: `path` (relative to the dataset folder), `sha256` and
`importer` (vk, monitoring, telegram, awards). The quarantine names files the same way,
so a set-aside record can be found in the manifest.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def relative(path: Path | str, out_dir: Path | str) -> str:
    """`path` relative to the dataset folder, with forward slashes (names like '<...>' kept as they are)."""
    text = str(path)
    if text.startswith("<"):
        return text
    return Path(os.path.relpath(os.path.abspath(text), os.path.abspath(out_dir))).as_posix()


def relative_all(paths: list[Path | str], out_dir: Path | str) -> list[str]:
    """`relative` of many paths at once: one relpath for their common folder (a dump has thousands of files)."""
    names = [str(p) for p in paths]
    plain = [n for n in names if not n.startswith("<")]
    dotted = os.sep + "."
    if len(plain) < 2 or any(dotted in n or n.startswith(".") for n in plain):
        return [relative(n, out_dir) for n in names]  # few names, or names to normalise one by one
    if len({n.startswith(os.sep) for n in plain}) > 1:  # absolute and relative names mixed
        return [relative(n, out_dir) for n in names]
    prefix = os.path.commonprefix(plain)  # by characters (fast): cut back to a whole folder
    root = prefix[:prefix.rfind(os.sep)] if os.sep in prefix else ""
    if prefix.startswith(os.sep) and not root:
        root = os.sep
    base = relative(root or ".", out_dir)
    prefix = "" if base == "." else base + "/"
    cut = len(root.rstrip(os.sep)) + 1 if root else 0
    return [n if n.startswith("<") else prefix + n[cut:].replace(os.sep, "/") for n in names]


def source_entries(files: dict[Path, str | None], out_dir: Path | str, importer: str) -> list[dict]:
    """One manifest entry per file; `files` maps each file to its SHA-256 when already known."""
    ordered = sorted(files.items(), key=lambda item: str(item[0]))
    return [{"path": path, "sha256": digest or file_sha256(file), "importer": importer}
            for path, (file, digest) in zip(relative_all([f for f, _ in ordered], out_dir), ordered)]


def merged_sources(known: list[dict], new: list[dict]) -> list[dict]:
    """The manifest's sources after an import: one entry per (path, sha256), sorted; a file imported again
    with the same content keeps one entry, a changed file gets a second."""
    by_key = {(s["path"], s["sha256"]): s for s in [*known, *new]}
    return [by_key[key] for key in sorted(by_key)]
