import numpy as np
import pandas as pd
import pytest

from gospub_analysis import config, metrics, open_source, ranking, replicate_sums, wording

import quality_fixture as fx

METHOD = """
name = "test_method"
version = "0.1"
eligible_platforms = ["vk"]
[normalisation]
peers = ["sector"]
[normalisation.municipality_size]
bounds = [50000]
labels = ["small", "big"]

[criteria.a]
label = "А"
weight = 2
indicators.answered_share = { weight = 1, normalise = "identity", missing = "neutral" }
indicators.live_streams = { weight = 1, normalise = "capped", cap = 10 }

[criteria.b]
label = "Б"
weight = 1
indicators.median_reply_working_hours = { weight = 1, normalise = "percentile", higher_is_better = false, missing = "neutral" }

[criteria.c]
label = "В"
weight = 1
indicators.members_mean = { weight = 1, normalise = "percentile", peers = ["sector", "municipality_size"] }

[[gates]]
code = "sector_not_awarded"
label = "сфера не участвует"
column = "sector"
op = "in"
value = ["education", "culture"]

[[gates]]
code = "not_active_all_year"
label = "не весь год"
column = "active_all_year"
op = "true"

[[gates]]
code = "too_few_posts"
label = "мало постов"
column = "posts"
op = "ge"
value = 52

[selection]
n_winners = 3
rule = "sector_quotas"
group_by = "sector"
min_per_group = 1

[ties]
order = ["b", "a", "c"]
"""


@pytest.fixture
def method(tmp_path):
    path = tmp_path / "m.toml"
    path.write_text(METHOD, encoding="utf-8")
    return ranking.load_methodology(path)


def indicators() -> pd.DataFrame:
    rows = [
        # id, sector, population, active, posts, answered, live, median reply wh, members
        ("P1", "education", 20_000, True, 100, 1.0, 5, 2.0, 100),
        ("P2", "education", 20_000, True, 100, 0.5, 10, 4.0, 200),
        ("P3", "education", 20_000, True, 100, np.nan, 20, np.nan, 300),
        ("P4", "culture", 20_000, False, 100, 0.5, 5, 1.0, 50),
        ("P5", "culture", 200_000, False, 10, 0.75, 0, 1.0, 50),
        ("P6", "culture", 200_000, True, 100, 0.6, 3, 3.0, 80),
        ("P7", "culture", 200_000, True, 100, 0.6, 3, 3.0, 80),
        ("P8", "government", 20_000, True, 100, 1.0, 10, 1.0, 1000),
    ]
    frame = pd.DataFrame(rows, columns=["community_id", "sector", "municipality_population", "active_all_year",
                                        "posts", "answered_share", "live_streams", "median_reply_working_hours",
                                        "members_mean"])
    return frame.assign(name=frame["community_id"], org_name="org", municipality="м", platform="vk")


# hand-computed: 100 x (0.5 a + 0.25 b + 0.25 c), see the test docstring
EXPECTED = {"P1": 60.416667, "P2": 56.25, "P3": 70.833333, "P4": 56.25, "P5": 41.666667,
            "P6": 45.416667, "P7": 45.416667, "P8": 75.0}


def test_scores_by_hand(method):
    """a = mean(answered or 0.5 when unknown, live / 10 capped); b = 1 - mid-rank percentile of
    the reply time in the sector (unknown: 0.5); c = mid-rank percentile of subscribers in
    sector x size class. E.g. P1: a = (1 + 0.5) / 2, b = 1 - (1 - 0.5) / 2, c = 0.5 / 3."""
    s = ranking.score(indicators(), method).set_index("community_id")
    assert s.loc["P1", ["a", "b", "c"]].tolist() == pytest.approx([0.75, 0.75, 1 / 6])
    assert s.loc["P3", ["a", "b", "c"]].tolist() == pytest.approx([0.75, 0.5, 5 / 6])
    assert s.loc["P6", ["a", "b", "c"]].tolist() == pytest.approx([0.45, 0.25, 2 / 3])
    for page, expected in EXPECTED.items():
        assert s.loc[page, "score"] == pytest.approx(expected, abs=1e-5), page
    assert s.attrs["methodology"] == "test_method" and s.attrs["methodology_version"] == "0.1"
    assert (s["methodology"] == "test_method v0.1").all()


