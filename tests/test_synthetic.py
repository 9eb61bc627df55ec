"""The synthetic region: calibration to the published 2023 figures, rhythms, determinism.

Every figure is recomputed from the written Parquet files, not taken from the generator.
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest

from gospub_analysis.region import AWARD_SECTORS, MUNICIPALITY_NAMES, MUNICIPALITY_BY_NAME
from gospub_analysis.synthetic import generate
from gospub_analysis.synthetic import generator as generator_module

TZ = "Asia/Novosibirsk"
START_2023 = pd.Timestamp("2023-01-01", tz=TZ)
END_2023 = pd.Timestamp("2024-01-01", tz=TZ)


def read(path, table):
    return pd.read_parquet(path / f"{table}.parquet")


def in_2023(ts: pd.Series) -> pd.Series:
    return (ts >= START_2023) & (ts < END_2023)


@pytest.fixture(scope="module")
def everything(full_dataset_dir):
    """Every table of the default dataset, pages of every platform."""
    return {t: read(full_dataset_dir, t) for t in ("organizations", "communities", "snapshots", "posts", "comments", "awards")}


@pytest.fixture(scope="module")
def full(everything):
    """The VK network: the published 2023 figures describe it, so the calibration holds on VK pages."""
    vk = set(everything["communities"].loc[everything["communities"]["platform"] == "vk", "community_id"])
    return {t: (frame[frame["community_id"].isin(vk)].reset_index(drop=True) if "community_id" in frame else frame)
            for t, frame in everything.items()}


@pytest.fixture(scope="module")
def active_2023(full):
    c = full["communities"]
    return c[(c["created_at"] < END_2023) & (c["closed_at"].isna() | (c["closed_at"] >= END_2023))]


def test_pages_active_at_end_of_2023(active_2023):
    assert len(active_2023) == 3465


def test_subscribers_on_last_2023_snapshot(full, active_2023):
    snaps = full["snapshots"]
    snaps = snaps[(snaps["as_of"] < pd.Timestamp("2024-01-01")) & snaps["community_id"].isin(active_2023["community_id"])]
    last = snaps.sort_values("as_of").groupby("community_id").tail(1)
    assert len(last) == 3465
    assert 2_375_000 <= last["members_count"].sum() <= 2_625_000


def test_subscribers_are_heavy_tailed(full):
    last = full["snapshots"].loc[lambda s: s["as_of"] == pd.Timestamp("2023-12-31"), "members_count"].astype(float)
    assert last.max() > 50 * last.median()
    assert last.mean() > 1.8 * last.median()


def test_posts_in_2023(full):
    n = int(in_2023(full["posts"]["published_at"]).sum())
    assert 275_000 <= n <= 290_000


def test_page_comments_in_2023(full):
    c = full["comments"]
    n = int((in_2023(c["created_at"]) & (c["author_kind"] == "page")).sum())
    assert 25_000 <= n <= 27_000


def test_179_quality_marks_for_2023_in_award_sectors(full):
    a = full["awards"].query("year == 2023 and award == 'quality_mark'")
    assert len(a) == 179
    assert a["community_id"].is_unique
    pages = full["communities"].merge(full["organizations"], on="org_id")
    sectors = pages.set_index("community_id").loc[a["community_id"], "sector"]
    assert set(sectors) <= set(AWARD_SECTORS)
    assert set(sectors) == set(AWARD_SECTORS)


def test_municipalities_present_and_proportional(full, active_2023):
    pages = active_2023.merge(full["organizations"], on="org_id")
    per_muni = pages["municipality"].value_counts()
    assert set(per_muni.index) == set(MUNICIPALITY_NAMES)
    assert per_muni.idxmax() == "г. Новосибирск"
    population = pd.Series({m: MUNICIPALITY_BY_NAME[m].population for m in per_muni.index})
    assert per_muni.corr(population, method="spearman") > 0.8


def test_every_bolotninsky_organisation_has_a_page_and_others_give_reasons(everything, active_2023):
    full = everything  # a page on any platform: organisations with an OK page only give no reason either
    orgs = full["organizations"]
    bolotnoe = orgs[orgs["municipality"] == "Болотнинский"]
    assert bolotnoe["org_id"].isin(active_2023["org_id"]).all()
    assert bolotnoe["no_page_reason"].isna().all()
    without = orgs[~orgs["org_id"].isin(full["communities"]["org_id"])]
    assert len(without) > 50
    assert without["no_page_reason"].notna().all()
    assert (orgs[orgs["org_id"].isin(full["communities"]["org_id"])]["no_page_reason"].isna()).all()


def test_names_look_russian(full):
    names = full["organizations"]["name"]
    assert names.str.contains("СОШ").any()
    assert names.str.contains(r"ГБУЗ НСО «Болотнинская ЦРБ»", regex=False).any()
    assert names.str.contains("«КДЦ").any()
    assert full["communities"]["screen_name"].is_unique


def test_weekly_and_daily_rhythm_in_local_time(full):
    local = full["posts"]["published_at"].dt.tz_convert(TZ)
    per_weekday = local.dt.day_of_week.value_counts()
    assert per_weekday[[5, 6]].mean() < 0.5 * per_weekday[[0, 1, 2, 3]].mean()
    per_hour = local.dt.hour.value_counts().reindex(range(24), fill_value=0)
    assert per_hour[[1, 2, 3, 4]].sum() < 0.01 * per_hour.sum()
    assert per_hour[[9, 10, 11]].sum() > 0.2 * per_hour.sum()


def test_school_pages_quiet_in_july(full):
    pages = full["communities"].merge(full["organizations"], on="org_id")
    edu = full["posts"][full["posts"]["community_id"].isin(pages.loc[pages["sector"] == "education", "community_id"])]
    month = edu["published_at"].dt.tz_convert(TZ)
    in_year = month.dt.year == 2023
    by_month = month[in_year].dt.month.value_counts()
    assert by_month[7] < 0.3 * by_month[5]


def test_network_grows_through_2023_from_existing_pages(full):
    c = full["communities"]
    at_start = ((c["created_at"] < pd.Timestamp("2022-12-01", tz=TZ))).sum()
    created_2023 = in_2023(c["created_at"]).sum()
    assert at_start > 2 * created_2023 > 0


def test_replies_get_faster_and_more_frequent_over_2023(full):
    c = full["comments"]
    residents = c[(c["author_kind"] == "resident") & ~c["deleted"]]
    replies = c[(c["author_kind"] == "page") & c["reply_to_comment_id"].notna()]
    first_reply = replies.groupby(["community_id", "reply_to_comment_id"])["created_at"].min()
    key = pd.MultiIndex.from_arrays([residents["community_id"], residents["comment_id"].astype("Int64")])
    replied_at = first_reply.reindex(key).to_numpy()
    residents = residents.assign(hours=(pd.Series(replied_at, index=residents.index) - residents["created_at"]).dt.total_seconds() / 3600)
    month = residents["created_at"].dt.tz_convert(TZ).dt.strftime("%Y-%m")
    jan, dec = residents[month == "2023-01"], residents[month == "2023-12"]
    assert jan["hours"].isna().mean() > 0.5  # many unanswered early on
    assert dec["hours"].notna().mean() > jan["hours"].notna().mean() + 0.15
    assert dec["hours"].median() < 0.5 * jan["hours"].median()


def test_live_streams_become_regular_for_part_of_the_pages(full):
    p = full["posts"]
    live = p[p["is_live"] & in_2023(p["published_at"])]
    months = live.assign(m=live["published_at"].dt.tz_convert(TZ).dt.month).groupby("community_id")["m"]
    n_regular = int((months.nunique() >= 6).sum())
    assert 0.1 * 3465 < n_regular < 0.6 * 3465
    first_half = live["published_at"].dt.tz_convert(TZ).dt.month <= 6
    assert (~first_half).sum() > first_half.sum()


def test_views_are_present_and_comments_counts_match(everything):
    full = everything
    p, c = full["posts"], full["comments"]
    counted = c.groupby(["community_id", "post_id"]).size()
    merged = p.set_index(["community_id", "post_id"])["comments"]
    assert (merged.reindex(counted.index) == counted).all()
    assert merged.drop(counted.index).eq(0).all()


def test_manifest_says_synthetic(full_dataset_dir):
    manifest = json.loads((full_dataset_dir / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["provenance"]["kind"] == "synthetic"
    assert manifest["provenance"]["seed"] == 2023
    assert "СИНТЕТИЧЕСКИЕ" in manifest["label"]
    # the forum's figures describe the VK network, and the calibration holds there
    assert manifest["published_figures"] == {"platforms": ["vk"], "calibrated_on": ["vk"]}
    assert manifest["timezone"] == TZ
    assert manifest["row_counts"]["posts"] == len(pd.read_parquet(full_dataset_dir / "posts.parquet"))


def test_same_seed_same_bytes_other_seed_other_data(tmp_path):
    a = generate(tmp_path / "a", seed=11, years=(2023, 2024), scale=0.03, progress=None)
    b = generate(tmp_path / "b", seed=11, years=(2023, 2024), scale=0.03, progress=None)
    c = generate(tmp_path / "c", seed=12, years=(2023, 2024), scale=0.03, progress=None)
    files = sorted(p.name for p in a.iterdir())
    assert files == sorted(p.name for p in b.iterdir())
    for name in files:
        assert (a / name).read_bytes() == (b / name).read_bytes(), name
    assert (a / "posts.parquet").read_bytes() != (c / "posts.parquet").read_bytes()


def test_posts_in_pieces_keep_every_other_byte_and_are_deterministic(tmp_path, monkeypatch):
    """A country's posts go out in pieces of whole pages (`POSTS_PIECE`), each with its texts: the other
    tables and the manifest are the one-piece bytes, the posts the same rows but for the text-drawn columns;
    the bytes are the same made here (1 process) or in 2 worker processes."""
    whole = generate(tmp_path / "whole", seed=11, years=(2023, 2023), scale=0.03, progress=None)
    monkeypatch.setattr(generator_module, "POSTS_PIECE", 1500)
    a = generate(tmp_path / "a", seed=11, years=(2023, 2023), scale=0.03, progress=None, processes=1)
    b = generate(tmp_path / "b", seed=11, years=(2023, 2023), scale=0.03, progress=None, processes=2)
    c = generate(tmp_path / "c", seed=11, years=(2023, 2023), scale=0.03, progress=None, processes=3)
    for name in sorted(p.name for p in whole.iterdir()):
        assert (a / name).read_bytes() == (b / name).read_bytes() == (c / name).read_bytes(), name
        if name != "posts.parquet":
            assert (a / name).read_bytes() == (whole / name).read_bytes(), name
    one, pieces = pd.read_parquet(whole / "posts.parquet"), pd.read_parquet(a / "posts.parquet")
    file = pq.ParquetFile(a / "posts.parquet")  # a piece a row group: whole pages, at least 1,500 posts but the last
    groups = [set(file.read_row_group(i, columns=["community_id"]).column(0).to_pylist())
              for i in range(file.num_row_groups)]
    sizes = [file.metadata.row_group(i).num_rows for i in range(file.num_row_groups)]
    assert len(groups) > 3 and min(sizes[:-1]) >= 1500 and sum(len(g) for g in groups) == len(set().union(*groups))
    assert pq.ParquetFile(whole / "posts.parquet").metadata.num_row_groups == 1
    drawn = ["text", "content_type", "text_length", "likes", "reposts"]  # from the texts' stream
    pd.testing.assert_frame_equal(pieces.drop(columns=drawn), one.drop(columns=drawn))
    assert (pieces["text"].str.len() == pieces["text_length"]).all() and pieces["content_type"].notna().all()
    assert (pieces["text"] != one["text"]).mean() > 0.5  # each piece its own stream: other draws


def test_each_piece_draws_its_texts_from_its_own_stream_of_seed_and_piece(tmp_path, monkeypatch):
    """Piece k's texts are `add_texts` of its posts from `text_stream(seed, k)` alone: redrawn one piece at a
    time in reverse order, each gives its row group of the file; piece 0's stream is the one stream of the
    texts (spawn key (TEXT_STREAM,)), piece k's the key (TEXT_STREAM, k)."""
    from gospub_analysis.synthetic import texts

    inputs = []
    add_texts = texts.add_texts

    def recording(seed, posts, *args, **kwargs):
        inputs.append(posts.copy())
        return add_texts(seed, posts, *args, **kwargs)
    monkeypatch.setattr(texts, "add_texts", recording)
    monkeypatch.setattr(generator_module, "POSTS_PIECE", 1500)
    path = generate(tmp_path / "a", seed=11, years=(2023, 2023), scale=0.03, progress=None, processes=1)
    communities, organizations = read(path, "communities"), read(path, "organizations")
    file = pq.ParquetFile(path / "posts.parquet")
    assert file.num_row_groups == len(inputs) > 3
    for k in reversed(range(len(inputs))):
        again = add_texts(11, inputs[k], communities, organizations, TZ, rng=texts.text_stream(11, k))
        written = file.read_row_group(k).to_pandas()
        for column in ("text", "content_type", "text_length", "likes", "reposts"):
            assert (again[column].to_numpy() == written[column].to_numpy()).all(), (k, column)
    key = lambda k: np.random.default_rng(np.random.SeedSequence(11, spawn_key=k)).integers(0, 1 << 62, 4)  # noqa: E731
    assert (texts.text_stream(11).integers(0, 1 << 62, 4) == key((texts.TEXT_STREAM,))).all()
    assert (texts.text_stream(11, 0).integers(0, 1 << 62, 4) == key((texts.TEXT_STREAM,))).all()
    assert (texts.text_stream(11, 3).integers(0, 1 << 62, 4) == key((texts.TEXT_STREAM, 3))).all()
    assert (texts.text_stream(12, 3).integers(0, 1 << 62, 4) != key((texts.TEXT_STREAM, 3))).any()


