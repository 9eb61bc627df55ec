"""End to end: a dataset of OK pages -> `export ok` -> `import ok` -> the same indicators.

The OK pages of the small synthetic region (`ok_fixture.ok_pages_only`: its VK and Telegram pages left
out, closures left undated as OK leaves them) go out through `export ok` and back through `import ok`.
"""

from __future__ import annotations

import pandas as pd
import pytest

from gospub_analysis import metrics
from gospub_analysis.cli import main
from gospub_analysis.dataset import load_dataset, open_source
from gospub_analysis.importers.ok import import_ok
from gospub_analysis.importers.ok_export import export_ok
from gospub_analysis.importers.pseudonym import Pseudonymizer

from ok_fixture import ok_pages_only  # noqa: E402  (tests/ is on sys.path under pytest)


@pytest.fixture(scope="module")
def roundtrip(small_dataset_dir, tmp_path_factory):
    root = tmp_path_factory.mktemp("ok_roundtrip")
    original = ok_pages_only(small_dataset_dir, root / "ok_pages")
    summary = export_ok(original, root / "dump")
    report = import_ok(root / "dump", root / "imported", pseudonymize=Pseudonymizer(b"roundtrip-key"))
    return original, root / "imported", summary, report


def test_everything_accounted_and_nothing_set_aside(roundtrip):
    original, imported, summary, report = roundtrip
    before, after = load_dataset(original), load_dataset(imported)
    assert report.unbalanced() == {} and report.quarantine_rows == [] and not report.failed_files
    assert len(after.posts) == len(before.posts) == summary["posts"] > 1000
    assert len(after.comments) == len(before.comments) == summary["comments"] > 100
    assert len(after.snapshots) == len(before.snapshots)
    assert set(after.communities["platform"]) == {"ok"}
    assert set(after.communities["community_id"]) == set(before.communities["community_id"])


def test_same_posts_comments_and_creation_dates(roundtrip):
    original, imported, *_ = roundtrip
    before, after = load_dataset(original), load_dataset(imported)
    key = ["community_id", "post_id"]
    cols = key + ["published_at", "kind", "text_length", "has_photo", "has_video", "is_live", "views", "likes",
                  "reposts", "comments"]
    pd.testing.assert_frame_equal(before.posts[cols].sort_values(key).reset_index(drop=True),
                                  after.posts[cols].sort_values(key).reset_index(drop=True), check_dtype=False)
    key = ["community_id", "comment_id"]
    cols = key + ["post_id", "created_at", "author_kind", "reply_to_comment_id", "deleted"]
    a = before.comments[cols].sort_values(key).reset_index(drop=True)
    b = after.comments[cols].sort_values(key).reset_index(drop=True)
    a["created_at"] = a["created_at"].dt.floor("s")  # OK writes comment dates to the second
    pd.testing.assert_frame_equal(a, b, check_dtype=False)
    pairs = pd.DataFrame({"a": before.comments.sort_values(key)["author_key"].to_numpy(),
                          "b": after.comments.sort_values(key)["author_key"].to_numpy()}).dropna().drop_duplicates()
    assert len(pairs) > 50 and pairs["a"].is_unique and pairs["b"].is_unique  # another key, one to one
    created = before.communities.set_index("community_id")["created_at"]
    pd.testing.assert_series_equal(created.sort_index(),
                                   after.communities.set_index("community_id")["created_at"].sort_index())


@pytest.mark.parametrize("year", [2023, 2024])
def test_same_indicators_as_metrics_page_year(roundtrip, year):
    original, imported, *_ = roundtrip
    a = metrics.page_year(open_source(original), year).set_index("community_id").sort_index()
    b = metrics.page_year(open_source(imported), year).set_index("community_id").sort_index()
    assert list(a.index) == list(b.index) and len(a) > 50
    exact = ["posts", "original_share", "views_per_post", "err", "live_streams", "months_with_live",
             "resident_comments", "answered_share", "members_end", "avatar", "cover", "description", "contacts",
             "address"]
    pd.testing.assert_frame_equal(a[exact], b[exact], check_dtype=False)
    # reply times: OK comment dates are whole seconds, so allow a second of rounding
    for column, tolerance in (("median_reply_hours", 1 / 3600), ("answered_24h_share", 0.02)):
        assert a[column].isna().equals(b[column].isna()), column
        assert ((a[column] - b[column]).abs().dropna() <= tolerance).all(), column


def test_cli_export_gives_the_same_bytes(roundtrip, tmp_path, capsys):
    original, imported, summary, _ = roundtrip
    assert main(["export", "ok", str(original), "--out", str(tmp_path / "dump")]) == 0
    assert f"{summary['posts']:,} topics" in capsys.readouterr().out
    first, again = imported.parent / "dump", tmp_path / "dump"
    files = sorted(p.relative_to(first) for p in first.rglob("*.json*"))
    assert files == sorted(p.relative_to(again) for p in again.rglob("*.json*")) and len(files) > 100
    assert all((first / f).read_bytes() == (again / f).read_bytes() for f in files)
