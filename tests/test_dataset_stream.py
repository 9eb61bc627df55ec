"""`validate_folder` (`gospub validate`): a dataset checked batch by batch gives `load_dataset`'s verdict and
messages, with the batches forced small so that a few rows span several of them: a key repeated across a
batch boundary, keys out of order across one, a bad value or a null in the last batch, a dangling
reference; the true row numbers in the file; the counts and the first five rows over all batches."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from gospub_analysis import DatasetError, load_dataset, write_dataset
from gospub_analysis.dataset.stream import batches, read_rows, validate_folder
from gospub_analysis.schema import TABLES, empty_table

UTC = "datetime64[us, UTC]"


def outcome(call) -> str:
    """The error's text, or the row counts of a valid dataset."""
    try:
        result = call()
    except DatasetError as exc:
        return str(exc)
    if isinstance(result, tuple):
        return repr(result[1])
    return repr({name: len(frame) for name, frame in result.tables.items()})


def both(path: Path, batch_rows: int) -> str:
    """The in-memory and the streamed outcome, asserted equal; the outcome."""
    whole = outcome(lambda: load_dataset(path))
    streamed = outcome(lambda: validate_folder(path, batch_rows=batch_rows))
    assert streamed == whole
    return streamed


def rewrite(path: Path, table: str, frame: pd.DataFrame) -> None:
    frame.to_parquet(path / f"{table}.parquet", index=False)


def _posts(rows: list[tuple[str, int]], **columns) -> pd.DataFrame:
    n = len(rows)
    frame = pd.DataFrame({
        "community_id": pd.Series([r[0] for r in rows], dtype="str"),
        "post_id": np.array([r[1] for r in rows], dtype=np.int64),
        "published_at": pd.Series(pd.date_range("2023-01-02", periods=n, freq="h", tz="UTC"), dtype=UTC),
        "kind": pd.Series(["original"] * n, dtype="str"),
        "text_length": np.full(n, 10, dtype=np.int64),
        "has_photo": np.zeros(n, dtype=bool), "has_video": np.zeros(n, dtype=bool), "is_live": np.zeros(n, dtype=bool),
        "views": pd.array([100] * n, dtype="Int64"),
        "likes": np.ones(n, dtype=np.int64), "reposts": np.zeros(n, dtype=np.int64),
        "comments": np.zeros(n, dtype=np.int64),
    })
    for name, values in columns.items():
        frame[name] = values
    return frame


def _comments(rows: list[tuple[str, int, int]]) -> pd.DataFrame:
    n = len(rows)
    return pd.DataFrame({
        "community_id": pd.Series([r[0] for r in rows], dtype="str"),
        "post_id": np.array([r[1] for r in rows], dtype=np.int64),
        "comment_id": np.array([r[2] for r in rows], dtype=np.int64),
        "created_at": pd.Series(pd.date_range("2023-01-03", periods=n, freq="h", tz="UTC"), dtype=UTC),
        "author_kind": pd.Series(["resident"] * n, dtype="str"),
        "author_key": pd.Series(["k"] * n, dtype="str"),
        "reply_to_comment_id": pd.array([None] * n, dtype="Int64"),
        "deleted": np.zeros(n, dtype=bool),
    })


POSTS = [("vk:1", 1), ("vk:1", 2), ("vk:2", 1), ("vk:2", 5)]