def test_scale_multiplies_the_network(tmp_path):
    path = generate(tmp_path / "s", seed=3, years=(2023, 2023), scale=0.1, progress=None)
    c = read(path, "communities").query("platform == 'vk'")
    active = c[(c["created_at"] < END_2023) & (c["closed_at"].isna() | (c["closed_at"] >= END_2023))]
    assert len(active) == round(3465 * 0.1)
    assert len(read(path, "awards")) == round(179 * 0.1)
    assert read(path, "posts")["published_at"].max() < END_2023


@pytest.mark.parametrize("years, message", [("2022-2024", "must start at 2023"), ("2023-2021", "must start at 2023")])
def test_bad_years_are_refused(tmp_path, years, message):
    with pytest.raises(ValueError, match=message):
        generate(tmp_path / "x", years=years, progress=None)


def test_no_resident_identity_beyond_a_key(everything):
    full = everything
    keys = full["comments"].loc[full["comments"]["author_kind"] == "resident", "author_key"]
    assert keys.notna().all() and keys.str.fullmatch(r"[0-9a-f]{16}").all()
    assert full["comments"].loc[full["comments"]["author_kind"] == "page", "author_key"].isna().all()
    assert np.intersect1d(full["comments"].columns, ["name", "first_name", "from_id"]).size == 0


