"""The award classifier: no leakage past as_of, determinism, metrics on hand examples, outputs."""

from __future__ import annotations

import dataclasses
import json
import re
import shutil

import joblib
import numpy as np
import pandas as pd
import pytest

from gospub_analysis import classifier as clf, excel, open_source
from gospub_analysis.classifier import Feature, format_value, phrase

AS_OF = clf.as_of_cut(2024, 9)


@pytest.fixture(scope="module")
def small(small_dataset_dir):
    return open_source(small_dataset_dir)


@pytest.fixture(scope="module")
def result(small):
    return clf.run(small, train_year=2023, target_year=2024, random_state=0)


def test_as_of_cut_is_end_of_local_month():
    assert clf.as_of_cut(2024, 9) == pd.Timestamp("2024-09-30 17:00", tz="UTC")  # 1 October 00:00 UTC+7
    assert clf.as_of_cut(2023, 12) == pd.Timestamp("2023-12-31 17:00", tz="UTC")
    with pytest.raises(ValueError):
        clf.as_of_cut(2023, 13)


def _rewrite_after_cut(src, dst, cut):
    """A copy of the dataset whose posts, comments, snapshots and awards after `cut` are changed."""
    shutil.copytree(src, dst)
    posts = pd.read_parquet(dst / "posts.parquet")
    late = posts["published_at"] >= cut
    posts.loc[late, "likes"] *= 50
    posts.loc[late, "views"] = posts.loc[late, "views"] * 10
    posts.loc[late, "is_live"] = True
    posts = posts[~late | (posts["post_id"] % 2 == 0)]  # and half of them are gone
    posts.to_parquet(dst / "posts.parquet", index=False)

    comments = pd.read_parquet(dst / "comments.parquet")
    late = comments["created_at"] >= cut
    # every late page reply is gone and residents write twice as much
    extra = comments[late & (comments["author_kind"] == "resident")].assign(
        comment_id=lambda c: c["comment_id"] + 10**9)
    comments = comments[~(late & (comments["author_kind"] == "page"))]
    pd.concat([comments, extra]).to_parquet(dst / "comments.parquet", index=False)

    snaps = pd.read_parquet(dst / "snapshots.parquet")
    late = snaps["as_of"] >= cut.tz_convert("Asia/Novosibirsk").tz_localize(None)
    snaps.loc[late, "members_count"] = snaps.loc[late, "members_count"] * 100
    snaps.loc[late, "gov_mark"] = ~snaps.loc[late, "gov_mark"].astype("boolean")
    snaps.to_parquet(dst / "snapshots.parquet", index=False)

    awards = pd.read_parquet(dst / "awards.parquet")
    awards[awards["year"] != 2024].to_parquet(dst / "awards.parquet", index=False)
    return posts, comments


def test_no_leakage_after_as_of(small_dataset_dir, small, tmp_path):
    changed = tmp_path / "changed"
    posts, _ = _rewrite_after_cut(small_dataset_dir, changed, AS_OF)
    assert (posts["published_at"] >= AS_OF).any()  # the test really changes something after the cut
    changed = open_source(changed)
    _, _, before = clf.features_as_of(small, 2024, 9)
    _, _, after = clf.features_as_of(changed, 2024, 9)
    pd.testing.assert_frame_equal(before, after)
    pd.testing.assert_frame_equal(clf.load_year(small, 2024).X, clf.load_year(changed, 2024).X)


def test_changes_before_as_of_do_show(small_dataset_dir, small, tmp_path):
    """The leakage test would notice: the same change one month earlier alters the features."""
    changed = tmp_path / "changed"
    _rewrite_after_cut(small_dataset_dir, changed, clf.as_of_cut(2024, 8))
    _, _, before = clf.features_as_of(small, 2024, 9)
    _, _, after = clf.features_as_of(open_source(changed), 2024, 9)
    assert not before.equals(after)


def test_features_hold_no_award_information(small):
    year = clf.load_year(small, 2023)
    assert list(year.X.columns) == clf.FEATURE_COLUMNS + ["sector"]
    assert "awarded" not in year.X.columns and "award" not in " ".join(year.X.columns)
    assert year.awards_known and year.y.sum() > 0
    # percentiles within sector, missing values kept missing
    assert year.X[clf.FEATURE_COLUMNS].min().min() > 0 and year.X[clf.FEATURE_COLUMNS].max().max() <= 1