@pytest.fixture()
def tiny(tmp_path) -> Path:
    """Two pages with four posts and two comments, written valid (each test spoils one table)."""
    orgs = pd.DataFrame({"org_id": ["o1", "o2"], "name": ["Школа", "Музей"], "level": ["regional"] * 2,
                         "founder": [None, None], "sector": ["education", "culture"],
                         "municipality": ["г. Новосибирск", "г. Бердск"], "ogrn": [None, None],
                         "no_page_reason": [None, None]}).astype({c: "str" for c in ("org_id", "name")})
    pages = pd.DataFrame({"community_id": ["vk:1", "vk:2"], "platform": ["vk", "vk"], "platform_id": ["1", "2"],
                          "screen_name": [None, None], "name": ["Школа", "Музей"], "org_id": ["o1", "o2"],
                          "created_at": pd.Series([None, None], dtype=UTC), "closed_at": pd.Series([None, None], dtype=UTC)})
    tables = {"organizations": orgs, "communities": pages, "snapshots": empty_table("snapshots"),
              "posts": _posts(POSTS), "comments": _comments([("vk:1", 2, 1), ("vk:2", 5, 2)]),
              "awards": empty_table("awards"), "quarantine": empty_table("quarantine"),
              "wall_messages": empty_table("wall_messages")}
    return write_dataset(tmp_path / "tiny", tables, {"provenance": {"kind": "synthetic"}})


def test_tiny_is_valid_by_both_paths_batch_by_batch(tiny):
    for rows in (1, 2, 3, 1000):
        assert both(tiny, rows) == repr({"organizations": 2, "communities": 2, "snapshots": 0, "posts": 4,
                                         "comments": 2, "wall_messages": 0, "awards": 0, "quarantine": 0})


def test_a_key_repeated_across_a_batch_boundary(tiny):
    rewrite(tiny, "posts", _posts([("vk:1", 1), ("vk:1", 2), ("vk:1", 2), ("vk:2", 5)]))
    assert both(tiny, 2) == (  # rows 1 and 2 are in batches 0 and 1; each batch alone is in key order
        f"Dataset {tiny} is not valid (1 problem(s)):\n"
        "- table 'posts', column 'community_id, post_id': duplicate key (community_id, post_id): 2 rows share a key\n"
        "    rows: row 1: community_id='vk:1', post_id=2; row 2: community_id='vk:1', post_id=2")


def test_a_page_coming_back_in_a_later_batch(tiny):
    """A page's run that comes back after another page's is not key order: the key is checked whole (a repeat
    three batches apart is found; without one the table is valid, as in memory)."""
    rewrite(tiny, "posts", _posts([("vk:1", 1), ("vk:2", 1), ("vk:2", 5), ("vk:1", 1)]))
    assert both(tiny, 1) == (
        f"Dataset {tiny} is not valid (1 problem(s)):\n"
        "- table 'posts', column 'community_id, post_id': duplicate key (community_id, post_id): 2 rows share a key\n"
        "    rows: row 0: community_id='vk:1', post_id=1; row 3: community_id='vk:1', post_id=1")
    rewrite(tiny, "posts", _posts([("vk:1", 1), ("vk:2", 1), ("vk:2", 5), ("vk:1", 2)]))
    assert "posts': 4" in both(tiny, 1)


def test_keys_falling_across_a_batch_boundary(tiny):
    """Within one page a post id lower than the one before, across the boundary: unique keys stay valid;
    the same id again is the duplicate (found by the whole-key count)."""
    rewrite(tiny, "posts", _posts([("vk:1", 2), ("vk:1", 1), ("vk:2", 1), ("vk:2", 5)]))
    assert "posts': 4" in both(tiny, 1)
    rewrite(tiny, "posts", _posts([("vk:1", 2), ("vk:1", 1), ("vk:1", 2), ("vk:2", 5)]))
    assert both(tiny, 1).endswith(
        "2 rows share a key\n    rows: row 0: community_id='vk:1', post_id=2; row 2: community_id='vk:1', post_id=2")