# --- weekly snapshots and week-scale rhythms (the weekly monitoring runs on them) --------------------

MONDAYS_2023 = pd.date_range("2023-01-02", "2023-12-25", freq="W-MON")


@pytest.fixture(scope="module")
def mondays(full):
    snaps = full["snapshots"]
    return snaps[snaps["as_of"].dt.day_of_week == 0].sort_values(["community_id", "as_of"])


def test_snapshots_every_monday_and_every_month_end(everything):
    full = everything  # every page of every platform is observed on every Monday it is open
    snaps, pages = full["snapshots"], full["communities"]
    dates = set(snaps["as_of"])
    assert set(MONDAYS_2023) <= dates
    assert set(pd.date_range("2022-12-31", "2025-12-31", freq="ME")) <= dates
    assert not snaps.duplicated(["community_id", "as_of"]).any()
    for monday in MONDAYS_2023[::13]:
        day = monday.tz_localize(TZ)
        open_ = pages[(pages["created_at"] <= day) & (pages["closed_at"].isna() | (pages["closed_at"] > day))]
        assert set(snaps.loc[snaps["as_of"] == monday, "community_id"]) == set(open_["community_id"])


def test_monday_and_month_end_snapshots_tell_one_story(full):
    snaps = full["snapshots"].sort_values(["community_id", "as_of"])
    # features that are never lost: once adopted, present on every later snapshot, Monday or month end
    for feature in ("has_avatar", "has_cover", "has_description", "has_contacts", "has_address", "gospublic_component"):
        flags = snaps[feature].astype(bool)
        lost = flags.groupby(snaps["community_id"]).diff().fillna(False) & ~flags
        assert not lost.any(), feature
    # a month end's subscribers lie near its neighbouring Mondays'
    members = snaps.pivot(index="as_of", columns="community_id", values="members_count").astype(float)
    month_end = pd.Timestamp("2023-06-30")
    before, after = members.loc[pd.Timestamp("2023-06-26")], members.loc[pd.Timestamp("2023-07-03")]
    ratio = (members.loc[month_end] / ((before + after) / 2)).dropna()
    assert (ratio.sub(1).abs() < 0.05).mean() > 0.97