def test_pipeline_is_deterministic(small_dataset_dir, result):
    again = clf.run(open_source(small_dataset_dir), train_year=2023, target_year=2024, random_state=0)
    pd.testing.assert_frame_equal(result.flagged, again.flagged)
    assert json.dumps(result.metrics, sort_keys=True) == json.dumps(again.metrics, sort_keys=True)


@pytest.mark.parametrize("kind", list(clf.MODEL_NAMES))
def test_models_fit_with_fixed_random_state(small, kind):
    year = clf.load_year(small, 2023)
    p1 = clf.make_model(kind, random_state=3).fit(year.X, year.y).predict_proba(year.X)[:, 1]
    p2 = clf.make_model(kind, random_state=3).fit(year.X, year.y).predict_proba(year.X)[:, 1]
    np.testing.assert_array_equal(p1, p2)
    folds = clf.cv_folds(year, random_state=3)
    np.testing.assert_array_equal(folds, clf.cv_folds(year, random_state=3))
    # grouped: no municipality is split across folds
    assert (pd.Series(folds).groupby(year.groups).nunique() == 1).all()


def test_prior_correction_restores_prevalence():
    rng = np.random.default_rng(0)
    X = pd.DataFrame({"x": rng.normal(size=4000)})
    y = rng.random(4000) < 1 / (1 + np.exp(-(X["x"] * 1.5 - 3)))
    from sklearn.linear_model import LogisticRegression

    model = clf.PriorCorrected(LogisticRegression(class_weight="balanced")).fit(X, y)
    assert model.predict_proba(X)[:, 1].mean() == pytest.approx(y.mean(), rel=0.25)


def test_count_shift_matches_expected_count():
    p = np.array([0.9, 0.8, 0.5, 0.3, 0.2, 0.1, 0.05])
    c = clf.count_shift(p, 2.0)
    shifted = 1 / (1 + np.exp(-(np.log(p / (1 - p)) + c)))
    assert shifted.sum() == pytest.approx(2.0)
    assert (np.argsort(shifted) == np.argsort(p)).all()


def test_score_metrics_on_a_hand_example():
    y = np.array([True, False, True, False])
    score = np.array([0.9, 0.8, 0.1, 0.2])
    m = clf.score_metrics(y, score, k=2)
    assert m["roc_auc"] == pytest.approx(0.5)
    assert m["average_precision"] == pytest.approx((1 + 2 / 4) / 2)
    assert m["precision_at_k"] == pytest.approx(0.5) and m["recall_at_k"] == pytest.approx(0.5)
    assert clf.confusion_at_k(y, score, 2) == {"threshold": 0.8, "tp": 1, "fp": 1, "fn": 1, "tn": 1}


def test_percentile_among_matches_own_rank(small):
    year = clf.load_year(small, 2024)
    pd.testing.assert_frame_equal(clf.percentile_among(year.values, year.candidates), year.X[clf.FEATURE_COLUMNS],
                                  check_dtype=False)


def test_reason_wording():
    hours = Feature("median_reply_working_hours", "медиана ответа", "hours", higher_is_better=False)
    assert phrase(hours, 30, 3, strength=False) == "− медиана ответа: 30\u00a0ч, у победителей 3,0\u00a0ч"
    share = Feature("answered_share", "доля ответов жителям", "share")
    assert phrase(share, 0.95, 0.6, strength=True) == "+ доля ответов жителям: 95\u00a0%, у победителей 60\u00a0%"
    mark = Feature("gov_mark", "госметка", "presence")
    assert format_value(mark, 0.0) == "нет" and format_value(mark, 1.0) == "есть"
    assert format_value(mark, 0.25) == "есть в 25\u00a0% наблюдений"
    assert format_value(share, float("nan")) == "нет данных"