def test_eligibility_reasons(method):
    s = ranking.score(indicators(), method).set_index("community_id")
    assert s.loc["P4", "exclusion_reason"] == "not_active_all_year"
    assert s.loc["P5", "exclusion_reason"] == "not_active_all_year; too_few_posts"
    assert s.loc["P8", "exclusion_reason"] == "sector_not_awarded"
    assert s.loc["P1", "exclusion_reason"] == "" and s.loc["P1", "eligible"]
    assert s["rank"].isna().tolist() == (~s["eligible"]).tolist()
    assert not s.loc["P8", "winner"]  # best score, but not eligible


def test_ranks_ties_and_quota_selection(method):
    s = ranking.score(indicators(), method)
    eligible = s[s["eligible"]]
    assert eligible["community_id"].tolist() == ["P3", "P1", "P2", "P6", "P7"]
    assert eligible["rank"].tolist() == [1, 2, 3, 4, 5]
    # P6 and P7 tie exactly: flagged, ordered by page id after the tie criteria
    assert s.set_index("community_id")["tied"].to_dict() == {
        "P3": False, "P1": False, "P2": False, "P6": True, "P7": True, "P8": False, "P4": False, "P5": False}
    # 3 seats for 3 education + 2 culture pages: 1 each, then the remainder to education
    assert s.attrs["seats"] == {"culture": 1, "education": 2}
    assert sorted(s.loc[s["winner"], "community_id"]) == ["P1", "P3", "P6"]
    top2 = ranking.score(indicators(), method, n_winners=2)
    assert sorted(top2.loc[top2["winner"], "community_id"]) == ["P3", "P6"]


def test_top_n_rule(method):
    from dataclasses import replace
    s = ranking.score(indicators(), replace(method, rule="top_n"))
    assert sorted(s.loc[s["winner"], "community_id"]) == ["P1", "P2", "P3"]


def test_allocate_seats():
    sizes = pd.Series({"a": 90, "b": 9, "c": 1})
    assert ranking.allocate_seats(sizes, 10, minimum=1).to_dict() == {"a": 8, "b": 1, "c": 1}
    assert ranking.allocate_seats(sizes, 10).to_dict() == {"a": 9, "b": 1, "c": 0}
    assert ranking.allocate_seats(pd.Series({"a": 2, "b": 1}), 10).sum() == 3


def test_agreement_and_disagreements(method):
    s = ranking.score(indicators(), method)
    official = pd.Index(["P3", "P2", "P7"])
    a = ranking.agreement(s, official)
    assert (a["precision"], a["recall"], a["jaccard"]) == pytest.approx((1 / 3, 1 / 3, 1 / 5))
    assert a["auc"] == pytest.approx(8 / 15)  # 4 + 2.5 + 1.5 won pairs of 15
    d = ranking.disagreements(s, official, method).set_index("community_id")
    assert d["kind"].to_dict() == {"P1": "only_ours", "P6": "only_ours", "P2": "only_official", "P7": "only_official"}
    # P1 beats the awarded education pages on reply time: 0.25 x (0.75 - 0.375) x 100
    assert d.loc["P1", "criterion"] == "b" and d.loc["P1", "gap_points"] == pytest.approx(9.375)
    assert d.loc["P2", "criterion"] == "b" and d.loc["P2", "gap_points"] == pytest.approx(-9.375)


def test_official_list():
    awards = pd.DataFrame({"year": [2023, 2023, 2024], "community_id": ["a", "b", "a"],
                           "award": ["quality_mark", "other", "quality_mark"]})
    assert ranking.official_list(awards, 2023).tolist() == ["a"]


def test_project_methodology_loads_and_covers_public_criteria():
    m = ranking.load_methodology(config.METHODOLOGY_DIR / "quality_mark.toml")
    assert m.name == "quality_mark" and m.version
    assert {c.name for c in m.criteria} == {"design", "regularity", "content", "responsiveness", "live", "audience"}
    assert sum(m.weights.values()) == pytest.approx(1)
    columns = {i.column for c in m.criteria for i in c.indicators}
    assert {"gov_mark", "widgets_mean", "gospublic_component", "weeks_3plus_share", "months_without_posts",
            "reach_rate", "err", "original_share", "answered_share", "median_reply_working_hours",
            "answered_24h_share", "live_streams", "months_with_live", "members_mean", "members_growth"} <= columns