def test_holiday_weeks_are_quieter(full):
    local = full["posts"]["published_at"].dt.tz_convert(TZ).dt.tz_localize(None)
    per_week = local.dt.normalize().sub(pd.to_timedelta(local.dt.day_of_week, unit="D")).value_counts()
    # 8-9 May and Monday 6 November 2023 are days off; their neighbours are ordinary weeks
    for holiday, neighbours in (("2023-05-08", ("2023-04-24", "2023-05-15", "2023-05-22")),
                                ("2023-11-06", ("2023-10-23", "2023-10-30", "2023-11-13"))):
        usual = per_week[[pd.Timestamp(d) for d in neighbours]].mean()
        assert per_week[pd.Timestamp(holiday)] < 0.92 * usual, holiday


def test_pages_lose_their_gov_mark_or_widgets_for_a_few_weeks(mondays):
    def lapses(flags: pd.Series) -> int:
        """Pages whose flag goes off for 1 to 4 Mondays and comes back."""
        count = 0
        for _, f in flags.groupby(mondays["community_id"]):
            runs = (f != f.shift()).cumsum()
            lengths = f.groupby(runs).agg(["first", "size"])
            inner = lengths.iloc[1:-1]
            count += int(((~inner["first"]) & inner["size"].between(1, 4)).any())
        return count

    in_2023 = mondays["as_of"].dt.year == 2023
    assert lapses(mondays.loc[in_2023, "gov_mark"].astype(bool)) > 50
    assert lapses(mondays.loc[in_2023, "widgets"].astype(int).gt(0)) > 50


