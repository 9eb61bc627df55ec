"""`write_dataset(pieces=...)`: a table written piece by piece (a country's posts, page by page) reads
back as the whole table, one piece writes the whole frame's bytes, and each piece is validated as
the whole table would be (a page split across pieces, a comment whose post no piece has), whether
the pieces are made here or in worker processes (`processes`), with the same bytes."""

from __future__ import annotations

import filecmp
import os

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from gospub_analysis import DatasetError, load_dataset, write_dataset
from gospub_analysis.dataset import pieces as pieces_module
from gospub_analysis.schema import TABLES

PROCESSES = [1, 2]


@pytest.fixture(scope="module")
def small(small_dataset_dir):
    return load_dataset(small_dataset_dir)


def _without_posts(ds) -> dict[str, pd.DataFrame]:
    return {name: frame for name, frame in ds.tables.items() if name != "posts"}


def _by_pages(posts: pd.DataFrame, n: int) -> list[pd.DataFrame]:
    """`posts` in `n` pieces of whole pages, in the table's order."""
    page = pd.factorize(posts["community_id"])[0]
    cut = np.array_split(np.arange(page.max() + 1), n)
    return [posts[np.isin(page, group)] for group in cut]


def test_one_piece_writes_the_bytes_of_the_whole_frame(small, tmp_path):
    write_dataset(tmp_path / "whole", small.tables, small.manifest)
    write_dataset(tmp_path / "piece", _without_posts(small), small.manifest, pieces={"posts": [small.posts]})
    names = [f"{name}.parquet" for name in TABLES] + ["manifest.json"]
    match, mismatch, errors = filecmp.cmpfiles(tmp_path / "whole", tmp_path / "piece", names, shallow=False)
    assert mismatch == [] and errors == [] and len(match) == len(names)


@pytest.mark.parametrize("processes", PROCESSES)
def test_pieces_of_whole_pages_read_back_as_the_whole_table(small, tmp_path, processes):
    pieces = _by_pages(small.posts, 3)
    assert all(len(p) for p in pieces)
    path = write_dataset(tmp_path / "pieces", _without_posts(small), small.manifest, pieces={"posts": iter(pieces)},
                         processes=processes)
    assert pq.ParquetFile(path / "posts.parquet").metadata.num_row_groups == 3
    again = load_dataset(path)
    for name in TABLES:
        pd.testing.assert_frame_equal(again.tables[name].reset_index(drop=True),
                                      small.tables[name].reset_index(drop=True))
    assert again.manifest == small.manifest


@pytest.mark.parametrize("processes", PROCESSES)
def test_a_page_split_across_pieces_is_refused(small, tmp_path, processes):
    posts = small.posts
    quiet = posts["community_id"][~posts["community_id"].isin(small.comments["community_id"])]
    split = int(quiet.index[0]) + int((posts["community_id"] == quiet.iloc[0]).sum()) // 2
    assert split > quiet.index[0]  # a page without comments, its posts in two pieces
    with pytest.raises(DatasetError, match="come back in a later piece"):
        write_dataset(tmp_path / "split", _without_posts(small), small.manifest,
                      pieces={"posts": [posts.iloc[:split], posts.iloc[split:]]}, processes=processes)
    assert not (tmp_path / "split" / "posts.parquet").exists()


@pytest.mark.parametrize("processes", PROCESSES)
def test_a_comment_whose_post_is_not_in_its_page_piece_is_refused(small, tmp_path, processes):
    commented = small.comments[["community_id", "post_id"]].iloc[0]
    posts = small.posts
    gone = (posts["community_id"] == commented["community_id"]) & (posts["post_id"] == commented["post_id"])
    assert gone.sum() == 1
    with pytest.raises(DatasetError, match="rows refer to posts that do not exist"):
        write_dataset(tmp_path / "gone", _without_posts(small), small.manifest,
                      pieces={"posts": _by_pages(posts[~gone], 2)}, processes=processes)


