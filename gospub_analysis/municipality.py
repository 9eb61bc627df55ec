"""One municipality's pages for its curator: their ranks, the district's growth, who needs help.

This module owns the numbers of `notebooks/municipality.ipynb`: the district's pages
from the year's ranking of the whole region, headline numbers against the region, the
lowest-scoring pages with their weakest criteria, and the district's monthly series.
The region-wide inputs come from the same `Source` (`region_ranking`,
`growth.monthly_by`), so a report's 35 municipality pages share one computation through
the source's `cache_dir` and, in one kernel, the source itself (`open_source`).
"""

from __future__ import annotations

import hashlib

import pandas as pd

from . import coverage, excel
from .wording import (MISSING, YES, count_ru, fmt_int, fmt_num, fmt_place, neutral_rule, no_data_text, platform_label,
                      readable, reason_text, sector_label)

WEAKEST_SHOWN = 2  # criteria named as the reason a page needs help
NEEDS_HELP_SHOWN = 10


def region_ranking(source, year: int, methodology) -> pd.DataFrame:
    """The year's ranking of the whole region (`ranking.rank_pages`), computed once per source,
    year and methodology; a copy, which the caller may change."""
    from .ranking import rank_pages

    key = ("region_ranking", int(year), hashlib.sha256(repr(methodology).encode()).hexdigest())
    return source.cached(key, lambda: rank_pages(source, year, methodology)).copy()


def district_ranking(ranking: pd.DataFrame, municipality: str) -> pd.DataFrame:
    """The district's pages, best first, with the region rank and a rank within the district.

    Without the ranking's `attrs` (its seats and weights, which no district table shows): pandas
    deep-copies a frame's `attrs` into every frame and column made from it, and a district page
    makes thousands of them on its way to its tables."""
    chosen = ranking["municipality"] == municipality
    pages = ranking[chosen]
    pages.attrs = {}
    pages = pages.sort_values(["eligible", "score"], ascending=[False, False], kind="stable", ignore_index=True)
    eligible = pages["eligible"].astype(bool)
    district_rank = pd.Series(pd.NA, index=pages.index, dtype="Int64")
    district_rank[eligible] = range(1, int(eligible.sum()) + 1)
    return pages.assign(district_rank=district_rank)


def summary(pages: pd.DataFrame, ranking: pd.DataFrame, awarded: pd.Index | None = None) -> dict[str, float]:
    """Headline numbers of a district against the region.

    `winners`: the district's pages the project's methodology selects; `awarded`: those on
    the official list (None when the dataset has no award list for the year).
    """
    eligible = pages["eligible"].astype(bool)
    return {
        "pages": len(pages),
        "eligible": int(eligible.sum()),
        "winners": int(pages["winner"].astype(bool).sum()),
        "awarded": None if awarded is None else int(pages["community_id"].isin(set(awarded)).sum()),
        "median_score": float(pages["score"].median()) if len(pages) else float("nan"),
        "region_median_score": float(ranking["score"].median()) if len(ranking) else float("nan"),
        "best_rank": float(pages.loc[eligible, "rank"].min()) if eligible.any() else float("nan"),
        "ranked_in_region": int(ranking["eligible"].astype(bool).sum()),
    }


def needs_help(
    pages: pd.DataFrame, criteria: dict[str, str], reasons: dict[str, str], n: int = NEEDS_HELP_SHOWN
) -> pd.DataFrame:
    """The n lowest-scoring pages and why: their weakest criteria and the gates they fail.

    `criteria`: criterion column -> Russian label; `reasons`: gate code -> Russian label.
    Columns: community_id, name, platform, sector, score, weakest (text), not_admitted (text).
    """
    if pages.empty:
        return pd.DataFrame(columns=["community_id", "name", "platform", "sector", "score", "weakest", "not_admitted"])
    worst = pages.nsmallest(n, "score")
    scores = worst[list(criteria)].astype("float64").mask(_no_data_mask(worst, list(criteria)))

    return pd.DataFrame(
        {
            "community_id": worst["community_id"],
            "name": worst["name"],
            "platform": worst["platform"],
            "sector": worst["sector"],
            "score": worst["score"],
            "weakest": [_weakest(scores.columns, row, criteria) for row in scores.to_numpy()],
            "not_admitted": worst["exclusion_reason"].map(lambda codes: reason_text(codes, reasons)),
        }
    ).reset_index(drop=True)