def test_some_pages_go_silent_for_weeks_and_come_back(full):
    posts = full["posts"]
    local = posts["published_at"].dt.tz_convert(TZ).dt.tz_localize(None)
    week = (local.dt.normalize() - pd.Timestamp("2023-01-02")).dt.days // 7
    in_2023 = (week >= 0) & (week < 52)
    counts = posts[in_2023].groupby([posts.loc[in_2023, "community_id"], week[in_2023]]).size().unstack(fill_value=0)
    busy = counts[counts.mean(axis=1) >= 2]
    silent_spells = busy.apply(lambda row: (row.eq(0).astype(int).groupby(row.ne(0).cumsum()).sum() >= 3).any(), axis=1)
    assert silent_spells.sum() > 30


def test_some_pages_lose_many_subscribers_at_once(mondays):
    change = mondays.groupby("community_id")["members_count"].pct_change()
    assert (change < -0.08).sum() > 20


def test_every_weekly_action_list_has_entries_in_the_last_week_of_2023(full_dataset_dir):
    from gospub_analysis import open_source
    from gospub_analysis.weekly import KINDS, action_items

    items = action_items(open_source(full_dataset_dir), "2023-12-25")
    counts = items["kind"].value_counts()
    assert set(counts.index) == set(KINDS) and (counts > 0).all()