@pytest.mark.parametrize("processes", PROCESSES)
def test_comments_of_a_page_no_piece_has_are_refused(small, tmp_path, processes):
    page = small.comments["community_id"].iloc[-1]  # a page with comments, its posts in no piece
    posts = small.posts[small.posts["community_id"] != page]
    with pytest.raises(DatasetError, match=r"comments.*rows refer to posts that do not exist") as info:
        write_dataset(tmp_path / "none", _without_posts(small), small.manifest, pieces={"posts": _by_pages(posts, 2)},
                      processes=processes)
    assert page in str(info.value)
    assert not (tmp_path / "none" / "posts.parquet").exists()


@pytest.mark.parametrize("processes", PROCESSES)
def test_a_piece_of_the_wrong_type_is_refused(small, tmp_path, processes):
    pieces = _by_pages(small.posts, 2)
    pieces[1] = pieces[1].assign(likes=pieces[1]["likes"].astype(str))
    with pytest.raises(DatasetError, match="likes"):
        write_dataset(tmp_path / "bad", _without_posts(small), small.manifest, pieces={"posts": pieces},
                      processes=processes)
    assert not (tmp_path / "bad" / "posts.parquet").exists()


def _shared_left() -> set:
    return {p.name for p in pieces_module.SHARED_MEMORY.glob("gospub-piece-*")} if pieces_module.SHARED_MEMORY.is_dir() else set()


def test_pieces_made_by_functions_in_workers_write_the_bytes_made_here(small, tmp_path):
    """Pieces given as functions (as the generator gives them), made in 1, 2 or 3 processes, write the bytes of
    the frames written one by one here, every file; the worker's shared-memory files are gone after."""
    pieces = _by_pages(small.posts, 4)
    before = _shared_left()
    called = []

    def maker(k):
        def make():
            called.append(k)  # in a worker: not seen here
            piece = pieces[k].reset_index(drop=True)
            # the texts come in chunks (as the generator joins them): the Parquet pages follow them
            chunks = pa.chunked_array([pa.array(part, pa.large_string())
                                       for part in np.array_split(piece["text"].to_numpy(dtype=object), 3)])
            return piece.assign(text=pd.Series(pd.array(chunks, dtype="str")))
        return make
    names = [f"{name}.parquet" for name in TABLES] + ["manifest.json"]
    write_dataset(tmp_path / "frames", _without_posts(small), small.manifest,
                  pieces={"posts": [maker(k)() for k in range(4)]})
    assert called == [0, 1, 2, 3]
    for processes in (1, 2, 3):
        path = write_dataset(tmp_path / f"p{processes}", _without_posts(small), small.manifest,
                             pieces={"posts": (maker(k) for k in range(4))}, processes=processes)
        match, mismatch, errors = filecmp.cmpfiles(tmp_path / "frames", path, names, shallow=False)
        assert mismatch == [] and errors == [] and len(match) == len(names), processes
        assert pq.ParquetFile(path / "posts.parquet").metadata.num_row_groups == 4
    assert called == [0, 1, 2, 3] * 2  # the frames and the run in this process
    assert _shared_left() == before


def test_a_worker_that_dies_stops_the_writing(small, tmp_path):
    pieces = _by_pages(small.posts, 3)

    def dies():
        os._exit(3)
    with pytest.raises(RuntimeError, match="exit code 3"):
        write_dataset(tmp_path / "died", _without_posts(small), small.manifest,
                      pieces={"posts": [pieces[0], dies, pieces[2]]}, processes=2)
    assert not (tmp_path / "died" / "posts.parquet").exists()


@pytest.mark.parametrize("processes", PROCESSES)
def test_a_piece_whose_column_arrow_infers_otherwise_takes_the_first_pieces_types(small, tmp_path, processes):
    """An undeclared column all null in a later piece (Arrow infers null) is written in the first piece's type."""
    pieces = _by_pages(small.posts, 2)
    pieces = [pieces[0].assign(note="a"), pieces[1].assign(note=None)]
    path = write_dataset(tmp_path / "note", _without_posts(small), small.manifest, pieces={"posts": pieces},
                         processes=processes)
    note = pq.read_table(path / "posts.parquet", columns=["note"]).column(0)
    assert pa.types.is_large_string(note.type) and note.null_count == len(pieces[1]) and note.to_pylist()[0] == "a"
