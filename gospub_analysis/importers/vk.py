"""`gospub import vk`: raw VK API responses (API 5.x) into the canonical dataset: the run and its account.

What a dump holds and how each response is recognised: `vk_shapes`; the rows of posts,
residents' wall posts, comments and groups: `vk_rows`; the tables built from them:
`vk_frames`. This module reads the files (two processes for large dumps), stops the run
when a file fails (unless `skip_bad_files`), and merges the tables into the dataset.

A response is dated by `--as-of`, else its `fetched_at`, else a YYYY-MM-DD date in its
path, else the file's modification date; the newest response wins when records repeat
(a pinned post on every page counts once). Pages seen only on walls are named «club<id>»
until a groups.getById response names them. The manifest lists every file of the dump
that contributed, with its SHA-256.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from datetime import date, datetime, timezone
from pathlib import Path

from .merge import count_merged, existing, write_import
from .pseudonym import Pseudonymizer
from .report import ImportFileError, ImportReport
from .vk_frames import Origins, frames
from .vk_rows import Packed, Tables, consume
from .vk_shapes import LOCAL, dump_files, responses_of

PARALLEL_MIN_BYTES = 32 << 20  # below this a second process costs more than it saves


def _read_files(files: list[tuple[int, Path]], as_of_time: datetime | None, skip_bad_files: bool,
                pseudonymize: Pseudonymizer) -> tuple[Packed, ImportReport, dict[Path, str]]:
    """Parse and turn into rows a run of files (in one process); a bad file contributes nothing."""
    report = ImportReport("import vk")
    tables = Tables()
    digests: dict[Path, str] = {}
    refused: dict[str, int] = {}
    with _gc_paused():
        for index, path in files:
            try:
                responses, digest = responses_of(path, index, as_of_time, refused)  # the whole file, or nothing
            except ImportFileError as exc:
                report.fail_file(exc)
                continue
            digests[path] = digest
            if report.failed_files and not skip_bad_files:
                continue  # the run will fail: only check the remaining files
            for resp in responses:
                consume(resp, tables, pseudonymize, report)
        if refused:
            report.notes["refused_responses"] = refused
        return tables.packed(), report, digests


@contextmanager
def _gc_paused():
    """Parsing makes millions of small dicts and lists, none in a reference cycle; the cyclic
    collector would scan them again and again (a third of the reading time) for nothing."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _read_parallel(files: list[Path], as_of_time, skip_bad_files, pseudonymize):
    """_read_files over contiguous halves of the files in two processes, joined in file order."""
    indexed = list(enumerate(files))
    sizes = [p.stat().st_size for p in files]
    workers = min(2, os.cpu_count() or 1)
    if workers < 2 or sum(sizes) < PARALLEL_MIN_BYTES:
        return [_read_files(indexed, as_of_time, skip_bad_files, pseudonymize)]
    half, total, cut = 0, sum(sizes) / 2, len(files)
    for i, size in enumerate(sizes):
        half += size
        if half >= total:
            cut = i + 1
            break
    context = multiprocessing.get_context("fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn")
    with ProcessPoolExecutor(max_workers=2, mp_context=context) as pool:
        second = pool.submit(_read_files, indexed[cut:], as_of_time, skip_bad_files, pseudonymize)
        first = _read_files(indexed[:cut], as_of_time, skip_bad_files, pseudonymize)
        return [first, second.result()]


def _join(parts, report: ImportReport) -> tuple[Packed, dict[Path, str]]:
    digests = {}
    for _, part_report, part_digests in parts:
        report.absorb(part_report)
        digests.update(part_digests)
    return Packed.join([part for part, _, _ in parts]), digests


RECORD_TYPES = {"posts": "post", "comments": "comment", "wall_messages": "comment", "snapshots": "group",
                "communities": "group"}


def import_vk(dump_dir: Path | str, out_dir: Path | str, as_of: date | None = None, skip_bad_files: bool = False,
              pseudonymize: Pseudonymizer | None = None) -> ImportReport:
    """Import every VK API response under `dump_dir` into the dataset folder `out_dir`.

    Large dumps are read by two processes, each taking a contiguous half of the files;
    the rows are joined in file order, so the result is the same bytes either way.
    """
    dump_dir, out_dir = Path(dump_dir), Path(out_dir)
    report = ImportReport("import vk")
    report.notes["skip_bad_files"] = skip_bad_files
    pseudonymize = pseudonymize or Pseudonymizer()
    as_of_time = datetime(as_of.year, as_of.month, as_of.day, 12, tzinfo=LOCAL).astimezone(timezone.utc) \
        if as_of else None
    files = dump_files(dump_dir)
    tables, good_files = _join(_read_parallel(files, as_of_time, skip_bad_files, pseudonymize), report)
    report.files_read = len(files)
    if report.failed_files and not skip_bad_files:
        report.refuse(out_dir)
    old = existing(out_dir)
    new = frames(tables, old, report)
    for table, rtype in (("posts", "post"), ("comments", "comment")):
        report.imported(rtype, len(new[table]))
        count_merged(table, new[table], old, report, rtype)
    walls = new["wall_messages"]
    for kind, rtype in (("post", "wall_post"), ("comment", "comment")):
        part = walls[walls["kind"] == kind]
        report.imported(rtype, len(part))
        count_merged("wall_messages", part, old, report, rtype)
    report.notes["responses"] = dict(sorted(tables.kinds.items()))
    write_import(out_dir, new, report, importer="vk", sources=good_files, inputs=files, origin=Origins(tables),
                 old=old, record_types=RECORD_TYPES)
    return report
