"""The content analyses on a hand-built dataset: engagement worked out by hand (unknown views, a page with
zero subscribers, a post before any snapshot), content types, top posts, timing, copies and rubrics."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from gospub_analysis import content, open_source
from gospub_analysis.content import copies, engagement, rubrics, timing, top, types
from gospub_analysis.dataset import write_dataset

import quality_fixture as fx

POSTS = [
    # community, post, local time, content type, views, likes, comments, reposts
    ("vk:1", 1, "2023-01-10 12:00", "photo", 300, 5, 3, 1),  # subscribers 900 (snapshot of 15 Dec 2022)
    ("vk:1", 2, "2023-02-01 12:00", "video", None, 10, 0, 0),  # 1000; views unknown
    ("vk:1", 3, "2023-02-02 12:00", "live", 600, 20, 5, 5),  # 1000
    ("vk:2", 1, "2023-03-01 12:00", "text", 40, 4, 0, 0),  # the page has 0 subscribers
    ("vk:3", 1, "2023-01-10 12:00", "photo", 100, 2, 0, 0),  # before the page's first snapshot: unknown
    ("vk:3", 2, "2023-03-01 12:00", "photo", 1000, 40, 10, 10),  # 2000
]


def _tables(with_content: bool = True) -> dict[str, pd.DataFrame]:
    tables = fx.tables()
    snaps = tables["snapshots"]
    snaps.loc[snaps["community_id"] == "vk:2", "members_count"] = 0
    rows = pd.DataFrame(POSTS, columns=["community_id", "post_id", "local", "content_type", "views", "likes",
                                        "comments", "reposts"])
    posts = rows.assign(
        published_at=[fx.local(t) for t in rows["local"]], kind="original", text_length=10,
        has_photo=rows["content_type"].eq("photo"), has_video=rows["content_type"].isin(["video", "live"]),
        is_live=rows["content_type"].eq("live"), views=rows["views"].astype("Int64"),
        text=[f"Текст публикации номер {i} страницы" for i in range(len(rows))]).drop(columns="local")
    posts["published_at"] = posts["published_at"].astype("datetime64[us, UTC]")
    tables["posts"] = posts if with_content else posts.drop(columns=["content_type", "text"])
    tables["comments"] = tables["comments"].iloc[:0]
    return tables


@pytest.fixture(scope="module")
def source(tmp_path_factory):
    return open_source(write_dataset(tmp_path_factory.mktemp("content") / "ds", _tables(), fx.MANIFEST))


@pytest.fixture(scope="module")
def posts(source):
    return content.year_posts(source, 2023)


def test_audience_at_the_time_of_each_post(posts):
    subs = posts.set_index(["community_id", "post_id"])["subscribers"]
    assert subs[("vk:1", 1)] == 900 and subs[("vk:1", 2)] == 1000 and subs[("vk:2", 1)] == 0
    assert subs[("vk:3", 2)] == 2000 and pd.isna(subs[("vk:3", 1)])
    assert posts.set_index(["community_id", "post_id"]).loc[("vk:1", 1), "interactions"] == 9


def test_engagement_per_page_by_hand(posts):
    pages = engagement.by_page(posts).set_index("community_id")
    assert pages.loc["vk:1", "er"] == pytest.approx(49 / 2900)
    assert pages.loc["vk:1", "err"] == pytest.approx(39 / 900)  # the post without views is left out, not zero
    assert pages.loc["vk:1", "reach_rate"] == pytest.approx(900 / 1900)
    assert pages.loc["vk:1", "posts_with_views"] == 2 and pages.loc["vk:1", "share_with_views"] == pytest.approx(2 / 3)
    assert np.isnan(pages.loc["vk:2", "er"]) and np.isnan(pages.loc["vk:2", "reach_rate"])  # zero subscribers
    assert pages.loc["vk:2", "err"] == pytest.approx(0.1)
    assert pages.loc["vk:3", "er"] == pytest.approx(60 / 2000) and pages.loc["vk:3", "err"] == pytest.approx(62 / 1100)
    assert pages.loc["vk:3", "reach_rate"] == pytest.approx(0.5)
    # against the sector: education's median page ER is vk:1's own (vk:2 has none)
    assert pages.loc["vk:1", "er_vs_sector"] == pytest.approx(1.0)
    assert np.isinf(pages[["er", "err", "reach_rate"]].to_numpy(dtype=float)).sum() == 0


def test_engagement_per_sector_and_month_by_hand(posts):
    sectors = engagement.by_group(posts, "sector").set_index("sector")
    assert sectors.loc["education", "er"] == pytest.approx(49 / 2900)
    assert sectors.loc["education", "err"] == pytest.approx(43 / 940)
    assert sectors.loc["education", "pages"] == 2 and sectors.loc["education", "posts"] == 4
    months = engagement.by_month(posts).set_index("month")
    february = months.loc[pd.Timestamp("2023-02-01")]
    assert february["er"] == pytest.approx(40 / 2000) and february["err"] == pytest.approx(30 / 600)
    assert february["share_with_views"] == pytest.approx(0.5)


def test_engagement_of_each_type_with_an_interval(posts):
    by_type = types.engagement_by_type(posts, n_boot=200).set_index("content_type")
    assert by_type.loc["photo", "er"] == pytest.approx(69 / 2900)
    assert by_type.loc["photo", "posts"] == 3 and by_type.loc["photo", "pages"] == 2
    assert np.isnan(by_type.loc["text", "er"])  # its only page has zero subscribers: unknown, not zero
    known = by_type.dropna(subset=["er"])
    assert (known["er_low"] <= known["er"] + 1e-12).all() and (known["er"] <= known["er_high"] + 1e-12).all()
    # lift: vk:1's mean is 49/3 a post, so its live stream got 30 / (49/3) of a usual post
    assert by_type.loc["live", "lift"] == pytest.approx(30 / (49 / 3))
    mix = types.mix(posts).set_index("content_type")
    assert mix.loc["photo", "share"] == pytest.approx(0.5) and mix["share"].sum() == pytest.approx(1)


def test_top_posts_by_engagement_relative_to_the_audience(posts):
    best = top.top_posts(posts, n=10)
    assert list(zip(best["community_id"], best["post_id"])) == [("vk:3", 2), ("vk:1", 3), ("vk:1", 2), ("vk:1", 1)]
    assert best["link"].iloc[0] == "https://vk.com/wall-3_2" and best["rank"].tolist() == [1, 2, 3, 4]
    monthly = top.top_by_month(posts, n=1)
    assert monthly.set_index("month").loc[pd.Timestamp("2023-02-01"), "post_id"] == 3


def test_weekday_hour_in_local_time(posts):
    cells = timing.weekday_hour(posts, min_posts=1).set_index(["weekday", "hour"])
    assert cells.loc[(1, 12), "posts"] == 2  # Tuesday 10 January, 12:00 local (05:00 UTC)
    assert cells["posts"].sum() == len(posts)
    assert np.isnan(timing.weekday_hour(posts, min_posts=3).set_index(["weekday", "hour"]).loc[(1, 12), "lift"])


def test_a_dataset_without_texts_or_content_types_still_runs(tmp_path):
    source = open_source(write_dataset(tmp_path / "ds", _tables(with_content=False), fx.MANIFEST))
    c = content.content_year(source, 2023)
    assert c.posts["text"].isna().all() and not c.has_texts and c.rubric_mix is None
    derived = c.posts.set_index(["community_id", "post_id"])["content_type"]
    assert derived[("vk:1", 3)] == "live" and derived[("vk:1", 2)] == "video" and derived[("vk:2", 1)] == "text"
    assert c.pages.set_index("community_id").loc["vk:1", "er"] == pytest.approx(49 / 2900)


NEAR_COPIES = [
    ("vk:1", "Внимание! Введён особый противопожарный режим. Запрещено разводить костры. https://mchs.gov.ru #МЧС"),
    ("vk:2", "ВНИМАНИЕ!!! Введён  особый противопожарный режим — запрещено разводить костры 🔥 #Школа5"),
    ("vk:3", "внимание, введен особый противопожарный режим: запрещено разводить костры"),
    ("vk:4", "Внимание! Введён особый противопожарный режим. Разрешено разводить костры."),  # one word differs
    ("vk:1", "С праздником!"), ("vk:2", "С праздником!"), ("vk:3", "С праздником!"),  # too short to compare
    ("vk:1", "Приглашаем родителей на собрание в четверг в 18:00, кабинет 12."),
    ("vk:1", "Приглашаем родителей на собрание в четверг в 18:00, кабинет 12!"),
    ("vk:5", "[club1|Школа 1] приглашает родителей на собрание в четверг в 18:00, кабинет 12"),
]


def test_copies_found_on_hand_written_near_copies():
    frame = pd.DataFrame(NEAR_COPIES, columns=["community_id", "text"]).assign(
        post_id=range(len(NEAR_COPIES)), kind=["repost", "original", "repost"] + ["original"] * 7,
        local_time=pd.Timestamp("2023-04-01 10:00"), sector="education", municipality="Болотнинский", interactions=1)
    marked = copies.with_copies(frame)
    assert marked["is_copy"].tolist() == [True, True, True] + [False] * 7
    assert marked["copy_pages"].iloc[:4].tolist() == [3, 3, 3, 1]
    assert marked["text_hash"].iloc[4:7].isna().all()
    assert marked["text_hash"].iloc[7] == marked["text_hash"].iloc[8]  # one page twice: the same text, no group
    assert marked["copy_pages"].iloc[7] == 1  # «[club1|Школа 1] приглашает» is another text
    groups = copies.groups(marked)
    assert groups[["pages", "posts", "reposts"]].values.tolist() == [[3, 3, 2]]
    summary = copies.summary(marked)
    assert summary["regional_repost_share"] == pytest.approx(2 / 10) and summary["copy_share"] == pytest.approx(0.3)
    assert copies.normalise(pd.Series(["Ёлка — [id5|Иван]! 🎄 vk.com/club1"])).iloc[0] == "елка иван"


def test_rubric_classifier_beats_the_majority_class_on_held_out_posts():
    evaluation = rubrics.evaluate()
    assert evaluation.test_size == 45 and evaluation.train_size == 105
    assert evaluation.macro["recall"] >= 0.65 and evaluation.macro["f1"] >= 0.65
    assert evaluation.macro["baseline_f1"] < 0.1 and evaluation.macro["baseline_accuracy"] < 0.2
    per = evaluation.per_rubric.set_index("rubric")
    assert (per["recall"] >= 0.5).sum() >= 5 and per.loc["news", "recall"] >= 0.8


def test_fast_counts_are_the_vectorizers_counts():
    model = rubrics.train()
    texts = pd.Series([*rubrics.load_sample()["text"], "Ёжики и ЁЛКИ: школами, школы, школе!", "", None,
                       "english words 123 и цифры2023 слово-слово", "родителей-собрание школы-школа, школами",
                       # breaks that are not ASCII whitespace stay inside a token and still part its words
                       "школами\u00a0школы\u2003праздник\u3000приглашаем\u2028родителей\u0085собрание",
                       *[t.replace(" ", "\u00a0") for t in rubrics.load_sample()["text"].iloc[:20]]])
    vectorizer = model.named_steps["counts"]
    expected = vectorizer.transform(texts.fillna(""))
    counts = rubrics.fast_counts(texts, vectorizer.vocabulary_)
    assert (counts != expected).nnz == 0
    # the same matrix to the next step too: sublinear tf-idf takes the log of each stored count, so a column
    # stored twice in a row would weigh 1 + 1 instead of 1 + log 2
    tfidf = model.named_steps["tfidf"]
    assert counts.has_canonical_format
    assert np.array_equal(tfidf.transform(counts).toarray(), tfidf.transform(expected).toarray())
    assert rubrics.stems("школами школы школе") == ["школ", "школ", "школ"]


def test_rubrics_assigned_to_posts_and_useful_share():
    frame = pd.DataFrame({"community_id": ["vk:1", "vk:1", "vk:2"], "text": [
        "График приёма граждан: вторник и четверг с 9 до 13, запись по телефону приёмной.",
        "С Днём Победы, дорогие ветераны! Вечная память героям.", None]})
    rubric = rubrics.assign(frame)
    assert rubric.tolist()[:2] == ["useful", "holiday"] and pd.isna(rubric.iloc[2])
    share = rubrics.useful_share(frame, rubric).set_index("community_id")
    assert share.loc["vk:1", "useful_share"] == pytest.approx(0.5) and "vk:2" not in share.index


def test_page_card_content_mix_and_best_posts(source):
    part = content.page_content(source, "vk:1", pd.Timestamp("2023-02-27"))
    mix = part.mix.set_index("content_type")
    assert mix.loc["photo", "page_posts"] == 1 and mix.loc["live", "page_share"] == pytest.approx(1 / 3)
    assert mix.loc["text", "sector_share"] == pytest.approx(1 / 4)  # education: vk:1's three posts and vk:2's one
    assert part.best_posts["post_id"].tolist() == [3, 2, 1]
    assert part.best_posts["link"].iloc[0] == "https://vk.com/wall-1_3"
    shown = content.tables.page_best(part)
    assert shown["Ссылка"].iloc[0] == '<a href="https://vk.com/wall-1_3">открыть</a>'


def test_one_municipality_and_a_clear_error_for_an_unknown_one(source):
    berdsk = content.year_posts(source, 2023, "г. Бердск")
    assert set(berdsk["community_id"]) == {"vk:3"} and len(berdsk) == 2
    with pytest.raises(ValueError, match="municipality 'Бердск' is not in the dataset .*known: Болотнинский, г. Бердск"):
        content.year_posts(source, 2023, "Бердск")


def test_one_page_holds_at_most_a_few_places(posts):
    best = top.top_posts(posts, n=10, per_page=2)
    assert list(zip(best["community_id"], best["post_id"])) == [("vk:3", 2), ("vk:1", 3), ("vk:1", 2)]


def test_a_snapshot_late_on_the_years_last_day_counts(tmp_path):
    """The as-of join reads only snapshots before the end of the period (plus a day: local time runs ahead of
    UTC): a snapshot taken at 20:00 local on 31 December is the audience of a post at 23:30 that night."""
    tables = _tables()
    snaps = tables["snapshots"]
    late = snaps[snaps["community_id"] == "vk:1"].tail(1).assign(as_of=pd.Timestamp("2023-12-31 20:00"),
                                                                 members_count=1234)
    tables["snapshots"] = pd.concat([snaps, late], ignore_index=True)
    posts = tables["posts"]
    night = posts.iloc[[0]].assign(post_id=99, published_at=fx.local("2023-12-31 23:30"))
    night["published_at"] = night["published_at"].astype("datetime64[us, UTC]")
    tables["posts"] = pd.concat([posts, night], ignore_index=True)
    year = content.year_posts(open_source(write_dataset(tmp_path / "ds", tables, fx.MANIFEST)), 2023)
    subs = year.set_index(["community_id", "post_id"])["subscribers"]
    assert subs[("vk:1", 99)] == 1234 and subs[("vk:1", 3)] == 1000


def _top_by_month_reference(posts: pd.DataFrame, n: int) -> pd.DataFrame:
    """top_by_month as it was written before the shared ranking: its own ranking of a slim copy, the chosen
    posts found again among all posts by their key (the reference)."""
    slim = engagement.post_measures(
        posts[["community_id", "post_id", "interactions", "subscribers", "views", "local_time"]])
    slim = slim[slim["subscribers"].astype("float64").ge(top.MIN_SUBSCRIBERS) & slim["er"].notna()]
    slim = slim.sort_values(["er", "interactions", "community_id", "post_id"],
                            ascending=[False, False, True, True]).reset_index(drop=True)
    slim["month"] = slim["local_time"].dt.to_period("M").dt.to_timestamp()
    slim = slim[slim.groupby(["month", "community_id"]).cumcount() == 0]
    chosen = slim.groupby("month", sort=True).head(n)
    keys = pd.MultiIndex.from_frame(chosen[["community_id", "post_id"]])
    rows = posts[pd.MultiIndex.from_frame(posts[["community_id", "post_id"]]).isin(keys)]
    best = chosen[["community_id", "post_id", "month", "er", "err", "reach_rate"]].merge(
        rows, on=["community_id", "post_id"]).sort_values(["month", "er", "interactions", "community_id", "post_id"],
                                                          ascending=[True, False, False, True, True])
    best = best.assign(rank=best.groupby("month").cumcount() + 1)
    return top.with_links(best.reset_index(drop=True))


def test_top_posts_share_one_ranking_on_a_generated_year(small_dataset_dir):
    year = content.year_posts(open_source(small_dataset_dir), 2023)
    # the posts under labels that are not their positions: the ranking keeps the posts' own index
    shuffled = year.iloc[np.random.default_rng(1).permutation(len(year))]
    shuffled.index = np.arange(len(year))[::-1] * 3 + 5
    order = top.ranked(shuffled)
    assert order.index.isin(shuffled.index).all() and order["er"].is_monotonic_decreasing
    for posts, shared in ((year, None), (shuffled, order)):
        months = top.top_by_month(posts, order=shared)
        assert len(months) == 36 and months["month"].nunique() == 12
        pd.testing.assert_frame_equal(months, _top_by_month_reference(year, top.PER_MONTH), check_exact=True)
        pd.testing.assert_frame_equal(top.top_posts(posts, order=shared), top.top_posts(year), check_exact=True)
