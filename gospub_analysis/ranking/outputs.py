"""The ranking for readers: the report table, Russian headers and values, ranking.csv and ranking.xlsx.

This module owns how the ranking is presented: the table written to ranking.csv
(`report_table`), its Russian column headers (`headers_ru`), the small summary tables
the notebook shows (exclusion reasons, winners by sector and municipality, agreement with
the official list, stability checks, the criterion profile of winners), reader-ready
versions of any of them (`readable`, values worded by `gospub_analysis.wording`), the
workbook's passport, and the writer of ranking.csv and ranking.xlsx (`write_ranking`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Callable, Sequence

import pandas as pd

from .. import excel, wording
from ..dataset import Source
from .methodology import Methodology
from .stability import OUT, RANK_HIGH, RANK_LOW, SURE, WEIGHT_SPREAD, stability_summary

KIND_LABELS = {"only_ours": "только по методике", "only_official": "только в официальном списке"}
CHECK_LABELS = {"weeks": "Бутстрэп по неделям", "weights": f"Веса ±{wording.fmt_share(WEIGHT_SPREAD)}",
                "both": "Недели и веса вместе"}
GROUP_LABELS = {True: "Победители", False: "Остальные допущенные"}
AGREEMENT_LABELS = {
    "n_ours": "Победителей по методике", "n_official": "Награждено официально", "n_both": "Совпало",
    "precision": "Точность (precision)", "recall": "Полнота (recall)", "jaccard": "Коэффициент Жаккара",
    "spearman": "Ранговая корреляция балла и награды (Спирмен)",
    "auc": "AUC: награждённая страница выше ненаграждённой",
}
BOOLEAN_COLUMNS = ("eligible", "winner", "tied", "awarded")


def report_table(scored: pd.DataFrame, stable: pd.DataFrame | None = None,
                 awarded: pd.Index | None = None) -> pd.DataFrame:
    """The ranking as written to ranking.csv: scores, stability and the official award, best first."""
    table = scored.copy()
    if stable is not None:
        table = table.merge(stable[["community_id", "p_top_n", "rank_low", "rank_median", "rank_high"]],
                            on="community_id", how="left")
    if awarded is not None:
        table["awarded"] = table["community_id"].isin(set(awarded))
    table["methodology_version"] = scored.attrs.get("methodology_version")
    table["methodology"] = scored.attrs.get("methodology")
    table.attrs = dict(scored.attrs)
    return table


def headers_ru(methodology: Methodology) -> dict[str, str]:
    """Russian headers of the ranking's columns and of the summary tables (criteria from the methodology)."""
    return {
        "rank": "Место", "group_rank": "Место в сфере", "community_id": "ID страницы", "name": "Страница",
        "platform": "Платформа",
        "org_name": "Организация", "sector_label": "Сфера", "municipality": "Муниципалитет",
        "eligible": "Допущена", "exclusion_reason_ru": "Причина недопуска",
        **{c.name: f"{c.label}, балл 0–1" for c in methodology.criteria},
        "score": "Итоговый балл (0–100)", "tied": "Равный балл с другой страницей", "winner": "Победитель",
        "p_top_n": "Вероятность войти в число победителей",
        "rank_low": f"Место: нижняя граница ({wording.fmt_share(RANK_LOW)})",
        "rank_high": f"Место: верхняя граница ({wording.fmt_share(RANK_HIGH)})",
        "awarded": "Награждена официально",
        # the notebook's summary tables
        "kind": "Расхождение", "explanation": "Объяснение", "gap_points": "Разрыв, баллов",
        "n_pages": "Страниц", "n_eligible": "Допущено", "n_winners": "Победителей",
        "check": "Проверка", "sure_winners": "Уверенные победители", "borderline": "Пограничные",
        "sure_out": "Уверенно вне списка",
    }


def _formatters(methodology: Methodology) -> dict[str, Callable]:
    """How each column is worded for readers (columns not listed are shown as they are)."""
    return {
        **{c: wording.fmt_place for c in ("rank", "group_rank", "rank_low", "rank_median", "rank_high")},
        **{c: wording.yes_no for c in BOOLEAN_COLUMNS},
        **{c.name: lambda v: wording.fmt_num(v, 2) for c in methodology.criteria},
        "score": wording.fmt_num, "gap_points": wording.fmt_num, "p_top_n": wording.fmt_share,
        "kind": lambda k: KIND_LABELS.get(k, k), "platform": wording.platform_label,
        **{c: wording.fmt_int for c in ("n_pages", "n_eligible", "n_winners", "sure_winners", "borderline",
                                        "sure_out")},
    }


