"""The growth story in words and files: the year's summary paragraph and the tables written.

`summary_ru` tells the year in a short Russian paragraph, every number computed by
`Growth`; `write_growth_tables` writes the tables a reader may want as CSV files.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from ..wording import (fmt_date, fmt_hours, fmt_int, fmt_num, fmt_share, fmt_signed, month_ru, platform_label,
                       plural_ru)
from .rules import LAW_START_MONTH
from .tables import write_workbook
from .year import Growth


def _trend(before: pd.Series, after: pd.Series, column: str, shown, up: str, down: str, same: str) -> str:
    """'выросла с 40% в январе до 55% в декабре' between two monthly rows; the verb follows
    the values as shown, so rounding never contradicts it."""
    b, a = before[column], after[column]
    when_b, when_a = (f"в {month_ru(row['month'], 'prepositional')}" for row in (before, after))
    if shown(b) == shown(a):
        return f"{same} ({shown(a)} {when_b} и {when_a})"
    return f"{up if a > b else down} с {shown(b)} {when_b} до {shown(a)} {when_a}"


def summary_ru(g: Growth, year: int | None = None) -> str:
    """A short paragraph in Russian telling the year's growth story, every number computed here."""
    year = g.check_year(year)
    now = g.year_figures(year).iloc[0]
    months = g.monthly()
    months = months[months["month"].dt.year == year]
    parts = []
    if g.source.is_synthetic:
        parts.append(f"{g.source.data_label}: все значения ниже рассчитаны на синтетическом наборе и не являются "
                     "фактами о реальной сети региона.")
    pages = f"{fmt_int(now['pages_active'])} {plural_ru(now['pages_active'], 'активная страница', 'активные страницы', 'активных страниц')}"
    if year > LAW_START_MONTH.year:
        before = g.year_figures(year - 1).iloc[0]
        parts.append(
            f"На конец {year} года в сети {pages} ({fmt_signed(now['pages_active'] - before['pages_active'])} "
            f"за год, на конец {year - 1} года — {fmt_int(before['pages_active'])}); подписчиков у них "
            f"{fmt_int(now['subscribers'])} (годом ранее — {fmt_int(before['subscribers'])}).")
    else:
        parts.append(f"На конец {year} года в сети {pages}; подписчиков у них {fmt_int(now['subscribers'])}.")
    if len(g.platforms) > 1:
        by = g.by_platform(year).set_index("platform")
        parts.append("По платформам активных страниц: " + ", ".join(
            f"{platform_label(p)} — {fmt_int(by.loc[p, 'pages_active'])}" for p in g.platforms) + ".")
    first, last = months.iloc[0], months.iloc[-1]
    parts.append(
        f"За год страницы опубликовали {fmt_int(now['posts'])} "
        f"{plural_ru(now['posts'], 'публикацию', 'публикации', 'публикаций')}, из них "
        f"{fmt_int(now['live_streams'])} {plural_ru(now['live_streams'], 'прямой эфир', 'прямых эфира', 'прямых эфиров')}; "
        f"число страниц, проводивших прямые эфиры, "
        f"{_trend(first, last, 'pages_with_live', fmt_int, 'выросло', 'снизилось', 'не изменилось')}.")
    replied = months.dropna(subset=["answered_share"])
    comments = (f"Страницы написали {fmt_int(now['page_comments'])} "
                f"{plural_ru(now['page_comments'], 'комментарий', 'комментария', 'комментариев')}.")
    if len(replied) >= 2:
        a, b = replied.iloc[0], replied.iloc[-1]
        comments += (
            f" Доля комментариев жителей, получивших ответ, "
            f"{_trend(a, b, 'answered_share', fmt_share, 'выросла', 'снизилась', 'не изменилась')}, "
            f"медианное время ответа "
            f"{_trend(a, b, 'median_reply_hours', fmt_hours, 'выросло', 'сократилось', 'не изменилось')}; "
            f"за год в целом ответ получили {fmt_share(now['answered_share'])} комментариев жителей.")
    parts.append(comments)
    leader = g.by_municipality(year).sort_values(["pages_active_per_1000", "municipality"], ascending=[False, True]).iloc[0]
    parts.append(
        f"Страница есть у {fmt_share(now['coverage_share'])} организаций из перечня; больше всего страниц на "
        f"1 000 жителей — {leader['municipality']} ({fmt_num(leader['pages_active_per_1000'])}). "
        f"Знак качества за {year} год {plural_ru(now['winners'], 'получила', 'получили', 'получили')} "
        f"{fmt_int(now['winners'])} {plural_ru(now['winners'], 'страница', 'страницы', 'страниц')}.")
    return " ".join(parts)


def _monthly_csv(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.assign(month=frame["month"].dt.strftime("%Y-%m"))


def write_growth_tables(g: Growth, out_dir: Path | str) -> dict[str, Path]:
    """Write the year's tables as UTF-8 CSV files (machine-readable, English column names) and,
    for readers, as one Excel workbook growth.xlsx (Russian headers); returns name -> path.

    headline.csv (figure, value, rule, platforms, value_<platform>), monthly.csv (region, Dec 2022 to
    Dec of the year), platforms.csv (the year's figures per platform),
    monthly_by_sector.csv, municipalities.csv (35 rows, with population and its source),
    sectors.csv, no_page_reasons.csv, and change.csv when the previous year is covered.
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    tables = {
        "headline": g.headline(),
        "monthly": _monthly_csv(g.monthly()),
        "monthly_by_sector": _monthly_csv(g.monthly("sector")),
        "municipalities": g.by_municipality(),
        "platforms": g.by_platform(),
        "sectors": g.by_sector(),
        "no_page_reasons": g.no_page_reasons(by="sector"),
    }
    change = g.change()
    if change is not None:
        tables["change"] = change
    paths = {}
    for name, frame in tables.items():
        paths[name] = out_dir / f"{name}.csv"
        frame.to_csv(paths[name], index=False)
    about = {"Данные": g.source.data_label, "Набор": g.source.name or g.source.path.name, "Год": g.year,
             "Часовой пояс": g.tz, "Ряды": f"с {month_ru(g.months[0], 'genitive')} {g.months[0].year} г. "
                                            f"по {month_ru(g.months[-1], 'nominative')} г."}
    paths["workbook"] = write_workbook(tables, out_dir / "growth.xlsx", about)
    return paths


def about_ru(g: Growth) -> str:
    """What the page shows and on which data: label, dataset, period, time zone, the months of the series."""
    source = g.source
    period = source.period
    covered = f"{fmt_date(period[0])} — {fmt_date(period[1])}" if period else "не указан"
    about = (f"Набор «{source.name or source.path.name}», период {covered}, часовой пояс {g.tz}; "
             f"ряды с {month_ru(g.months[0], 'genitive')} {g.months[0].year} г. "
             f"по {month_ru(g.months[-1], 'nominative')} г.")
    if source.is_synthetic:
        return (f"**{source.data_label}.** Значения в этом отчёте получены на синтетическом наборе: они показывают, "
                f"как работает расчёт, и не являются фактами о реальной сети региона. {about}")
    return f"Данные: {source.data_label}. {about}"