def test_flagged_list(result):
    f = result.flagged
    assert len(f) == len(result.target.candidates)
    assert f["flagged"].sum() == result.k == 9  # the small dataset's 2023 awards
    assert sorted(f["rank"]) == list(range(1, len(f) + 1))
    assert f["probability"].is_monotonic_decreasing
    assert f["probability"].sum() == pytest.approx(result.k, rel=1e-6)  # shifted to the expected count
    assert (f["reasons"].str.len() > 0).mean() > 0.9
    assert f["reasons"].str.split("; ").map(len).max() == 3
    # every reason quotes the winners' value
    assert f.loc[f["reasons"] != "", "reasons"].str.contains("у победителей").all()
    near = f[f["near_threshold"]]
    assert len(near) == 10 and (near["rank"] > result.k).all()
    with_gap = near[near["improvement"] != ""]
    assert len(with_gap) >= 8
    assert (with_gap["probability_after"] > with_gap["probability"]).all()
    assert with_gap["improvement"].str.contains("вероятность").all()


def test_learns_only_from_the_platforms_with_awards(small, result):
    """The small region's OK pages and Telegram channels run all year in the award sectors too, but
    every awarded page is on VK: candidates of both years are VK pages, and the run says so."""
    indicators = result.train.indicators
    others = indicators[(indicators["platform"] != "vk") & indicators["active_all_year"]
                        & indicators["sector"].isin(result.params["sectors"])]
    assert len(others) > 10
    assert clf.award_platforms(small, 2023) == ("vk",) and result.params["platforms"] == ["vk"]
    assert set(result.train.candidates["platform"]) == set(result.target.candidates["platform"]) == {"vk"}
    assert set(result.flagged["platform"]) == {"vk"}
    assert clf.award_platforms(small, 2031) == ()


def test_weights_and_importance(result):
    w = result.weights.set_index("feature")
    assert set(clf.FEATURE_COLUMNS) <= set(w.index)
    assert w.loc["weeks_3plus_share", "methodology_weight"] > 0
    assert w.loc["median_reply_working_hours", "methodology_weight"] < 0  # lower is better
    assert w["coefficient_share"].abs().sum() == pytest.approx(1)
    for table in result.importance.values():
        assert set(table["feature"]) == set(clf.FEATURE_COLUMNS) | {"sector"}


def test_write_classifier_outputs(result, tmp_path):
    paths = clf.write_classifier_outputs(result, tmp_path / "out")
    flagged = excel.read_csv(paths["flagged.csv"])
    assert {"community_id", "name", "probability", "rank", "flagged", "reasons"} <= set(flagged.columns)
    sheet = pd.read_excel(paths["flagged.xlsx"], sheet_name="Кандидаты")
    assert len(sheet) == len(flagged) and "Главные причины" in sheet.columns
    metrics = json.loads(paths["metrics.json"].read_text(encoding="utf-8"))
    assert set(metrics["models"]) == {"logistic", "boosting", "subscribers_only", "methodology_score"}
    model = joblib.load(paths[clf.MODEL_FILE])
    np.testing.assert_allclose(model.predict_proba(result.target.X), result.model.predict_proba(result.target.X))
    card = paths["model_card.md"].read_text(encoding="utf-8")
    for heading in ("# Карточка модели", "## Данные и период", "## Качество", "## Назначение", "## Ограничения"):
        assert heading in card
    words = re.sub(r"\S+\.(joblib|json|csv|xlsx|md)\b", "", card)  # file names may keep their own spelling
    assert not re.search(r"\b(True|False|None|nan)\b|\d{4}-\d{2}-\d{2}T|\b[a-z]+_[a-z_]+\b", words), card
    passport = pd.read_excel(paths["flagged.xlsx"], sheet_name="Паспорт")
    assert {"Год обучения", "Год прогноза", "Зерно случайных чисел"} <= set(passport["Параметр"])


def test_unknown_target_awards(small_dataset_dir, tmp_path):
    """A target year without awards gets a flagged list and no out-of-time figures."""
    data = tmp_path / "ds"
    shutil.copytree(small_dataset_dir, data)
    awards = pd.read_parquet(data / "awards.parquet")
    awards[awards["year"] == 2023].to_parquet(data / "awards.parquet", index=False)
    r = clf.run(open_source(data), train_year=2023, target_year=2024)
    assert r.metrics["models"]["logistic"]["out_of_time"] is None
    assert r.metrics["summary"]["beats_subscribers_only"] is None
    assert r.flagged["awarded"].isna().all() and r.flagged["flagged"].sum() == r.k


