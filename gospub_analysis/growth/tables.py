"""The growth tables as readers get them: Russian headers and one number style, on the page and in Excel.

Each table the growth page shows is declared once here (`COLUMNS`: column -> header and
kind of value). The kind decides both how a value reads on the page (`wording`) and its
Excel number format, so the page and `growth.xlsx` never disagree.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from .. import excel
from ..wording import fmt_int, fmt_num, fmt_share, month_ru, platform_label, readable, sector_label
from .rules import LABELS, format_change, format_change_pct, format_figure

# kind -> (formatter on the page, Excel number format)
KINDS = {
    "count": (fmt_int, excel.INTEGER),
    "share": (lambda v: fmt_share(v, 1), excel.PERCENT),
    "number": (fmt_num, "#,##0.0"),
    "rate": (lambda v: fmt_num(v, 2), excel.DECIMAL),
    "month": (lambda v: month_ru(v, "nominative"), "MMMM YYYY"),
    "text": (None, None),
}

COLUMNS: dict[str, dict[str, tuple[str, str]]] = {
    "sectors": {
        "sector_label": ("Сфера", "text"), "pages_active": ("Активные страницы", "count"),
        "subscribers": ("Подписчики", "count"), "posts": ("Публикации", "count"),
        "live_streams": ("Прямые эфиры", "count"), "page_comments": ("Комментарии страниц", "count"),
        "answered_share": ("Доля ответов жителям", "share"), "median_reply_hours": ("Медиана ответа, ч", "number"),
        "winners": ("Знак качества (официальный список)", "count"), "organizations": ("Организации", "count"),
        "coverage_share": ("Доля организаций со страницей", "share"),
    },
    "municipalities": {
        "rank_pages_per_1000": ("Место", "count"), "municipality": ("Муниципальное образование", "text"),
        "population": ("Население", "count"), "pages_active": ("Активные страницы", "count"),
        "pages_active_per_1000": ("Страниц на 1 000 жителей", "rate"), "subscribers": ("Подписчики", "count"),
        "subscribers_per_1000": ("Подписчиков на 1 000 жителей", "count"), "posts": ("Публикации", "count"),
        "posts_per_1000": ("Публикаций на 1 000 жителей", "count"),
        "page_comments": ("Комментарии страниц", "count"), "winners": ("Знак качества (официальный список)", "count"),
        "coverage_share": ("Доля организаций со страницей", "share"),
    },
    "platforms": {
        "platform_label": ("Платформа", "text"), "pages_active": ("Активные страницы", "count"),
        "subscribers": ("Подписчики", "count"), "posts": ("Публикации", "count"),
        "page_comments": ("Комментарии страниц", "count"), "resident_comments": ("Комментарии жителей", "count"),
        "answered_share": ("Доля ответов жителям", "share"), "median_reply_hours": ("Медиана ответа, ч", "number"),
        "winners": ("Знак качества (официальный список)", "count"),
        "organizations_with_page": ("Организации со страницей на платформе", "count"),
        "coverage_share": ("Доля организаций со страницей на платформе", "share"),
    },
    "no_page_reasons": {
        "sector_label": ("Сфера", "text"), "reason": ("Основание, по которому страница не ведётся", "text"),
        "organizations": ("Организаций", "count"),
    },
    "monthly": {
        "month": ("Месяц", "month"), "pages_active": ("Активные страницы на конец месяца", "count"),
        "pages_created": ("Создано страниц", "count"), "pages_closed": ("Закрыто страниц", "count"),
        "subscribers": ("Подписчики", "count"), "posts": ("Публикации", "count"),
        "live_streams": ("Прямые эфиры", "count"), "pages_with_live": ("Страницы с прямыми эфирами", "count"),
        "page_comments": ("Комментарии страниц", "count"), "resident_comments": ("Комментарии жителей", "count"),
        "answered_share": ("Доля комментариев жителей с ответом", "share"),
        "answered_24h_share": ("Доля ответов в течение 24 часов", "share"),
        "median_reply_hours": ("Медиана ответа, ч", "number"),
        "coverage_share": ("Доля организаций со страницей", "share"),
    },
}


def for_reader(frame: pd.DataFrame, table: str, index: str | None = None) -> pd.DataFrame:
    """A growth table with Russian headers and formatted values, for the page."""
    frame = _labelled(frame)
    spec = {c: (header, KINDS[kind][0]) for c, (header, kind) in COLUMNS[table].items() if c in frame.columns}
    return readable(frame, spec, index)


def headline_for_reader(table: pd.DataFrame) -> pd.DataFrame:
    """The year's headline (`Growth.headline`, optionally `published.beside_published`) for the page:
    the value over every platform, on each platform, the published figures beside the values of the
    platforms they describe (VK), and the counting rule."""
    shown = {"Показатель": table["figure"].map(LABELS),
             "Все платформы": [format_figure(f, v) for f, v in zip(table["figure"], table["value"])]}
    for column in [c for c in table.columns if c.startswith("value_")]:
        shown[platform_label(column.removeprefix("value_"))] = [
            format_figure(f, v) for f, v in zip(table["figure"], table[column])]
    if "published" in table:
        shown[f"Опубликовано (итоги года; страницы: {table['compared_platforms'].iloc[0]})"] = table["published"]
        shown["Федеральная презентация, дек. 2023"] = table["federal_dec_2023"]
    shown["Правило подсчёта"] = table["rule"]
    return pd.DataFrame(shown).set_index("Показатель")


def platforms_for_reader(frame: pd.DataFrame) -> pd.DataFrame:
    """`Growth.by_platform` for the page: one row per platform."""
    return for_reader(frame, "platforms", index="Платформа")


def change_for_reader(change: pd.DataFrame, year: int) -> pd.DataFrame:
    """The change against the previous year: each figure as a reader reads it, the change in its own unit."""
    shown = change.assign(
        previous=[format_figure(f, v) for f, v in zip(change["figure"], change["previous"])],
        value=[format_figure(f, v) for f, v in zip(change["figure"], change["value"])],
        change=[format_change(f, d) for f, d in zip(change["figure"], change["change"])],
        change_pct=change["change_pct"].map(format_change_pct),
    )
    return readable(shown, {"label": ("Показатель", None), "previous": (str(year - 1), None),
                            "value": (str(year), None), "change": ("Изменение", None),
                            "change_pct": ("Изменение, %", None)}, index="Показатель")


def _labelled(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.assign(sector_label=frame["sector"].map(sector_label)) if "sector" in frame.columns else frame


def write_workbook(tables: dict[str, pd.DataFrame], path: Path | str, about: dict) -> Path:
    """growth.xlsx: a «Паспорт» sheet, then every growth table with Russian headers and number formats."""
    names = {"monthly": "По месяцам", "platforms": "По платформам", "sectors": "По сферам",
             "municipalities": "Муниципалитеты", "no_page_reasons": "Организации без страниц"}
    headline = tables["headline"]
    by_platform = [c for c in headline.columns if c.startswith("value_")]
    sheets = [excel.Sheet("Главные цифры", headline.assign(
        label=headline["figure"].map(LABELS),
        shown=[format_figure(f, v) for f, v in zip(headline["figure"], headline["value"])],
        **{f"shown_{c}": [format_figure(f, v) for f, v in zip(headline["figure"], headline[c])] for c in by_platform}),
        {"label": "Показатель", "shown": "Все платформы",
         **{f"shown_{c}": platform_label(c.removeprefix("value_")) for c in by_platform},
         "rule": "Правило подсчёта"})]
    for table, title in names.items():
        if table not in tables:
            continue
        frame = _labelled(tables[table])
        columns = {c: spec for c, spec in COLUMNS[table].items() if c in frame.columns}
        sheets.append(excel.Sheet(title, frame, {c: h for c, (h, _) in columns.items()},
                                  {c: KINDS[k][1] for c, (_, k) in columns.items() if KINDS[k][1]}))
    return excel.write_workbook(path, sheets, about)