def test_a_bad_value_and_a_null_in_the_last_batch(tiny):
    rewrite(tiny, "posts", _posts(POSTS, likes=np.array([-4, 1, 1, 1]),
                                  kind=pd.Series(["original", "original", "original", "story"], dtype="str")))
    assert both(tiny, 1) == (  # in the columns' order, though the likes' problem is met first
        f"Dataset {tiny} is not valid (2 problem(s)):\n"
        "- table 'posts', column 'kind': failed check value must be one of: original, repost\n"
        "    rows: row 3: community_id='vk:2', post_id=5, kind='story'\n"
        "- table 'posts', column 'likes': failed check greater_than_or_equal_to(0)\n"
        "    rows: row 0: community_id='vk:1', post_id=1, likes=-4")
    rewrite(tiny, "posts", _posts(POSTS, kind=pd.Series(["original", None, "original", None], dtype="str")))
    assert both(tiny, 1) == (
        f"Dataset {tiny} is not valid (1 problem(s)):\n"
        "- table 'posts', column 'kind': null values where str is required\n"
        "    rows: row 1: community_id='vk:1', post_id=2, kind=nan; row 3: community_id='vk:2', post_id=5, kind=nan")


def test_rows_are_counted_over_every_batch_and_five_shown(tiny):
    rows = [("vk:1", i) for i in range(1, 8)] + [("vk:2", 1)]
    rewrite(tiny, "posts", _posts(rows, kind=pd.Series(["story"] * 7 + ["original"], dtype="str")))
    assert both(tiny, 3) == (
        f"Dataset {tiny} is not valid (1 problem(s)):\n"
        "- table 'posts', column 'kind': failed check value must be one of: original, repost\n"
        "    rows (first 5 of 7): " + "; ".join(f"row {i - 1}: community_id='vk:1', post_id={i}, kind='story'"
                                                for i in range(1, 6)))


def test_a_comment_of_a_post_no_batch_has(tiny):
    rewrite(tiny, "comments", _comments([("vk:1", 2, 1), ("vk:2", 5, 2), ("vk:2", 6, 3)]))
    assert both(tiny, 1) == (
        f"Dataset {tiny} is not valid (1 problem(s)):\n"
        "- table 'comments', column 'community_id, post_id': 1 rows refer to posts that do not exist "
        "(expected a value present in posts.community_id, post_id)\n"
        "    rows: row 2: community_id='vk:2', comment_id=3, post_id=6")


def test_a_post_of_an_unknown_page_and_an_unknown_organisation(tiny):
    rewrite(tiny, "posts", _posts([*POSTS, ("vk:9", 1)]))
    pages = pd.read_parquet(tiny / "communities.parquet")
    rewrite(tiny, "communities", pages.assign(org_id=pd.Series([None, "o7"], dtype="str")))  # no organisation: fine
    assert both(tiny, 1) == (
        f"Dataset {tiny} is not valid (2 problem(s)):\n"
        "- table 'communities', column 'org_id': 1 rows refer to organizations that do not exist "
        "(expected a value present in organizations.org_id)\n"
        "    rows: row 1: community_id='vk:2', org_id='o7'\n"
        "- table 'posts', column 'community_id': 1 rows refer to communities that do not exist "
        "(expected a value present in communities.community_id)\n"
        "    rows: row 4: community_id='vk:9', post_id=1")


def test_wrong_types_missing_columns_and_tables(tiny):
    rewrite(tiny, "posts", _posts(POSTS, likes=np.array([1.0, 2.0, 3.5, np.nan])).drop(columns=["views"]))
    (tiny / "awards.parquet").unlink()
    message = both(tiny, 1)
    assert message == (
        f"Dataset {tiny} is not valid (3 problem(s)):\n"
        "- table 'posts', column 'views': required column is missing (expected Int64: Views; null when unknown "
        "(not zero).)\n"
        "- table 'posts', column 'likes': null values where int64 is required\n"
        "    rows: row 3: community_id='vk:2', post_id=5, likes=nan\n"
        "- table 'awards': table is missing (expected awards.parquet: Awards given to pages (the quality mark and "
        "others).)")
    rewrite(tiny, "posts", _posts(POSTS, likes=pd.Series(["1", "2", "3", "4"], dtype="str")))
    assert "wrong type: expected integers, found str" in both(tiny, 1)
    rewrite(tiny, "posts", _posts(POSTS, likes=np.array([1.0, 2.0, 3.0, 4.5])))  # a fraction in the last batch
    assert "column 'likes': wrong type: expected integers, found float64" in both(tiny, 1)