def test_flagging_the_training_year_claims_no_out_of_time_check(small):
    r = clf.run(small, train_year=2023, target_year=2023, random_state=0)
    assert r.metrics["summary"]["out_of_time_average_precision"] is None
    assert all(m["out_of_time"] is None for m in r.metrics["models"].values())
    assert r.metrics["models"]["logistic"]["cross_validation"]["average_precision"] > 0


def test_report_years(small):
    """The years a yearly report uses (the small dataset covers 2023-2024, with awards for both)."""
    assert small.award_years() == {2023, 2024} and {2023, 2024} <= set(small.covered_years())
    assert clf.report_years(small, 2023) == {"train_year": 2023, "target_year": 2024}  # the next year is covered
    assert clf.report_years(small, 2024) == {"train_year": 2023, "target_year": 2024}  # learns from the earlier year
    assert clf.report_years(small, 2025) == {"train_year": 2024, "target_year": 2025}


def test_run_takes_a_source_not_a_path(small_dataset_dir):
    with pytest.raises(TypeError, match="open_source"):
        clf.run(small_dataset_dir)


def test_model_does_not_depend_on_how_pandas_stores_the_candidates(small):
    """One block per column (as an older metrics.page_year returned) or one block for all: the same fit."""
    year = clf.load_year(small, 2023)
    split = pd.DataFrame(index=year.candidates.index)
    for column in year.candidates.columns:  # column by column: one block each
        split[column] = year.candidates[column].to_numpy()
    other = dataclasses.replace(year, candidates=split)
    assert len(split._mgr.blocks) > len(year.candidates.copy()._mgr.blocks)  # the layouts really differ
    fits = [clf.make_model("logistic").fit(y.X, y.y).named_steps["model"].estimator_.coef_ for y in (year, other)]
    np.testing.assert_array_equal(*fits)


# --- the vectorised reasons give the words of the page-by-page loop ------------------------------

def _reasons_page_by_page(values, contrib, reference, flagged, n=3):
    """`page_reasons` as the code before its vectorised wording ran: one `phrase` per page and reason."""
    from gospub_analysis.classifier.features import FEATURES
    by_column = {f.column: f for f in FEATURES}
    columns = list(contrib.columns)
    raw = contrib.to_numpy(dtype=float)
    usable = np.abs(raw) > 1e-6
    wanted = np.where(flagged.loc[contrib.index].to_numpy(dtype=bool)[:, None], -raw, raw)
    group = np.where(usable, np.where(wanted > 0, 0, 1), 2)
    order = np.lexsort((np.where(group == 0, -wanted, wanted), group), axis=-1)[:, :n]
    return pd.Series(["; ".join(phrase(by_column[columns[j]], values.at[idx, columns[j]], reference.at[idx, columns[j]],
                                       strength=raw[i, j] < 0) for j in order[i] if usable[i, j])
                      for i, idx in enumerate(contrib.index)], index=contrib.index, dtype="str")


def _consistent_page_by_page(contrib, values, reference):
    from gospub_analysis.classifier.features import FEATURES
    out = contrib.copy()
    for f in FEATURES:
        diff = values[f.column] - reference[f.column]
        better = diff > 0 if f.higher_is_better else diff < 0
        worse = diff < 0 if f.higher_is_better else diff > 0
        c = contrib[f.column]
        keep = (((c > 0) & worse) | ((c < 0) & better)).to_numpy(dtype=bool, copy=True)
        kept = np.flatnonzero(keep)
        keep[kept] = [format_value(f, v) != format_value(f, r)
                      for v, r in zip(values[f.column].to_numpy()[kept], reference[f.column].to_numpy()[kept])]
        out[f.column] = c.where(keep)
    return out


