"""The district page's numbers (`municipality`): who needs help and why, the district's pages."""

from __future__ import annotations

import numpy as np
import pandas as pd

from gospub_analysis import municipality as district
from gospub_analysis.wording import fmt_int

CRITERIA = {"design": "Оформление", "regularity": "Регулярность", "content": "Содержание",
            "responsiveness": "Ответы жителям"}


def _nsmallest_reference(row: pd.Series, n: int = district.WEAKEST_SHOWN) -> str:
    """What `weakest_criteria` said before it stopped going through pandas for each row."""
    low = row.astype("float64").dropna().nsmallest(n)
    return "; ".join(f"{CRITERIA[c]} ({fmt_int(100 * v)} из 100)" for c, v in low.items())


def test_weakest_criteria_are_the_two_lowest_with_ties_in_column_order_and_no_data_never_named():
    row = pd.Series({"design": 0.5, "regularity": 0.25, "content": 0.25, "responsiveness": np.nan})
    # regularity and content tie: both named, in the criteria's order; responsiveness has no data
    assert district.weakest_criteria(row, CRITERIA) == "Регулярность (25 из 100); Содержание (25 из 100)"
    row = pd.Series({"design": 0.9, "regularity": 0.1, "content": 0.1, "responsiveness": 0.1})
    assert district.weakest_criteria(row, CRITERIA) == "Регулярность (10 из 100); Содержание (10 из 100)"
    assert district.weakest_criteria(pd.Series({c: np.nan for c in CRITERIA}), CRITERIA) == ""


def test_weakest_criteria_say_what_series_nsmallest_said_on_rows_full_of_ties():
    rng = np.random.default_rng(5)
    values = rng.choice([0.0, 0.125, 0.5, 0.75, 1.0, np.nan], size=(400, len(CRITERIA)))
    for row in values:
        series = pd.Series(row, index=list(CRITERIA))
        assert district.weakest_criteria(series, CRITERIA) == _nsmallest_reference(series)


def _pages() -> pd.DataFrame:
    pages = pd.DataFrame({
        "community_id": [1, 2, 3, 4], "name": ["А", "Б", "В", "Г"], "platform": "vk", "sector": "culture",
        "municipality": ["X", "X", "Y", "X"], "eligible": [True, False, True, True],
        "exclusion_reason": [None, "too_few_posts", None, None],
        "design": [0.9, 0.2, 0.5, 0.4], "regularity": [0.3, 0.2, 0.5, 0.4], "content": [0.8, 0.1, 0.5, 0.4],
        "responsiveness": [0.05, 0.5, 0.5, 0.0], "no_data": ["", "", "", "responsiveness"],
        "score": [60.0, 20.0, 50.0, 40.0], "rank": [1, pd.NA, 2, 3], "winner": [True, False, False, False],
    })
    pages.attrs = {"seats": {"culture": 1}, "weights": dict.fromkeys(CRITERIA, 0.25)}
    return pages


def test_needs_help_lists_the_lowest_pages_with_their_weakest_criteria_and_gates():
    got = district.needs_help(_pages(), CRITERIA, {"too_few_posts": "мало записей"}, n=3)
    assert got["community_id"].tolist() == [2, 4, 3]
    assert got["weakest"].tolist() == [
        "Содержание (10 из 100); Оформление (20 из 100)",
        # page 4's responsiveness stands at 0 for want of data: not a weakness
        "Оформление (40 из 100); Регулярность (40 из 100)",
        "Оформление (50 из 100); Регулярность (50 из 100)",
    ]
    assert got["not_admitted"].tolist() == ["мало записей", "", ""]


def test_district_ranking_keeps_the_districts_pages_best_first_without_the_rankings_attrs():
    ranking = _pages()
    pages = district.district_ranking(ranking, "X")
    assert pages["community_id"].tolist() == [1, 4, 2]  # eligible first, by score
    assert pages["district_rank"].tolist()[:2] == [1, 2] and pages["district_rank"].isna().tolist()[2]
    assert pages.attrs == {}
    assert ranking.attrs["seats"] == {"culture": 1}, "the region's ranking keeps its attrs"
