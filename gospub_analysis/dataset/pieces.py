"""A table written piece by piece into its one Parquet file, the pieces made in worker processes.

A country's posts do not fit in memory with their texts: the generator hands `write_dataset` the
table as pieces of whole pages, one after another, each a DataFrame or a function that makes one
(the piece's texts drawn from its own stream). Each piece is cast and checked
(`validation.check_piece`), turned into an Arrow table and written as the next row groups of the
file; the values of its key's first column must not come back from the pieces before
(`validation.piece_values`, in order); `validation.pieces_done` checks the rest after the last.

With `processes` > 1, up to `processes` pieces are made, checked and turned into Arrow at once in
forked worker processes (a fork sees this process's memory as it was: the parts of the table, the
other tables, with no copy), each handing its Arrow table back through files in shared memory
(`/dev/shm`, a file a column so each keeps its chunks, read through memory maps: no copy either), while this process writes the pieces in
order (the Parquet encoding and zstd). The bytes are the same whatever the number of processes:
each piece is made by the same code from the same inputs, wherever it runs, and the one writer
writes them in order with the first piece's schema.
"""

from __future__ import annotations

import multiprocessing
import shutil
import tempfile
import traceback
from collections import deque
from pathlib import Path
from typing import Callable, Iterable, Iterator, Union

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from ..schema import TABLES, Table, empty_table
from .validation import check_piece, piece_values, pieces_done, validate_tables

Piece = Union[pd.DataFrame, Callable[[], pd.DataFrame]]
SHARED_MEMORY = Path("/dev/shm")  # where workers leave their pieces (a temporary folder when absent)


def columns(name: str, frame: pd.DataFrame) -> pd.DataFrame:
    """The table's declared columns first, then any others; a fresh 0..n index."""
    spec: Table = TABLES[name]
    return frame[spec.column_names + [c for c in frame.columns if c not in spec.column_names]].reset_index(drop=True)


def write_pieces(file: Path, name: str, pieces: Iterable[Piece], tables: dict[str, pd.DataFrame],
                 path: Path | str, processes: int = 1,
                 written: Callable[[int], None] | None = None) -> int:
    """Validate and write the pieces of table `name` into `file` (as `DataFrame.to_parquet` writes a whole
    frame: the pandas schema of the first piece, default row groups); the rows written. `tables`: the
    other tables, cast; `written(k)` is called once piece k is in the file. A piece that fails removes
    the file and raises."""
    writer, seen, rows = None, set(), 0
    try:
        for k, (table, values) in enumerate(_tables(name, pieces, tables, path, processes)):
            piece_values(name, values, seen, table.to_pandas, path)
            if writer is None:
                writer = pq.ParquetWriter(file, table.schema, compression="zstd")
            elif not table.schema.equals(writer.schema):  # a piece's types inferred otherwise (an all-null column)
                table = table.cast(writer.schema)
            writer.write_table(table)
            rows += table.num_rows
            del table
            if written is not None:
                written(k)
        if writer is None:  # no piece: the empty table
            columns(name, validate_tables({name: empty_table(name)}, path, names=[name])[name]).to_parquet(
                file, index=False, compression="zstd")
        pieces_done(name, tables, seen, path)
    except BaseException:
        if writer is not None:
            writer.close()
            writer = None
        file.unlink(missing_ok=True)
        raise
    finally:
        if writer is not None:
            writer.close()
    return rows


def _made(name: str, piece: Piece, tables: dict[str, pd.DataFrame], path: Path | str) -> tuple[pa.Table, set]:
    """The piece made (if a function), checked, in the table's columns, as Arrow; its key's first values."""
    frame, values = check_piece(name, piece() if callable(piece) else piece, tables, path)
    return pa.Table.from_pandas(columns(name, frame), preserve_index=False), values


def _tables(name: str, pieces: Iterable[Piece], tables: dict[str, pd.DataFrame], path: Path | str,
            processes: int) -> Iterator[tuple[pa.Table, set]]:
    """The pieces as Arrow tables in order: made here one at a time, or by up to `processes` workers."""
    if processes <= 1:
        for piece in pieces:
            yield _made(name, piece, tables, path)
        return
    context = multiprocessing.get_context("fork")
    source, running = iter(pieces), deque()

    def start() -> None:
        for piece in source:  # at most one
            running.append(_Worker(context, name, piece, tables, path))
            return

    try:
        for _ in range(processes):
            start()
        while running:
            worker = running.popleft()
            result = worker.result()
            start()  # the next piece is made while this one is written
            yield result
            del result
    finally:
        for worker in running:
            worker.cancel()


class _Worker:
    """One piece made in a forked process; its Arrow table comes back through files in shared memory, one
    a column, so that each column keeps its chunks (the Parquet pages follow them: the same bytes as a
    piece made here)."""

    def __init__(self, context, name: str, piece: Piece, tables: dict[str, pd.DataFrame], path: Path | str):
        self.folder = Path(tempfile.mkdtemp(prefix="gospub-piece-", dir=SHARED_MEMORY if SHARED_MEMORY.is_dir() else None))
        self.name = name
        self.receive, send = context.Pipe(duplex=False)
        self.process = context.Process(target=_work, args=(send, self.folder, name, piece, tables, path), daemon=True)
        self.process.start()
        send.close()

    def result(self) -> tuple[pa.Table, set]:
        try:
            status, payload = self.receive.recv()
        except EOFError:
            status, payload = "died", None
        self.process.join()
        self.receive.close()
        try:
            if status == "ok":
                schema, values = payload
                # read through memory maps: the mappings keep the bytes once the files are removed
                chunks = [pa.ipc.open_file(pa.memory_map(str(self.folder / f"{i}.arrow"))).read_all().column(0)
                          for i in range(len(schema))]
                return pa.Table.from_arrays(chunks, schema=schema), values
            if status == "error":
                raise payload
            raise RuntimeError(f"the worker process making a piece of {self.name} stopped "
                               f"(exit code {self.process.exitcode})")
        finally:
            shutil.rmtree(self.folder, ignore_errors=True)

    def cancel(self) -> None:
        if self.process.is_alive():
            self.process.kill()
        self.process.join()
        self.receive.close()
        shutil.rmtree(self.folder, ignore_errors=True)


def _work(send, folder: Path, name: str, piece: Piece, tables: dict[str, pd.DataFrame], path: Path | str) -> None:
    """In the worker: make and check the piece, write each column (its chunks as record batches) as an Arrow
    IPC file, send the schema and the values, or the error."""
    try:
        table, values = _made(name, piece, tables, path)
        for i, field in enumerate(table.schema):
            schema = pa.schema([field])
            with pa.OSFile(str(folder / f"{i}.arrow"), "wb") as sink, pa.ipc.new_file(sink, schema) as writer:
                for chunk in table.column(i).chunks:
                    writer.write_batch(pa.record_batch([chunk], schema=schema))
        send.send(("ok", (table.schema, values)))
    except BaseException as exc:  # noqa: BLE001 - every failure goes back to the parent, which raises it
        try:
            send.send(("error", exc))
        except Exception:  # noqa: BLE001 - an exception that does not pickle: its traceback as text
            send.send(("error", RuntimeError(traceback.format_exc())))
    finally:
        send.close()