def test_reasons_on_the_default_dataset_equal_the_page_by_page_wording(full_dataset_dir):
    """The default dataset's 2,910 target pages (train 2023, flag 2024): the kept contributions and
    every page's reasons are those of the former loop over pages, character for character."""
    from gospub_analysis.classifier import explain
    run = clf.run(open_source(full_dataset_dir), train_year=2023, target_year=2024, random_state=0)
    target, model = run.target, run.model
    ref_values = run.reference.for_pages(target.candidates["sector"])
    raw = explain.contributions(model, target.X, explain.percentile_among(ref_values, target.candidates))
    kept = explain.consistent(raw, target.values, ref_values)
    pd.testing.assert_frame_equal(kept, _consistent_page_by_page(raw, target.values, ref_values), check_exact=True)
    flagged = pd.Series(run.flagged.set_index("community_id")["flagged"].reindex(target.candidates["community_id"])
                        .to_numpy(), index=target.candidates.index)
    reasons = explain.page_reasons(target.values, kept, ref_values, flagged)
    pd.testing.assert_series_equal(reasons, _reasons_page_by_page(target.values, kept, ref_values, flagged))
    assert len(reasons) > 2000 and (reasons != "").mean() > 0.9
    assert reasons.str.contains("у победителей").mean() > 0.9 and reasons[flagged].str.startswith("+").mean() > 0.5


def test_permutation_importance_rows_sample_only_large_years():
    from gospub_analysis.classifier.evaluation import importance_rows
    y = np.zeros(1000, dtype=bool)
    y[::20] = True  # 50 winners, 5 %
    assert importance_rows(y, 0, max_rows=1000).tolist() == list(range(1000))
    rows = importance_rows(y, 0, max_rows=200)
    assert len(rows) == 200 and len(set(rows)) == 200 and (np.diff(rows) > 0).all()
    assert y[rows].sum() == 10  # the share of winners kept: 5 % of 200
    assert rows.tolist() == importance_rows(y, 0, max_rows=200).tolist()
    assert rows.tolist() != importance_rows(y, 1, max_rows=200).tolist()


def test_improvement_probabilities_equal_those_of_each_page_predicted_alone(result):
    """`best_improvement` makes the changed pages' features once and calls only the estimator per row
    (`explain._alone`): every probability equals, bit for bit, the model's for that page alone, for the
    year's shifted models and the plain pipelines, and a model that is no pipeline is called row by row."""
    from gospub_analysis.classifier.explain import _alone

    X = result.target.X.iloc[:40]
    year_models = {kind: clf.ExpectedCount(m, result.shifts[kind]) for kind, m in result.models.items()}
    for model in [*result.models.values(), *year_models.values()]:
        alone = np.array([model.predict_proba(X.iloc[[i]])[0, 1] for i in range(len(X))])
        np.testing.assert_array_equal(_alone(model, X), alone)
    shifted = year_models["logistic"]
    assert shifted.shift != 0 and not np.array_equal(_alone(shifted, X), _alone(result.models["logistic"], X))

    class RowSum:  # any object with predict_proba
        def predict_proba(self, frame):
            p = np.full(len(frame), 0.1 * len(frame))
            return np.column_stack([1 - p, p])

    np.testing.assert_array_equal(_alone(RowSum(), X), np.full(len(X), 0.1))


def test_candidate_year_makes_x_once_and_again_when_its_inputs_change(small, result):
    train = result.train
    fresh = clf.peer_percentiles(train.candidates)
    fresh[list(train.features_without_data)] = 0.5
    first = train.X
    pd.testing.assert_frame_equal(first, fresh.assign(sector=train.candidates["sector"]), check_exact=True)
    # what a caller does to the matrix it got does not reach the next one
    first.iloc[0, 0] = -1.0
    first["avatar"] = -2.0
    pd.testing.assert_frame_equal(train.X, fresh.assign(sector=train.candidates["sector"]), check_exact=True)
    # made again when what it is made of is set
    year = dataclasses.replace(train)  # a copy: the module's result stays as it was
    before = year.X
    year.features_without_data = ("members_end",)
    assert (year.X["members_end"] == 0.5).all() and not (before["members_end"] == 0.5).all()
    year.candidates = year.candidates.iloc[:10]
    assert len(year.X) == 10
    pd.testing.assert_frame_equal(year.X[clf.FEATURE_COLUMNS[:3]],
                                  clf.peer_percentiles(year.candidates)[clf.FEATURE_COLUMNS[:3]], check_exact=True)