def test_an_empty_or_absent_optional_table(tiny):
    (tiny / "wall_messages.parquet").unlink()
    rewrite(tiny, "comments", _comments([]))
    assert "'comments': 0, 'wall_messages': 0" in both(tiny, 1)


def test_the_small_dataset_spoiled_as_test_dataset_does(small_dataset_dir, tmp_path):
    """The synthetic region (50,000 posts in 5,000-row batches) valid, then spoiled in ways `test_dataset` tries."""
    assert both(small_dataset_dir, 5000).startswith("{'organizations'")
    spoils = {
        "posts": lambda f: pd.concat([f, f.head(2)], ignore_index=True),
        "snapshots": lambda f: pd.concat([f.iloc[:1500], f.iloc[1499:1500], f.iloc[1500:]], ignore_index=True),
        "organizations": lambda f: f.assign(municipality=f["municipality"].where(f.index != 150, "г. Москва")),
        "comments": lambda f: f.assign(post_id=f["post_id"].where(f.index % 997 != 5, 10**9)),
    }
    for name, spoil in spoils.items():
        copy = tmp_path / name
        shutil.copytree(small_dataset_dir, copy)
        rewrite(copy, name, spoil(pd.read_parquet(copy / f"{name}.parquet")))
        assert f"table '{name}'" in both(copy, 5000)