def with_labels(table: pd.DataFrame, methodology: Methodology) -> pd.DataFrame:
    """The table with `sector_label` and `exclusion_reason_ru` (Russian) beside the codes."""
    reasons = methodology.reason_labels()
    extra = {"sector_label": table["sector"].map(wording.sector_label)}
    if "exclusion_reason" in table:
        extra["exclusion_reason_ru"] = table["exclusion_reason"].map(lambda r: wording.reason_text(r, reasons))
    return table.assign(**extra)


def readable(table: pd.DataFrame, methodology: Methodology, columns: Sequence[str],
             index: str | None = None) -> pd.DataFrame:
    """`columns` of a ranking or summary table for readers: Russian headers, worded values.

    `sector_label` and `exclusion_reason_ru` may be asked for any table with `sector`,
    `exclusion_reason`; `index`: one of `columns` to use as the index.
    """
    if "sector" in table and ("sector_label" in columns or "exclusion_reason_ru" in columns):
        table = with_labels(table, methodology)
    headers, formats = headers_ru(methodology), _formatters(methodology)
    spec = {c: (headers[c], formats.get(c)) for c in columns}
    return wording.readable(table, spec, index=headers[index] if index else None)


# --- summary tables (English column names; `readable` words them) ---------------------------

def exclusion_counts(scored: pd.DataFrame, methodology: Methodology) -> pd.DataFrame:
    """Pages not admitted per exclusion reason (a page may have several), most frequent first."""
    reasons = methodology.reason_labels()
    codes = scored.loc[~scored["eligible"], "exclusion_reason"].str.split("; ").explode().dropna()
    counts = codes.map(lambda c: wording.reason_text(c, reasons)).value_counts()
    return counts.rename_axis("exclusion_reason_ru").rename("n_pages").reset_index()


def winners_by_sector(scored: pd.DataFrame) -> pd.DataFrame:
    """Eligible pages and winners per sector (`sector_label`), most winners first."""
    eligible = scored[scored["eligible"]].assign(sector_label=lambda t: t["sector"].map(wording.sector_label))
    return (eligible.groupby("sector_label").agg(n_eligible=("community_id", "size"), n_winners=("winner", "sum"))
            .sort_values("n_winners", ascending=False).reset_index())


def winners_by_municipality(scored: pd.DataFrame) -> pd.DataFrame:
    """Winners per municipality, most first."""
    return (scored[scored["winner"]].groupby("municipality").size().rename("n_winners")
            .sort_values(ascending=False).reset_index())


def agreement_table(agree: dict[str, float]) -> pd.DataFrame:
    """`official.agreement` for readers: counts as integers, shares and correlations to 3 decimals."""
    values = {AGREEMENT_LABELS[k]: (wording.fmt_int(v) if k.startswith("n_") else wording.fmt_num(v, 3))
              for k, v in agree.items() if k in AGREEMENT_LABELS}
    return pd.DataFrame({"Значение": values}).rename_axis("Показатель")


def stability_table(stable: dict[str, pd.DataFrame], sure: float = SURE, out: float = OUT) -> pd.DataFrame:
    """`stability_summary` of each check (keys of `stability_checks`), one row per check (`check`)."""
    rows = [{"check": CHECK_LABELS.get(name, name), **stability_summary(frame, sure, out)}
            for name, frame in stable.items()]
    return pd.DataFrame(rows)


def criterion_profile(scored: pd.DataFrame, methodology: Methodology) -> pd.DataFrame:
    """Mean criterion scores of winners and of the other eligible pages (rows: criterion labels)."""
    eligible = scored[scored["eligible"]]
    criteria = [c.name for c in methodology.criteria]
    return (eligible.assign(group=eligible["winner"].map(GROUP_LABELS)).groupby("group")[criteria].mean().T
            .rename(index=methodology.criterion_labels()))


# --- texts and files ------------------------------------------------------------------------