def _no_data_mask(pages: pd.DataFrame, criteria: list[str]) -> pd.DataFrame:
    """True where a criterion stands at the methodology's neutral value for want of data (`no_data`)."""
    listed = (pages["no_data"] if "no_data" in pages else pd.Series("", index=pages.index)).fillna("").astype(str)
    names = listed.str.split("; ")
    return pd.DataFrame({c: names.map(lambda found, c=c: c in found) for c in criteria}, index=pages.index)


def weakest_criteria(scores: pd.Series, criteria: dict[str, str], n: int = WEAKEST_SHOWN) -> str:
    """The `n` lowest criterion scores (0..1) of a page in words: «Ответы жителям (12 из 100); ...».

    A criterion without data (NaN here: «нет обращений») is not a weakness and is never named."""
    return _weakest(scores.index, scores.astype("float64").to_numpy(), criteria, n)


def _weakest(columns, values, criteria: dict[str, str], n: int = WEAKEST_SHOWN) -> str:
    """`weakest_criteria` of one row of values (in the order of `columns`), without pandas: the `n`
    lowest that are not NaN, ties in column order (as `Series.nsmallest` keeps them)."""
    low = sorted((float(v), i) for i, v in enumerate(values) if v == v)[:n]
    return "; ".join(f"{criteria[columns[i]]} ({fmt_int(100 * v)} из 100)" for v, i in low)


def district_growth(growth: pd.DataFrame, municipality: str) -> pd.DataFrame:
    """The district's monthly series (empty when it has no pages)."""
    return growth[growth["municipality"] == municipality].sort_values("month", ignore_index=True)


def district_table(pages: pd.DataFrame, methodology, awarded: pd.Index | None = None) -> pd.DataFrame:
    """The district's pages as curators read them (one row per page, best first).

    Columns: district_rank, rank, name, platform and sector (Russian labels), score (0–100), one column
    per criterion (0–100, or «нет обращений» where it stands at the neutral value for want of data),
    winner (selected by the project's methodology: «да» or «»),
    awarded (on the official list: «да», «», or «—» when the list is unknown),
    not_admitted (the gates failed, in words).
    """
    official = (pd.Series(MISSING, index=pages.index) if awarded is None
                else pages["community_id"].isin(set(awarded)).map({True: YES, False: ""}))
    criteria = methodology.criterion_labels()
    reasons = methodology.reason_labels()
    no_data = _no_data_mask(pages, list(criteria))
    return pd.DataFrame({
        "district_rank": pages["district_rank"].astype("Int64"),
        "rank": pages["rank"].astype("Int64"),
        "name": pages["name"],
        "platform": pages["platform"].map(platform_label),
        "sector": pages["sector"].map(sector_label),
        "score": pages["score"].astype("float64"),
        **{c: (100 * pages[c].astype("float64")).round().astype(object).where(~no_data[c], no_data_text(c))
           for c in criteria},
        "winner": pages["winner"].astype(bool).map({True: YES, False: ""}),
        "awarded": official,
        "not_admitted": pages["exclusion_reason"].map(lambda codes: reason_text(codes, reasons)),
    })


def missing_second_platform(source, municipality: str, year: int) -> pd.DataFrame:
    """The district's organisations with a page on VK or OK but not on the other at the end of `year`
    (the law asks for both): `coverage.missing_second_platform`, the curators' list."""
    return coverage.missing_second_platform(source, coverage.year_end(year, source.timezone), municipality)


def missing_platform_text(missing: pd.DataFrame, municipality: str, year: int) -> str:
    """The list in one sentence, with the moment it describes."""
    return f"На конец {year} года. " + coverage.missing_text(missing, municipality)


def missing_platform_for_reader(missing: pd.DataFrame) -> pd.DataFrame:
    """The list with Russian headers (the district is known: no municipality column)."""
    return coverage.missing_for_reader(missing, with_municipality=False)


def district_headers(methodology) -> dict[str, str]:
    """Russian headers of `district_table`."""
    return {
        "district_rank": "Место в районе", "rank": "Место в области", "name": "Страница", "platform": "Платформа",
        "sector": "Сфера",
        "score": "Балл", **methodology.criterion_labels(), "winner": "Отобрана по методике проекта",
        "awarded": "Знак качества (официальный список)", "not_admitted": "Не допущена",
    }


def district_for_reader(table: pd.DataFrame, methodology) -> pd.DataFrame:
    """`district_table` with Russian headers and values in the project's number style."""
    formats = {"district_rank": fmt_place, "rank": fmt_place, "score": fmt_num,
               **{c: _points for c in methodology.criterion_labels()}}
    return readable(table, {c: (h, formats.get(c)) for c, h in district_headers(methodology).items()})