def test_only_pages_of_the_eligible_platforms_are_ranked(method):
    """An OK page with the best figures of all is neither ranked nor a peer: P1..P8 score as without it."""
    frame = indicators()
    ok = frame[frame["community_id"] == "P8"].assign(community_id="OK1", sector="education", platform="ok",
                                                      members_mean=10_000)
    s = ranking.score(pd.concat([frame, ok], ignore_index=True), method).set_index("community_id")
    assert "OK1" not in s.index and s.attrs["platforms"] == ("vk",)
    for page, expected in EXPECTED.items():
        assert s.loc[page, "score"] == pytest.approx(expected, abs=1e-5), page
    from dataclasses import replace
    both = ranking.score(pd.concat([frame, ok], ignore_index=True), replace(method, eligible_platforms=("vk", "ok")))
    assert "OK1" in set(both["community_id"])
    assert method.platforms_text() == "ВКонтакте"
    assert replace(method, eligible_platforms=("vk", "ok")).platforms_text() == "ВКонтакте и Одноклассники"


@pytest.mark.parametrize("replacement, expected", [
    ("", "eligible_platforms must be a non-empty list"),
    ("eligible_platforms = []\n", "eligible_platforms must be a non-empty list"),
    ('eligible_platforms = ["vk", "max"]\n', "unknown platform 'max'"),
])
def test_eligible_platforms_are_checked_on_load(tmp_path, replacement, expected):
    path = tmp_path / "p.toml"
    path.write_text(METHOD.replace('eligible_platforms = ["vk"]\n', replacement), encoding="utf-8")
    with pytest.raises(ValueError, match=expected):
        ranking.load_methodology(path)


def test_the_project_methodology_ranks_vk_pages():
    assert ranking.load_methodology().eligible_platforms == ("vk",)


def test_bad_methodology_is_reported(tmp_path):
    path = tmp_path / "bad.toml"
    path.write_text(METHOD.replace("answered_share = {", "no_such_column = {"), encoding="utf-8")
    with pytest.raises(ValueError, match="no_such_column"):
        ranking.load_methodology(path)


def test_stability_is_deterministic_and_consistent(tmp_path, method):
    source = open_source(fx.write(tmp_path / "ds"))
    from dataclasses import replace
    m = replace(method, gates=tuple(g for g in method.gates if g.code != "too_few_posts"))
    fixed = ranking.stability(source, 2023, m, n_winners=1, n_draws=5, resample_weeks=False, weight_spread=0)
    point = ranking.score(metrics.page_year(source, 2023), m, 1)
    winners = set(point.loc[point["winner"], "community_id"])
    assert set(fixed.loc[fixed["p_top_n"] == 1, "community_id"]) == winners
    assert fixed["p_top_n"].isin([0, 1]).all()
    one = ranking.stability(source, 2023, m, n_winners=1, n_draws=20, random_state=3)
    two = ranking.stability(source, 2023, m, n_winners=1, n_draws=20, random_state=3)
    pd.testing.assert_frame_equal(one, two)
    assert one["p_top_n"].between(0, 1).all()
    ranked = one.dropna(subset=["rank_low"])
    assert (ranked["rank_low"] <= ranked["rank_high"]).all()
    summary = ranking.stability_summary(one)
    assert sum(summary.values()) == len(one)


def test_shared_week_replicates_give_the_same_stability(tmp_path, method):
    source = open_source(fx.write(tmp_path / "ds"))
    from dataclasses import replace
    m = replace(method, gates=tuple(g for g in method.gates if g.code != "too_few_posts"))
    own = ranking.stability(source, 2023, m, n_winners=1, n_draws=15, random_state=4, weight_spread=0)
    weeks = ranking.week_replicates(source, 2023, 15, random_state=4)
    shared = ranking.stability(source, 2023, m, n_winners=1, random_state=4, weight_spread=0, replicates=weeks)
    pd.testing.assert_frame_equal(own, shared, check_like=True)
    assert shared.attrs["n_draws"] == 15
    assert weeks["replicate"].nunique() == 15


def test_n_winners_comes_from_the_methodology(tmp_path, method):
    """n_winners=None everywhere means the methodology file's number (3 in the test method)."""
    assert ranking.score(indicators(), method).attrs["n_winners"] == method.n_winners == 3
    assert ranking.score(indicators(), method, n_winners=2).attrs["n_winners"] == 2
    source = open_source(fx.write(tmp_path / "ds"))
    from dataclasses import replace
    m = replace(method, rule="top_n", n_winners=2, gates=())
    fixed = ranking.stability(source, 2023, m, n_draws=3, resample_weeks=False, weight_spread=0)
    assert fixed["p_top_n"].sum() == 2
    project = ranking.rank_pages(source, 2023)  # the project's methodology file
    assert project.attrs["n_winners"] == ranking.load_methodology().n_winners
    assert project.attrs["methodology"] == "quality_mark"