def _dataset_name(source: Source) -> str:
    return source.name or source.path.name


def heading(source: Source, year: int, methodology: Methodology, n_winners: int) -> str:
    """The line (Markdown) that opens the ranking page: data label, dataset, year, methodology, winners."""
    return (f"**{source.data_label}** · набор `{_dataset_name(source)}` · год {year} · "
            f"методика **{methodology.label}** · победителей: {wording.fmt_int(n_winners)} · "
            f"{platforms_note(methodology)}")


def platforms_note(methodology: Methodology) -> str:
    """Which platforms' pages the ranking ranks, as the methodology file says."""
    return (f"ранжируются страницы: {methodology.platforms_text()} (знак получает страница; страницы других "
            f"платформ в рейтинг не входят, так задано в методике)")


def stability_note(n_draws: int) -> str:
    """What the three stability checks do and how pages are called sure or borderline (Markdown)."""
    share = wording.fmt_share
    return (f"Три проверки по {wording.count_ru(n_draws, 'повтор', 'повтора', 'повторов')}: бутстрэп по неделям "
            f"года (недели выбираются с возвращением, одни и те же для всех страниц), случайное изменение весов "
            f"критериев в пределах ±{share(WEIGHT_SPREAD)} и обе проверки вместе. Для каждой страницы: вероятность "
            f"войти в число победителей и интервал места ({share(RANK_LOW)}–{share(RANK_HIGH)}). «Уверенные» "
            f"победители побеждают не менее чем в {share(SURE)} повторов, «пограничные» — от {share(OUT)} "
            f"до {share(SURE)}.")


def passport(source: Source, year: int, methodology: Methodology, n_winners: int, n_draws: int,
             random_state: int | None) -> dict[str, object]:
    """The facts of a ranking run for the workbook's «Паспорт» sheet (`n_winners`: the effective number)."""
    weights = ", ".join(f"{c.label} {wording.fmt_share(w)}" for c, w in zip(methodology.criteria,
                                                                          methodology.weights.values()))
    draws = wording.count_ru(n_draws, "повтор", "повтора", "повторов")
    return {
        "Данные": source.data_label, "Набор": _dataset_name(source), "Год": year,
        "Методика": methodology.title, "Название методики": methodology.name,
        "Версия методики": methodology.version, "Победителей": n_winners, "Правило отбора": methodology.rule,
        "Платформы в рейтинге": methodology.platforms_text(),
        "Веса критериев": weights,
        "Устойчивость": (f"{draws}: недели (бутстрэп) и веса ±{wording.fmt_share(WEIGHT_SPREAD)}, "
                         f"random_state={random_state}"),
    }


def write_ranking(table: pd.DataFrame, out_dir: Path | str, methodology: Methodology,
                  about: dict[str, object]) -> tuple[Path, Path]:
    """Write ranking.csv (machine-readable, English column names) and ranking.xlsx (Russian headers:
    a passport sheet, all pages, one sheet per sector; winners highlighted)."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    csv_path = out_dir / "ranking.csv"
    table.to_csv(csv_path, index=False, encoding="utf-8")
    shown = with_labels(table, methodology).assign(
        **{c: table[c].map(wording.yes_no) for c in BOOLEAN_COLUMNS if c in table},
        **({"platform": table["platform"].map(wording.platform_label)} if "platform" in table else {}))
    headers = {k: v for k, v in headers_ru(methodology).items() if k in shown.columns}
    formats = {"score": excel.SCORE, "p_top_n": excel.PERCENT, "rank": excel.INTEGER, "group_rank": excel.INTEGER,
               "rank_low": excel.INTEGER, "rank_high": excel.INTEGER,
               **{c.name: excel.DECIMAL for c in methodology.criteria}}
    sheets = [excel.Sheet("Все страницы", shown, headers, formats, table["winner"])]
    for sector in sorted(shown["sector"].dropna().unique(), key=wording.sector_label):
        part = shown["sector"] == sector
        sheets.append(excel.Sheet(wording.sector_label(sector), shown[part], headers, formats,
                                  table.loc[part, "winner"]))
    xlsx_path = excel.write_workbook(out_dir / "ranking.xlsx", sheets, about)
    return csv_path, xlsx_path
