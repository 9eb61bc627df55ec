"""Loading and validating the canonical dataset: round trip, dtypes, every failure and its message."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from gospub_analysis import DatasetError, load_dataset, write_dataset
from gospub_analysis.config import PROJECT_ROOT
from gospub_analysis.schema import TABLES


@pytest.fixture()
def copy_of_small(small_dataset_dir, tmp_path) -> Path:
    target = tmp_path / "copy"
    shutil.copytree(small_dataset_dir, target)
    return target


def rewrite(path: Path, table: str, change) -> None:
    frame = pd.read_parquet(path / f"{table}.parquet")
    change(frame).to_parquet(path / f"{table}.parquet", index=False)


def error_of(path: Path) -> str:
    with pytest.raises(DatasetError) as info:
        load_dataset(path)
    return str(info.value)


def test_load_gives_declared_dtypes(small_dataset_dir):
    ds = load_dataset(small_dataset_dir)
    for name, spec in TABLES.items():
        frame = ds.tables[name]
        for col in spec.columns:
            assert str(frame[col.name].dtype) == str(pd.Series([], dtype=col.dtype).dtype), (name, col.name)
    assert str(ds.posts["published_at"].dtype) == "datetime64[us, UTC]"
    assert ds.posts["views"].dtype == "Int64"
    assert ds.is_synthetic and ds.data_label == "СИНТЕТИЧЕСКИЕ ДАННЫЕ"


def test_round_trip_keeps_every_value(small_dataset_dir, tmp_path):
    ds = load_dataset(small_dataset_dir)
    write_dataset(tmp_path / "again", ds.tables, ds.manifest)
    again = load_dataset(tmp_path / "again")
    for name in TABLES:
        pd.testing.assert_frame_equal(ds.tables[name].reset_index(drop=True), again.tables[name].reset_index(drop=True))
    assert again.manifest == ds.manifest


def test_missing_table(copy_of_small):
    (copy_of_small / "awards.parquet").unlink()
    message = error_of(copy_of_small)
    assert "table 'awards'" in message and "table is missing" in message and "awards.parquet" in message


def test_missing_column(copy_of_small):
    rewrite(copy_of_small, "posts", lambda f: f.drop(columns=["likes"]))
    message = error_of(copy_of_small)
    assert "table 'posts', column 'likes': required column is missing" in message


def test_wrong_dtype(copy_of_small):
    rewrite(copy_of_small, "snapshots", lambda f: f.assign(members_count=f["members_count"].astype(str)))
    message = error_of(copy_of_small)
    assert "table 'snapshots', column 'members_count': wrong type: expected integers" in message


def test_naive_timestamps_are_refused(copy_of_small):
    rewrite(copy_of_small, "comments", lambda f: f.assign(created_at=f["created_at"].dt.tz_localize(None)))
    message = error_of(copy_of_small)
    assert "table 'comments', column 'created_at'" in message and "time-zone-aware" in message


def test_duplicate_key_names_rows(copy_of_small):
    rewrite(copy_of_small, "posts", lambda f: pd.concat([f, f.head(2)], ignore_index=True))
    message = error_of(copy_of_small)
    assert "table 'posts', column 'community_id, post_id': duplicate key" in message
    assert "4 rows share a key" in message
    assert len(re.findall(r"row \d+: community_id=", message)) == 4


def test_unknown_municipality_and_sector(copy_of_small):
    def spoil(f):
        f.loc[3, "municipality"] = "г. Москва"
        f.loc[[5, 6], "sector"] = "space"
        return f
    rewrite(copy_of_small, "organizations", spoil)
    message = error_of(copy_of_small)
    assert "table 'organizations', column 'municipality'" in message and "'г. Москва'" in message
    assert "table 'organizations', column 'sector'" in message and "row 5:" in message and "row 6:" in message


def test_at_most_five_rows_are_shown(copy_of_small):
    rewrite(copy_of_small, "posts", lambda f: f.assign(kind="story"))
    message = error_of(copy_of_small)
    n_posts = len(pd.read_parquet(copy_of_small / "posts.parquet"))
    assert f"rows (first 5 of {n_posts})" in message
    assert len(re.findall(r"row \d+:", message)) == 5


def test_post_of_unknown_community(copy_of_small):
    rewrite(copy_of_small, "posts", lambda f: f.assign(community_id=f["community_id"].where(f.index != 0, "vk:1")))
    message = error_of(copy_of_small)
    assert "table 'posts', column 'community_id': 1 rows refer to communities that do not exist" in message
    assert "row 0: community_id='vk:1'" in message


def test_comment_of_unknown_post(copy_of_small):
    rewrite(copy_of_small, "comments", lambda f: f.assign(post_id=f["post_id"].where(f.index != 2, 10**9)))
    message = error_of(copy_of_small)
    assert "table 'comments', column 'community_id, post_id': 1 rows refer to posts that do not exist" in message
    assert "post_id=1000000000" in message


def test_not_a_dataset_folder(tmp_path):
    with pytest.raises(FileNotFoundError, match="does not exist"):
        load_dataset(tmp_path / "nowhere")
    tmp_path.joinpath("empty").mkdir()
    with pytest.raises(DatasetError, match="manifest.json is missing"):
        load_dataset(tmp_path / "empty")


def test_select_keeps_tables_consistent(small_dataset_dir):
    ds = load_dataset(small_dataset_dir)
    sub = ds.select(municipality="Болотнинский", sector="education")
    assert set(sub.organizations["municipality"]) == {"Болотнинский"}
    assert set(sub.organizations["sector"]) == {"education"}
    assert set(sub.posts["community_id"]) <= set(sub.communities["community_id"])
    assert len(sub.posts) == ds.posts["community_id"].isin(sub.communities["community_id"]).sum()
    one = ds.communities["community_id"].iloc[0]
    assert set(ds.select(community_id=one).posts["community_id"]) <= {one}
    with pytest.raises(KeyError, match="no organisation has municipality"):
        ds.select(municipality="Атлантида")


def test_cli_validate(small_dataset_dir, copy_of_small):
    gospub = [sys.executable, "-m", "gospub_analysis.cli"]
    ok = subprocess.run([*gospub, "validate", str(small_dataset_dir)], capture_output=True, text=True)
    assert ok.returncode == 0 and "valid (synthetic data)" in ok.stdout
    rewrite(copy_of_small, "posts", lambda f: f.drop(columns=["views"]))
    bad = subprocess.run([*gospub, "validate", str(copy_of_small)], capture_output=True, text=True)
    assert bad.returncode != 0
    assert "table 'posts', column 'views': required column is missing" in bad.stderr
    assert "Traceback" not in bad.stderr


def test_data_readme_documents_every_column():
    readme = (PROJECT_ROOT / "data" / "README.md").read_text(encoding="utf-8")
    for name, spec in TABLES.items():
        section = readme.split(f"### `{name}`", 1)
        assert len(section) == 2, f"data/README.md has no section for {name}"
        body = section[1].split("\n### ", 1)[0]
        for col in spec.columns:
            assert re.search(rf"\|\s*`{col.name}`\s*\|\s*{re.escape(col.dtype)}\s*\|", body), (name, col.name)


def test_join_pages_gives_each_page_its_organisation_and_refuses_an_org_id_twice():
    from gospub_analysis.dataset import join_pages

    communities = pd.DataFrame({"community_id": ["vk:1", "vk:2", "vk:3"], "org_id": ["o2", None, "o1"]})
    organizations = pd.DataFrame({"org_id": ["o1", "o2"], "name": ["Школа", "Музей"], "level": ["municipal"] * 2,
                                  "sector": ["education", "culture"], "municipality": ["Бердск", "не задан"]})
    pages = join_pages(communities, organizations)
    assert pages["community_id"].tolist() == ["vk:1", "vk:2", "vk:3"]  # the pages' own order, one row each
    assert pages["org_name"].tolist()[0::2] == ["Музей", "Школа"] and pd.isna(pages["org_name"][1])
    twice = pd.concat([organizations, organizations.iloc[[0]].assign(name="Другая школа")], ignore_index=True)
    with pytest.raises(pd.errors.MergeError, match="o1"):
        join_pages(communities, twice)


def test_a_key_repeated_in_place_is_found_in_key_ordered_tables(copy_of_small):
    """Tables in key order are checked by runs (`_in_key_order`); a repeated key next to itself is still found."""
    def repeat_in_place(f):
        return pd.concat([f.iloc[:11], f.iloc[10:11], f.iloc[11:]], ignore_index=True)
    rewrite(copy_of_small, "snapshots", repeat_in_place)
    message = error_of(copy_of_small)
    assert "table 'snapshots', column 'community_id, as_of': duplicate key" in message and "2 rows share a key" in message
    assert "row 10:" in message and "row 11:" in message


def test_key_order_by_runs_hand_made():
    from gospub_analysis.dataset.validation import _in_key_order

    def ordered(first, second):
        return _in_key_order(pd.DataFrame({"a": pd.Series(first, dtype="str"), "b": second}), ["a", "b"])
    assert ordered(["x", "x", "y", "z", "z"], [1, 2, 1, 5, 9])
    assert ordered(["y", "y", "x"], [3, 4, 1])  # runs need not be sorted, only whole
    assert not ordered(["x", "y", "x"], [1, 1, 2])  # x comes back: maybe a repeat
    assert not ordered(["x", "x", "y"], [1, 1, 2])  # equal within a run
    assert not ordered(["x", "x"], [2, 1])  # falling within a run
    assert ordered(["x", "y"], [2, 1])
    assert ordered([], np.array([], dtype=np.int64))
    times = pd.to_datetime(["2023-01-02", "2023-01-09", "2023-01-02"]).to_numpy()
    assert ordered(["x", "x", "y"], times) and not ordered(["x", "x", "x"], times)
    assert not ordered(["x", "x"], pd.to_datetime(["2023-01-02", None]).to_numpy())  # a null time: not decided here
    assert not ordered(["x", "y"], pd.array([1, 2], dtype="Int64"))  # not a NumPy column: not decided here
    assert not ordered([None, "y"], [1, 2])
    assert not _in_key_order(pd.DataFrame({"a": ["x"], "b": [1], "c": [1]}), ["a", "b", "c"])