def test_year_indicators_are_computed_once_per_source(tmp_path, method, monkeypatch):
    """Ranking, the weights-only check and the week bootstrap share the cached year: one query
    for the observed year, and the year's cells pivoted once (`replicate_sums.YearMatrices`) for
    every bootstrap replicate, however many checks run.
    """
    from dataclasses import replace
    source = open_source(fx.write(tmp_path / "ds"))
    m = replace(method, gates=tuple(g for g in method.gates if g.code != "too_few_posts"))
    queries = []
    original = metrics.YearData.query

    def counting(self, kind, weights=None):
        queries.append((kind, None if weights is None else int(weights["replicate"].nunique())))
        return original(self, kind, weights)

    monkeypatch.setattr(metrics.YearData, "query", counting)
    built = []
    pivot = replicate_sums.YearMatrices.__init__

    def counting_pivot(self, data):
        built.append(data.year)
        pivot(self, data)

    monkeypatch.setattr(replicate_sums.YearMatrices, "__init__", counting_pivot)
    ranking.rank_pages(source, 2023, m)
    ranking.stability(source, 2023, m, n_draws=3, resample_weeks=False)
    checks = ranking.stability_checks(source, 2023, m, n_draws=4, random_state=1)
    ranking.stability(source, 2023, m, n_draws=2, random_state=1)
    assert queries == [("unit", None)]  # the observed year: indicator_sql.UNIT_SUMS, no weights
    assert built == [2023]
    assert ("page_year", 2023, None) in source.cache
    assert set(checks) == {"weeks", "weights", "both"}
    assert all(frame.attrs["n_draws"] == 4 for frame in checks.values())
    assert checks["weeks"].attrs["weight_spread"] == 0 and checks["weights"].attrs["resample_weeks"] is False


def test_week_weights_take_the_weeks_of_the_year(monkeypatch):
    assert len(ranking.week_weights(2023, 2, 0)) == 2 * metrics.weeks_in_year(2023)
    monkeypatch.setattr(metrics, "weeks_in_year", lambda year: 53)
    weights = ranking.week_weights(2026, 3, 0)
    assert weights.groupby("replicate")["week"].max().tolist() == [52, 52, 52]
    assert weights.groupby("replicate")["weight"].sum().tolist() == [53, 53, 53]


def test_sure_and_borderline_share_one_threshold():
    stable = pd.DataFrame({"community_id": list("abcde"), "p_top_n": [1, ranking.SURE, 0.5, ranking.OUT, 0]})
    assert ranking.stability_summary(stable) == {"sure_winners": 2, "borderline": 1, "sure_out": 2}
    assert ranking.borderline(stable)["community_id"].tolist() == ["c"]


def test_readable_tables_use_the_shared_wording(method):
    s = ranking.score(indicators(), method)
    labels = ranking.headers_ru(method)
    shown = ranking.readable(s, method, ["community_id", "exclusion_reason_ru", "eligible", "score", "rank",
                                         "sector_label"], index="community_id")
    assert list(shown.columns) == [labels[c] for c in ("exclusion_reason_ru", "eligible", "score", "rank",
                                                       "sector_label")]
    p5 = shown.loc["P5"]
    assert p5[labels["exclusion_reason_ru"]] == wording.reason_text(s.set_index("community_id").at[
        "P5", "exclusion_reason"], method.reason_labels()) == "не весь год, мало постов"
    assert p5[labels["eligible"]] == "нет" and p5[labels["rank"]] == wording.MISSING
    assert p5[labels["score"]] == "41,7" and p5[labels["sector_label"]] == wording.sector_label("culture")
    counts = ranking.exclusion_counts(s, method).set_index("exclusion_reason_ru")["n_pages"].to_dict()
    assert counts == {"не весь год": 2, "мало постов": 1, "сфера не участвует": 1}
    d = ranking.disagreements(s, pd.Index(["P3", "P4"]), method).set_index("community_id")
    assert d.loc["P4", "explanation"] == "не допущена: не весь год"


# --- the vectorised stability on the default dataset: the numbers of scoring each replicate alone ------

def _one_at_a_time(replicates: pd.DataFrame, methodology, weight_sets, n_winners=None) -> pd.DataFrame:
    """The stability as the code before the vectorised scoring computed it: `score` once per
    replicate with its weights, then the share of wins and the rank quantiles per page."""
    runs = pd.concat([
        ranking.score(frame.drop(columns="replicate").reset_index(drop=True), methodology.with_weights(w), n_winners)
        [["community_id", "eligible", "rank", "winner"]].assign(replicate=r)
        for (r, frame), w in zip(replicates.groupby("replicate", sort=True), weight_sets)], ignore_index=True)
    g = runs.assign(rank=runs["rank"].astype("float64")).groupby("community_id")
    return pd.DataFrame({"p_top_n": g["winner"].mean(), "p_eligible": g["eligible"].mean(),
                         "rank_low": g["rank"].quantile(ranking.RANK_LOW), "rank_median": g["rank"].quantile(0.5),
                         "rank_high": g["rank"].quantile(ranking.RANK_HIGH)}).reset_index()