def _points(value) -> str:
    return value if isinstance(value, str) else fmt_int(value)


def write_district_workbook(table: pd.DataFrame, path, methodology, about: dict,
                            help_needed: pd.DataFrame | None = None) -> object:
    """The district's tables for curators, who work in Excel: a «Паспорт», every page, and (given) who needs help."""
    headers = district_headers(methodology)
    formats = {"district_rank": excel.INTEGER, "rank": excel.INTEGER, "score": excel.SCORE,
               **{c: excel.INTEGER for c in methodology.criterion_labels()}}
    sheets = [excel.Sheet("Страницы района", table, headers, formats)]
    if help_needed is not None:
        sheets.append(excel.Sheet("Кому нужна помощь", help_needed.assign(sector=help_needed["sector"].map(sector_label)),
                                  {"name": "Страница", "sector": "Сфера", "score": "Балл", "weakest": "Слабые стороны",
                                   "not_admitted": "Не допущена"}, {"score": excel.SCORE}))
    return excel.write_workbook(path, sheets, about)


def passport(source, municipality: str, year: int, methodology) -> dict[str, object]:
    """The «Паспорт» sheet of the district's workbook: data, territory, year, methodology, how to read the scores."""
    return {
        "Данные": source.data_label, "Набор": source.name or source.path.name, "Муниципалитет": municipality,
        "Год": year, "Методика": f"{methodology.title}, версия {methodology.version}",
        "Баллы критериев": "из 100; итоговый балл — взвешенная сумма критериев, от 0 до 100",
        "Отобрана по методике проекта": "воспроизведение рейтинга по методике проекта, не официальный итог",
        "Знак качества (официальный список)": "официальный список награждённых за год («—»: списка в наборе нет)",
        "«нет обращений»": neutral_rule(methodology.criterion_labels()),
    }


def summary_text(numbers: dict, year: int) -> str:
    """The district in two sentences: pages, admitted, winners, best place, median score against the region."""
    if not numbers["pages"]:
        return (f"В рейтинге {year} года нет ни одной страницы организаций этого муниципалитета: в наборе данных "
                "у них не было страниц, работавших в этом году. Разделы ниже пусты.")
    best = ("ни одна страница не допущена к конкурсу" if pd.isna(numbers["best_rank"])
            else f"лучшее место в области — {fmt_int(numbers['best_rank'])} из {fmt_int(numbers['ranked_in_region'])}")
    return (f"В рейтинге {year} года {count_ru(numbers['pages'], 'страница', 'страницы', 'страниц')} района, к конкурсу "
            f"допущены {fmt_int(numbers['eligible'])}; {_winners_text(numbers)}; {best}. "
            f"Медианный балл страниц района — {fmt_num(numbers['median_score'])} из 100 "
            f"(по области — {fmt_num(numbers['region_median_score'])}).")


def growth_text(monthly: pd.DataFrame, year: int) -> str:
    """The district's year in one sentence: active pages at the end, posts and pages created in the year."""
    last = monthly.iloc[-1]
    in_year = monthly[monthly["month"].dt.year == year]
    return (f"На конец {year} года активных страниц (на всех платформах): {fmt_int(last['pages_active'])}; "
            f"за год опубликовано {fmt_int(in_year['posts'].sum())} записей, "
            f"создано страниц: {fmt_int(in_year['pages_created'].sum())}.")


def needs_help_for_reader(help_needed: pd.DataFrame) -> pd.DataFrame:
    """`needs_help` with Russian headers and values in the project's number style."""
    return readable(help_needed, {
        "name": ("Страница", None), "platform": ("Платформа", platform_label), "sector": ("Сфера", sector_label),
        "score": ("Балл", fmt_num),
        "weakest": ("Слабые стороны", None), "not_admitted": ("Не допущена", None),
    })


def _winners_text(numbers: dict) -> str:
    """Who gets the mark: the official list, then the project's own reproduction, never one word for both."""
    ours = f"по методике проекта (воспроизведение рейтинга, не официальный итог) отобрано бы {fmt_int(numbers['winners'])}"
    if numbers.get("awarded") is None:
        return f"официального списка награждённых за этот год в наборе нет; {ours}"
    return f"знак качества по официальному списку получили {fmt_int(numbers['awarded'])}, {ours}"