# --- the other platforms: OK pages and Telegram channels of the same organisations ------------------

@pytest.fixture(scope="module")
def by_platform(everything):
    pages = everything["communities"].merge(everything["organizations"], on="org_id", suffixes=("", "_org"))
    return pages


def test_ok_and_telegram_pages_in_plausible_shares(everything, by_platform):
    orgs = everything["organizations"]
    with_vk = set(by_platform.loc[by_platform["platform"] == "vk", "org_id"])
    ok = by_platform[by_platform["platform"] == "ok"]
    tg = by_platform[by_platform["platform"] == "telegram"]
    # most organisations with a VK page also run an OK page; a few run an OK page only
    assert 0.5 < ok["org_id"].isin(with_vk).sum() / len(with_vk) < 0.75
    assert 0 < (~ok["org_id"].isin(with_vk)).sum() < 0.05 * len(ok)
    assert 0.08 < len(tg) / len(with_vk) < 0.25
    assert ok["org_id"].is_unique and tg["org_id"].is_unique
    # OK is more common in rural districts than in the city, Telegram the other way round
    share = lambda part, muni: part["municipality"].eq(muni).sum() / orgs["municipality"].eq(muni).sum()  # noqa: E731
    rural = orgs.loc[~orgs["municipality"].str.startswith(("г. ", "р.п. ")), "municipality"]
    ok_rural = ok["municipality"].isin(rural).sum() / orgs["municipality"].isin(rural).sum()
    assert ok_rural > share(ok, "г. Новосибирск") + 0.15
    assert share(tg, "г. Новосибирск") > 1.5 * tg["municipality"].isin(rural).sum() / orgs["municipality"].isin(rural).sum()
    # Telegram channels belong to government bodies far more often than to schools
    per_sector = lambda part, s: part["sector"].eq(s).sum() / by_platform.query("platform == 'vk'")["sector"].eq(s).sum()  # noqa: E731
    assert per_sector(tg, "government") > 3 * per_sector(tg, "education")
    assert per_sector(ok, "culture") > per_sector(ok, "education")


def test_ok_audience_comments_less_and_cross_posts_from_vk(everything, by_platform):
    posts, comments = everything["posts"], everything["comments"]
    platform = posts["community_id"].str.split(":").str[0]
    residents = comments[comments["author_kind"] == "resident"]
    per_post = residents.groupby(residents["community_id"].str.split(":").str[0]).size() / platform.value_counts()
    assert per_post["ok"] < 0.5 * per_post["vk"]
    # OK topics: views known for most, a few without; the page answers residents there too
    ok_posts = posts[platform == "ok"]
    assert 0 < ok_posts["views"].isna().mean() < 0.1
    ok_comments = comments[comments["community_id"].str.startswith("ok:")]
    assert (ok_comments["author_kind"] == "page").sum() > 0.2 * (ok_comments["author_kind"] == "resident").sum()
    # most OK posts follow a VK post of the same organisation within an hour, on the same local day
    org = by_platform.set_index("community_id")["org_id"]
    frame = posts.assign(org=posts["community_id"].map(org), platform=platform).sort_values("published_at")
    ok_side = frame[frame["platform"] == "ok"]
    vk_side = frame[frame["platform"] == "vk"][["org", "published_at"]].rename(columns={"published_at": "vk_at"})
    matched = pd.merge_asof(ok_side, vk_side.sort_values("vk_at"), left_on="published_at", right_on="vk_at",
                            by="org", direction="backward")
    lag = matched["published_at"] - matched["vk_at"]
    assert (lag <= pd.Timedelta(hours=1)).mean() > 0.5
    same_day = matched["published_at"].dt.tz_convert(TZ).dt.date == matched["vk_at"].dt.tz_convert(TZ).dt.date
    assert (same_day & (lag <= pd.Timedelta(hours=12))).mean() > 0.6