def test_the_batches_are_the_whole_file_as_pd_read_parquet_reads_it(small_dataset_dir):
    for name in TABLES:
        file = small_dataset_dir / f"{name}.parquet"
        parts = list(batches(file, 5000))
        assert len(parts) == max(1, -(-pq.ParquetFile(file).metadata.num_rows // 5000))
        pd.testing.assert_frame_equal(pd.concat(parts), pd.read_parquet(file), check_exact=True)


def test_rows_read_back_as_pd_read_parquet_reads_them(small_dataset_dir, tmp_path):
    file = small_dataset_dir / "posts.parquet"
    whole = pd.read_parquet(file)
    positions = [0, 5, 1000, len(whole) - 1]
    pd.testing.assert_frame_equal(read_rows(file, positions), whole.iloc[positions], check_index_type=False)
    indexed = whole.head(20).set_axis(pd.Index(np.arange(100, 120)))  # a file that keeps its own index
    indexed.to_parquet(tmp_path / "indexed.parquet")
    pd.testing.assert_frame_equal(read_rows(tmp_path / "indexed.parquet", [3, 7]), indexed.iloc[[3, 7]])


def test_cli_validate_quiet_and_progress(tiny):
    gospub = [sys.executable, "-m", "gospub_analysis.cli", "validate"]
    quiet = subprocess.run([*gospub, "--quiet", str(tiny)], capture_output=True, text=True)
    assert quiet.returncode == 0 and quiet.stderr == ""
    assert quiet.stdout == (f"{tiny}: valid (synthetic data). Rows: organizations 2, communities 2, snapshots 0, "
                            "posts 4, comments 2, wall_messages 0, awards 0, quarantine 0\n")
    shown = subprocess.run([*gospub, str(tiny)], capture_output=True, text=True)
    assert shown.stdout == quiet.stdout and "Проверка" in shown.stderr
    rewrite(tiny, "posts", _posts([*POSTS, ("vk:9", 1)]))
    bad = subprocess.run([*gospub, "--quiet", str(tiny)], capture_output=True, text=True)
    assert bad.returncode == 2 and bad.stderr.startswith(f"gospub validate: error: Dataset {tiny} is not valid")
    assert "row 4: community_id='vk:9'" in bad.stderr



def test_the_default_dataset_is_valid_by_both_paths(full_dataset_dir):
    """The default dataset (scale 1, 2023-2025; `GOSPUB_TEST_FULL_DATASET` names a copy): the same manifest and
    rows as `load_dataset`, so `gospub validate` prints the same line."""
    whole = load_dataset(full_dataset_dir)
    manifest, counts = validate_folder(full_dataset_dir)
    assert manifest == whole.manifest
    assert counts == {name: len(frame) for name, frame in whole.tables.items()} == manifest["row_counts"]


def test_a_file_pandas_did_not_write_keeps_the_whole_files_dtypes(tiny):
    """Without pandas' own types in the file, an integer column with a null anywhere is float64 in pandas:
    rows of a batch without that null show its values as the whole table does (1.0, not 1)."""
    posts = _posts(POSTS, kind=pd.Series([None, "original", "original", "original"], dtype="str"))
    posts["post_id"] = pd.array([1, 2, 1, None], dtype="Int64")
    pq.write_table(pa.Table.from_pandas(posts, preserve_index=False).replace_schema_metadata(None),
                   tiny / "posts.parquet")
    assert both(tiny, 1) == (
        f"Dataset {tiny} is not valid (2 problem(s)):\n"
        "- table 'posts', column 'post_id': null values where int64 is required\n"
        "    rows: row 3: community_id='vk:2', post_id=nan\n"
        "- table 'posts', column 'kind': null values where str is required\n"
        "    rows: row 0: community_id='vk:1', post_id=1.0, kind=nan")


def test_a_column_of_nulls_only_written_without_a_type(tiny):
    """Pages whose org_id is null in every row, written by Arrow as a column of type null (DuckDB reads it as
    integers): valid, as in memory, no dangling reference."""
    pages = pd.read_parquet(tiny / "communities.parquet").assign(org_id=None)
    table = pa.Table.from_pandas(pages.astype({"org_id": object}), preserve_index=False)
    assert table.schema.field("org_id").type == pa.null()
    pq.write_table(table, tiny / "communities.parquet")
    assert "'communities': 2" in both(tiny, 1)


def test_three_column_keys_and_a_table_referring_to_itself(tiny):
    """Awards (year, page, award) repeated two batches apart; a wall comment under a wall post no row has."""
    awards = pd.DataFrame({"year": np.array([2023, 2023, 2023], dtype=np.int64),
                           "community_id": pd.Series(["vk:1", "vk:2", "vk:1"], dtype="str"),
                           "award": pd.Series(["quality_mark"] * 3, dtype="str"),
                           "category": pd.Series([None] * 3, dtype="str")})
    rewrite(tiny, "awards", awards)
    assert both(tiny, 1) == (
        f"Dataset {tiny} is not valid (1 problem(s)):\n"
        "- table 'awards', column 'year, community_id, award': duplicate key (year, community_id, award): "
        "2 rows share a key\n"
        "    rows: row 0: year=2023, community_id='vk:1', award='quality_mark'; "
        "row 2: year=2023, community_id='vk:1', award='quality_mark'")
    rewrite(tiny, "awards", awards.head(2))
    wall = pd.DataFrame({"community_id": pd.Series(["vk:1", "vk:1", "vk:2"], dtype="str"),
                         "post_id": np.array([10, 10, 11], dtype=np.int64),
                         "message_id": np.array([10, 12, 13], dtype=np.int64),
                         "kind": pd.Series(["post", "comment", "comment"], dtype="str"),
                         "created_at": pd.Series(pd.date_range("2023-02-01", periods=3, freq="h", tz="UTC"), dtype=UTC),
                         "author_kind": pd.Series(["resident"] * 3, dtype="str"),
                         "author_key": pd.Series(["a", "b", "c"], dtype="str"),
                         "reply_to_comment_id": pd.array([None] * 3, dtype="Int64"),
                         "deleted": np.zeros(3, dtype=bool)})
    rewrite(tiny, "wall_messages", wall)
    assert both(tiny, 1) == (
        f"Dataset {tiny} is not valid (1 problem(s)):\n"
        "- table 'wall_messages', column 'community_id, post_id': 1 rows refer to wall_messages that do not exist "
        "(expected a value present in wall_messages.community_id, message_id)\n"
        "    rows: row 2: community_id='vk:2', kind='comment', message_id=13, post_id=11")
