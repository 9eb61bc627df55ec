"""The run of a dump import, the same for every platform (`gospub import vk`, `gospub import ok`).

A `Reader` names the platform's parts: how its files are read (`responses_of`), the rows
a response becomes (`consume` into its `Tables`), and its `Platform` for the tables.
`import_dump` reads the files (two processes for large dumps), stops the run when a file
fails (unless `skip_bad_files`), builds the tables (`dump_frames`) and merges them into
the dataset, counting every record. Large dumps are read by two processes, each taking a
contiguous half of the files; the rows are joined in file order, so the result is the
same bytes either way. Rows with a number out of range (`dump_rows.Tables.packed`) are
quarantined by the process that read them, each with its record as read (`Reader.record`).
"""

from __future__ import annotations

import gc
import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Callable

from .dump import LOCAL, dump_files
from .dump_frames import Origins, Platform, frames
from .dump_rows import RECORD_TYPE, Packed, Tables
from .merge import count_merged, existing, write_import
from .pseudonym import Pseudonymizer
from .report import ImportFileError, ImportReport

RECORD_TYPES = {"posts": "post", "comments": "comment", "wall_messages": "comment", "snapshots": "group",
                "communities": "group"}


@dataclass(frozen=True)
class Reader:
    """One platform's way of turning dump files into rows (module docstring); picklable."""
    command: str  # "import vk"
    platform: Platform
    responses_of: Callable  # (path, index, as_of, refused) -> (responses, sha256)
    tables: Callable[[], Tables]
    consume: Callable  # (response, tables, pseudonymize, report) -> None
    settle: Callable | None = None  # (packed, dataset, report, pseudonymize) -> packed: rows needing the whole run
    record: Callable | None = None  # (response, table, item, sub, pseudonymize) -> the scrubbed record of a row


def _read_files(reader: Reader, files: list[tuple[int, Path]], as_of_time: datetime | None, skip_bad_files: bool,
                pseudonymize: Pseudonymizer) -> tuple[Packed, ImportReport, dict[Path, str]]:
    """Parse and turn into rows a run of files (in one process); a bad file contributes nothing."""
    report = ImportReport(reader.command)
    tables = reader.tables()
    digests: dict[Path, str] = {}
    refused: dict[str, int] = {}
    with _gc_paused():
        for index, path in files:
            try:
                responses, digest = reader.responses_of(path, index, as_of_time, refused)  # the whole file, or nothing
            except ImportFileError as exc:
                report.fail_file(exc)
                continue
            digests[path] = digest
            if report.failed_files and not skip_bad_files:
                continue  # the run will fail: only check the remaining files
            for resp in responses:
                reader.consume(resp, tables, pseudonymize, report)
        if refused:
            report.notes["refused_responses"] = refused
        packed = tables.packed()
        if tables.set_aside:
            _quarantine_set_aside(reader, tables, as_of_time, report, pseudonymize)
        del tables  # before the collector is back: its first pass would scan every row tuple (half a second)
    return packed, report, digests


def _quarantine_set_aside(reader: Reader, tables: Tables, as_of_time: datetime | None, report: ImportReport,
                          pseudonymize: Pseudonymizer) -> None:
    """Quarantine the records whose rows `Tables.packed` left out (a number out of range), each with its
    scrubbed copy: the few files they come from are read again, as the run read them."""
    by_file: dict[str, list] = {}
    for row in tables.set_aside:
        by_file.setdefault(tables.origin[row[1]][0], []).append(row)
    for file, rows in by_file.items():
        try:
            responses, _ = reader.responses_of(Path(file), tables.order[rows[0][1]][1], as_of_time, {})
        except ImportFileError:  # changed since it was read: the reason and the origin still say it all
            responses = None
        for table, seq, item, sub, reason in rows:
            resp = responses[tables.order[seq][2]] if responses is not None else None
            raw = reader.record(resp, table, item, sub, pseudonymize) if resp is not None and reader.record else None
            report.quarantine(file, f"{tables.origin[seq][1]}, {reader.platform.position(table, item, sub)}",
                              RECORD_TYPE[table], reason, raw)


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


def _read_parallel(reader: Reader, files: list[Path], as_of_time, skip_bad_files, pseudonymize,
                   parallel_min_bytes: int):
    """_read_files over contiguous halves of the files in two processes, joined in file order."""
    indexed = list(enumerate(files))
    sizes = [p.stat().st_size for p in files]
    workers = min(2, os.cpu_count() or 1)
    if workers < 2 or sum(sizes) < parallel_min_bytes:
        return [_read_files(reader, indexed, as_of_time, skip_bad_files, pseudonymize)]
    half, total, cut = 0, sum(sizes) / 2, len(files)
    for i, size in enumerate(sizes):
        half += size
        if half >= total:
            cut = i + 1
            break
    context = multiprocessing.get_context("fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn")
    with ProcessPoolExecutor(max_workers=2, mp_context=context) as pool:
        second = pool.submit(_read_files, reader, indexed[cut:], as_of_time, skip_bad_files, pseudonymize)
        first = _read_files(reader, indexed[:cut], as_of_time, skip_bad_files, pseudonymize)
        return [first, second.result()]


def _join(parts, report: ImportReport) -> tuple[Packed, dict[Path, str]]:
    digests = {}
    for _, part_report, part_digests in parts:
        report.absorb(part_report)
        digests.update(part_digests)
    return Packed.join([part for part, _, _ in parts]), digests


def import_dump(reader: Reader, dump_dir: Path | str, out_dir: Path | str, as_of: date | None, skip_bad_files: bool,
                pseudonymize: Pseudonymizer | None, parallel_min_bytes: int,
                notes: dict | None = None) -> ImportReport:
    """Import every response under `dump_dir` into the dataset folder `out_dir` (module docstring)."""
    dump_dir, out_dir = Path(dump_dir), Path(out_dir)
    report = ImportReport(reader.command)
    report.notes["skip_bad_files"] = skip_bad_files
    report.notes.update(notes or {})
    pseudonymize = pseudonymize or Pseudonymizer()
    as_of_time = datetime(as_of.year, as_of.month, as_of.day, 12, tzinfo=LOCAL).astimezone(timezone.utc) \
        if as_of else None
    files = dump_files(dump_dir)
    tables, good_files = _join(_read_parallel(reader, files, as_of_time, skip_bad_files, pseudonymize,
                                              parallel_min_bytes), report)
    report.files_read = len(files)
    if report.failed_files and not skip_bad_files:
        report.refuse(out_dir)
    old = existing(out_dir)
    if reader.settle is not None:
        tables = reader.settle(tables, old, report, pseudonymize)
    new = frames(tables, old, report, reader.platform)
    for table, rtype in (("posts", "post"), ("comments", "comment")):
        report.imported(rtype, len(new[table]))
        count_merged(table, new[table], old, report, rtype)
    walls = new["wall_messages"]
    for kind, rtype in (("post", "wall_post"), ("comment", "comment")):
        part = walls[walls["kind"] == kind]
        report.imported(rtype, len(part))
        count_merged("wall_messages", part, old, report, rtype)
    report.notes["responses"] = dict(sorted(tables.kinds.items()))
    write_import(out_dir, new, report, importer=reader.platform.code, sources=good_files, inputs=files,
                 origin=Origins(tables, reader.platform), old=old, record_types=RECORD_TYPES)
    return report