def test_telegram_has_reactions_only_and_no_views(everything):
    posts = everything["posts"]
    tg = posts[posts["community_id"].str.startswith("telegram:")]
    assert len(tg) > 10_000
    assert tg["views"].isna().all()
    assert (tg["comments"] == 0).all() and (tg["reposts"] == 0).all() and tg["likes"].gt(0).mean() > 0.5
    assert not everything["comments"]["community_id"].str.startswith("telegram:").any()


def test_other_platforms_follow_their_vk_page_and_win_no_awards(everything, by_platform):
    assert set(everything["awards"]["community_id"].str.split(":").str[0]) == {"vk"}
    vk = by_platform[by_platform["platform"] == "vk"].set_index("org_id")
    other = by_platform[(by_platform["platform"] != "vk") & by_platform["org_id"].isin(vk.index)]
    closed_vk = vk.loc[other["org_id"], "closed_at"].to_numpy()
    # a page closes when its organisation's VK page closes (within 20 days), and never before it opens
    has_closed = ~pd.isna(closed_vk)
    assert other["closed_at"].notna().to_numpy()[has_closed].all()
    assert other["closed_at"].isna().to_numpy()[~has_closed].all()
    assert set(everything["communities"]["platform"]) == {"vk", "ok", "telegram"}


def test_the_source_says_the_published_figures_describe_vk(full_dataset_dir):
    from gospub_analysis import open_source

    source = open_source(full_dataset_dir)
    assert source.published_platforms == ("vk",) and source.calibrated_platforms == ("vk",)


def test_tables_are_written_in_key_order(everything):
    """Readers of the files (and byte-identical regeneration) rely on rows ordered by their key."""
    for table, key in (("communities", ["community_id"]), ("snapshots", ["community_id", "as_of"]),
                       ("posts", ["community_id", "post_id"]), ("comments", ["community_id", "comment_id"])):
        frame = everything[table]
        assert frame.sort_values(key, kind="stable").index.equals(frame.index), table
# --- generation at the country's scale ----------------------------------------------------------------

def test_clock_changes_of_novosibirsk_localize():
    """A creation time inside the 2016 skipped hour moves to 03:00 (+07); one inside the 2014 repeated
    hour is read as its second occurrence (+06); other times as usual."""
    from gospub_analysis.synthetic.network import Timeline

    timeline = Timeline(start=pd.Timestamp("2022-12-01"), end=pd.Timestamp("2024-01-01"))
    local = pd.Series(pd.to_datetime(["2016-07-24 02:42:46", "2014-10-26 01:30:00", "2023-05-01 12:00:00", None]))
    assert timeline.utc(local).tolist()[:3] == [pd.Timestamp("2016-07-23 20:00", tz="UTC"),
                                                pd.Timestamp("2014-10-25 19:30", tz="UTC"),
                                                pd.Timestamp("2023-05-01 05:00", tz="UTC")]
    assert timeline.utc(local).isna().tolist() == [False, False, False, True]


