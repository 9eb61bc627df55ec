import pandas as pd
import pytest

from gospub_analysis import metrics

import quality_fixture as fx


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory):
    return fx.write(tmp_path_factory.mktemp("quality") / "ds")


def test_resident_replies(data_dir):
    r = metrics.resident_replies(data_dir).set_index(["community_id", "comment_id"]).sort_index()
    # deleted resident comment 10 is gone; page comments are not rows
    assert sorted(r.index.tolist()) == [("vk:1", 1), ("vk:1", 3), ("vk:1", 6), ("vk:1", 8), ("vk:1", 11), ("vk:3", 1)]
    assert r.loc[("vk:1", 1), "reply_hours"] == pytest.approx(59)
    assert r.loc[("vk:1", 1), "reply_working_hours"] == pytest.approx(1)  # across a weekend
    assert r.loc[("vk:1", 3), "reply_hours"] == pytest.approx(114)  # first of two replies
    assert r.loc[("vk:1", 3), "reply_working_hours"] == pytest.approx(3)  # across 23-24 February
    assert r.loc[("vk:1", 6), "reply_working_hours"] == pytest.approx(2.5)
    assert r["answered"].tolist() == [True, True, True, False, False, True]
    assert r["answered_within_24h"].tolist() == [False, False, True, False, False, True]
    assert r.loc[("vk:1", 8), "replied_at"] is pd.NaT
    assert str(r["created_at"].dtype) == "datetime64[us, UTC]"


def test_resident_replies_window_and_until(data_dir):
    r = metrics.resident_replies(data_dir, start=fx.local("2023-02-01 00:00"), end=fx.local("2023-03-01 00:00"))
    assert r["comment_id"].tolist() == [3]
    # as of Sunday 26 February the reply of Monday 27 February does not exist yet
    cut = metrics.resident_replies(data_dir, until=fx.local("2023-02-26 00:00")).set_index("comment_id")
    assert not cut.loc[3, "answered"] and pd.isna(cut.loc[3, "reply_working_hours"])
    assert cut.loc[1, "answered"].all()  # comment 1 of vk:1 and of vk:3
    assert len(metrics.resident_replies(data_dir, until=fx.local("2023-01-17 10:30"))) == 3