@pytest.fixture(scope="module")
def default_source(full_dataset_dir):
    return open_source(full_dataset_dir)


def test_replicates_scored_at_once_rank_by_rank_and_score_by_score(default_source):
    """`replicate_results` on five week-bootstrap replicates of the default dataset with perturbed
    weights: every page's eligibility, score, rank and winner flag equal `score` of that replicate alone."""
    m = ranking.load_methodology()
    replicates = ranking.week_replicates(default_source, 2023, 5, random_state=2)
    weight_sets = ranking.perturbed_weights(m, 5, ranking.WEIGHT_SPREAD, np.random.default_rng(2))
    table = pd.DataFrame([m.with_weights(w).weights for w in weight_sets])
    together = ranking.replicate_results(replicates, m, table)
    for (r, frame), w in zip(replicates.groupby("replicate"), weight_sets):
        alone = ranking.score(frame.drop(columns="replicate").reset_index(drop=True), m.with_weights(w))
        mine = together[together["replicate"] == r].reset_index(drop=True)
        assert mine["community_id"].tolist() == alone["community_id"].tolist()  # the same order
        assert mine["score"].tolist() == alone["score"].tolist()
        np.testing.assert_array_equal(mine["rank"].to_numpy(), alone["rank"].astype("float64").to_numpy())
        assert mine["eligible"].tolist() == alone["eligible"].tolist()
        assert mine["winner"].tolist() == alone["winner"].tolist()
        assert mine["winner"].sum() == m.n_winners


@pytest.mark.parametrize("rule", ["sector_quotas", "top_n"])
def test_stability_checks_equal_scoring_each_replicate(default_source, monkeypatch, rule):
    """The three checks on the default dataset, streamed in batches of two replicates, equal the
    one-replicate-at-a-time computation exactly (no tolerance), for both selection rules."""
    import importlib
    from dataclasses import replace

    stability_module = importlib.import_module("gospub_analysis.ranking.stability")
    m = ranking.load_methodology()
    m = m if rule == "sector_quotas" else replace(m, rule="top_n")
    n = len(default_source.pages())
    monkeypatch.setattr(stability_module, "BATCH_ROWS", 2 * n)
    checks = ranking.stability_checks(default_source, 2023, m, n_draws=6, random_state=0)
    weeks = ranking.week_replicates(default_source, 2023, 6, random_state=0)
    perturbed = ranking.perturbed_weights(m, 6, ranking.WEIGHT_SPREAD, np.random.default_rng(0))
    observed = metrics.page_year(default_source, 2023)
    repeated = pd.concat([observed.assign(replicate=r) for r in range(6)], ignore_index=True)
    expected = {"weeks": _one_at_a_time(weeks, m, [m.weights] * 6), "both": _one_at_a_time(weeks, m, perturbed),
                "weights": _one_at_a_time(repeated, m, perturbed)}
    for name, frame in expected.items():
        pd.testing.assert_frame_equal(checks[name], frame, check_exact=True)
    assert checks["both"]["p_top_n"].between(0.01, 0.99).sum() > 10  # the draws do move pages in and out


def test_percentiles_equal_pandas_grouped_average_ranks():
    """The one-sort percentiles equal pandas' grouped rank(method="average") float for float: ties,
    NaN values (not ranked, not counted), a group of NaN only, a missing group value, no groups."""
    from gospub_analysis.ranking.scoring import percentiles
    rng = np.random.default_rng(5)
    n = 5000
    values = pd.Series(rng.integers(0, 40, n) / 7.0).where(rng.random(n) > 0.1)
    values[:3] = np.nan  # group "z" below: NaN only
    sector = pd.Series(rng.choice(["a", "b", "c", None], n), dtype="str")
    sector[:3] = "z"
    size = pd.Series(rng.integers(0, 3, n))
    by = [sector.fillna("—"), size]
    expected = (values.groupby(by).rank(method="average") - 0.5) / values.notna().groupby(by).transform("sum")
    pd.testing.assert_series_equal(percentiles(values, [sector, size]), expected, check_exact=True, check_names=False)
    alone = (values.rank(method="average") - 0.5) / values.notna().sum()
    pd.testing.assert_series_equal(percentiles(values, []), alone, check_exact=True, check_names=False)