def test_network_at_scale_20_is_valid():
    """The network tables at scale 20 (about 80,000 organisations and 74,000 pages): every ОГРН and org
    id unique although invented numbers repeat at that size, and a page created in the hour the clocks
    skipped in 2016 gets a creation time (scale 20 failed on both before)."""
    from gospub_analysis.dataset.validation import validate_tables
    from gospub_analysis.synthetic import names, network
    from gospub_analysis.synthetic.generator import TARGETS_2023, network_tables

    streams = [np.random.default_rng(s) for s in np.random.SeedSequence(2023).spawn(12)]
    timeline = network.Timeline(start=pd.Timestamp("2022-12-01"), end=pd.Timestamp("2026-01-01"))
    orgs, traits, communities = network_tables(streams, timeline, [2023, 2024, 2025], TARGETS_2023["pages_active"] * 20)
    assert len(set(names.ogrn(np.random.default_rng(0), len(orgs)))) < len(orgs)  # raw draws do repeat
    skipped = traits["created_local"].between(pd.Timestamp("2016-07-24 02:00"), pd.Timestamp("2016-07-24 02:59:59"))
    assert skipped.sum() >= 1
    assert (communities.loc[skipped.to_numpy(), "created_at"] == pd.Timestamp("2016-07-23 20:00", tz="UTC")).all()
    organizations = orgs[["org_id", "name", "level", "founder", "sector", "municipality", "ogrn", "no_page_reason"]]
    tables = validate_tables({"organizations": organizations, "communities": communities},
                             names=["organizations", "communities"])
    assert tables["organizations"]["ogrn"].is_unique and tables["communities"]["created_at"].notna().all()


def test_posts_per_page_sets_the_volume_apart_from_the_network(tmp_path):
    path = generate(tmp_path / "p", seed=3, years=(2023, 2023), scale=0.1, posts_per_page=300, progress=None)
    c = read(path, "communities")
    c = c[c["platform"] == "vk"]  # the option sets the VK pages' volume; OK and Telegram follow their VK pages
    active = c[(c["created_at"] < END_2023) & (c["closed_at"].isna() | (c["closed_at"] >= END_2023))]
    assert len(active) == round(3465 * 0.1)
    all_posts = read(path, "posts")
    posts = int(in_2023(all_posts.loc[all_posts["community_id"].str.startswith("vk:"), "published_at"]).sum())
    assert abs(posts - 300 * len(active)) < 5 * np.sqrt(300 * len(active))  # Poisson noise around the target
    manifest = json.loads((path / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["provenance"]["posts_per_page"] == 300
    assert manifest["provenance"]["calibration_2023"]["posts"] == 300 * len(active)
    with pytest.raises(ValueError, match="--posts-per-page must be positive"):
        generate(tmp_path / "x", posts_per_page=0, progress=None)


def test_post_ids_follow_the_stable_order_of_page_and_time():
    """`assign_post_ids` orders by (page, published_at) as pandas' stable sort does (ties keep their order)
    and numbers each page's posts from 1, as the former sort_values + groupby cumcount did."""
    from gospub_analysis.synthetic import activity

    rng = np.random.default_rng(5)
    n = 4000
    posts = pd.DataFrame({"page": rng.integers(0, 30, n),
                          "published_at": np.datetime64("2023-01-01T00:00:00", "us")
                          + rng.integers(0, 50, n).astype("timedelta64[h]"),  # many ties
                          "tag": np.arange(n)})
    traits = pd.DataFrame({"era": np.where(np.arange(30) % 3 == 0, "pre", "new")})
    got = activity.assign_post_ids(np.random.default_rng(9), posts, traits)
    expected = posts.sort_values(["page", "published_at"], kind="stable").reset_index(drop=True)
    base = np.where(traits["era"].eq("pre").to_numpy(), np.random.default_rng(9).integers(200, 6000, 30), 0)
    expected["post_id"] = base[expected["page"].to_numpy()] + expected.groupby("page").cumcount().to_numpy() + 1
    pd.testing.assert_frame_equal(got, expected, check_exact=True)
    first = got.groupby("page")["post_id"].first().to_numpy() - base[got.groupby("page")["page"].first().to_numpy()]
    assert (first == 1).all()
