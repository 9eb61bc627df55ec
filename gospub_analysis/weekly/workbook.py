"""The weekly Excel workbooks: a municipality's (its curator's list of work) and the region's.

Sheets: «Паспорт» (data label, methodology file and version, week, area), «Страницы» (every
page with its colour, score, parts, rules broken and source), one sheet per action list
with a clickable link to the place to act, and for the region the league tables by
municipality and by sector. Russian headers, frozen header row, filters and widths come
from `excel.write_workbook`; numbers stay numbers, dates are local dates.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from .. import excel
from ..coverage import missing_second_platform, week_end
from ..wording import fmt_week, platform_label, sector_label
from .actions import KINDS
from .league import REGION
from .links import page_urls
from .methodology import WeeklyMethodology
from .tables import CHANGES, SOURCES, colour_word, rules_text
from .weeks import week_label

SHEETS = {"unanswered": "Без ответа", "silent": "Молчат 7 дней", "few_posts": "Меньше 3 публикаций",
          "missing": "Оформление", "subscriber_loss": "Потеря подписчиков", "no_live": "Без эфира"}
ITEM_HEADERS = {
    "name": "Страница", "platform": "Платформа", "municipality": "Муниципалитет", "sector": "Сфера", "link": "Ссылка, где действовать",
    "written_at": "Комментарий написан", "waited_working_hours": "Ждёт ответа, рабочих часов",
    "waited_days": "Ждёт ответа, дней", "last_post": "Последняя публикация", "days_silent": "Дней без публикаций",
    "posts": "Публикаций за неделю", "missing": "Чего не хватает", "members_prev": "Подписчиков неделю назад",
    "members": "Подписчиков сейчас", "members_lost_share": "Потеря подписчиков", "colour": "Цвет", "score": "Балл",
}
KIND_COLUMNS = {
    "unanswered": ["written_at", "waited_working_hours", "waited_days"],
    "silent": ["last_post", "days_silent"], "few_posts": ["posts"], "missing": ["missing"],
    "subscriber_loss": ["members_prev", "members", "members_lost_share"], "no_live": [],
}
FORMATS = {"waited_working_hours": excel.INTEGER, "waited_days": "0", "days_silent": "0", "posts": excel.INTEGER,
           "members_prev": excel.INTEGER, "members": excel.INTEGER, "members_lost_share": excel.PERCENT,
           "score": excel.SCORE, "written_at": "DD.MM.YYYY HH:MM", "last_post": excel.DATE,
           "mean_score": excel.SCORE, "score_change": "+0.0;-0.0;0.0", "pages": excel.INTEGER,
           "share_green": excel.PERCENT, "share_yellow": excel.PERCENT, "share_red": excel.PERCENT,
           "green_change": "+0.0%;-0.0%;0.0%", "open_items": excel.INTEGER}


def _local(series: pd.Series, tz: str) -> pd.Series:
    return series.dt.tz_convert(tz).dt.tz_localize(None)


def pages_sheet(rows: pd.DataFrame, methodology: WeeklyMethodology, with_municipality: bool) -> excel.Sheet:
    frame = rows.sort_values(["score", "name"], kind="stable").assign(
        link=page_urls(rows), sector=rows["sector"].map(sector_label), platform=rows["platform"].map(platform_label),
        colour=rows["colour"].map(lambda c: colour_word(c, methodology)),
        prev_colour=rows["prev_colour"].map(lambda c: colour_word(c, methodology)),
        colour_change=rows["colour_change"].map(CHANGES), rules=rows["rules"].map(lambda c: rules_text(c, methodology)),
        source=rows["source"].map(SOURCES),
        **{f"points_{i.name}": (i.weight * rows[f"part_{i.name}"]).round(1) for i in methodology.indicators})
    headers = {"name": "Страница", "platform": "Платформа",
               **({"municipality": "Муниципалитет"} if with_municipality else {}),
               "sector": "Сфера", "link": "Ссылка на страницу", "colour": "Цвет", "score": "Балл",
               "prev_colour": "Цвет неделей раньше", "score_change": "Изменение балла", "colour_change": "Изменение цвета",
               **{f"points_{i.name}": f"{i.label}, баллов из {i.weight:g}" for i in methodology.indicators},
               "posts": "Публикаций за неделю", "members": "Подписчиков", "due_comments": "Комментариев к ответу",
               "on_time_share": "Отвечено в срок", "rules": "Нарушения", "source": "Источник цифр"}
    formats = {"score": excel.SCORE, "score_change": "+0.0;-0.0;0.0", "posts": excel.INTEGER, "members": excel.INTEGER,
               "due_comments": excel.INTEGER, "on_time_share": excel.PERCENT,
               **{f"points_{i.name}": "0.0" for i in methodology.indicators}}
    return excel.Sheet("Страницы", frame, headers, formats, links=("link",))


def item_sheets(items: pd.DataFrame, methodology: WeeklyMethodology, tz: str, with_municipality: bool
                ) -> list[excel.Sheet]:
    sheets = []
    for kind, title in SHEETS.items():
        frame = items[items["kind"] == kind]
        frame = frame.assign(sector=frame["sector"].map(sector_label), platform=frame["platform"].map(platform_label),
                             colour=frame["colour"].map(lambda c: colour_word(c, methodology)),
                             written_at=_local(frame["written_at"].astype("datetime64[us, UTC]"), tz),
                             last_post=_local(frame["last_post"].astype("datetime64[us, UTC]"), tz).dt.normalize())
        columns = ["name", "platform", *(["municipality"] if with_municipality else []), "sector", "link",
                   *KIND_COLUMNS[kind],
                   "colour", "score"]
        sheets.append(excel.Sheet(title, frame, {c: ITEM_HEADERS[c] for c in columns},
                                  {c: FORMATS[c] for c in columns if c in FORMATS}, links=("link",)))
    return sheets


def league_sheet(table: pd.DataFrame, title: str, area_header: str) -> excel.Sheet:
    frame = table.assign(area=table["area"].map(lambda a: a if a == REGION else sector_label(a)))
    headers = {"area": area_header, "pages": "Страниц", "share_green": "Доля зелёных", "share_yellow": "Доля жёлтых",
               "share_red": "Доля красных", "mean_score": "Средний балл", "score_change": "Балл к прошлой неделе",
               "green_change": "Доля зелёных к прошлой неделе", "open_items": "Открытых задач",
               **{f"items_{k}": f"{SHEETS[k]}" for k in KINDS}}
    formats = {c: FORMATS[c] for c in headers if c in FORMATS} | {f"items_{k}": excel.INTEGER for k in KINDS}
    return excel.Sheet(title, frame, headers, formats)


def missing_platform_sheet(missing: pd.DataFrame, with_municipality: bool) -> excel.Sheet:
    """The organisations without a page on the second mandatory platform (`coverage.missing_second_platform`)."""
    frame = missing.assign(sector=missing["sector"].map(sector_label), has=missing["has"].map(platform_label),
                           missing=missing["missing"].map(platform_label))
    headers = {"name": "Организация", **({"municipality": "Муниципалитет"} if with_municipality else {}),
               "sector": "Сфера", "has": "Есть страница", "page_url": "Ссылка на страницу", "missing": "Нет страницы"}
    return excel.Sheet("Нет второй сети", frame, headers, {}, links=("page_url",))


def about(source, methodology: WeeklyMethodology, monday: pd.Timestamp, area: str) -> dict[str, object]:
    """The «Паспорт» facts of a weekly workbook."""
    return {"Данные": source.data_label, "Набор данных": source.name or str(source.path),
            "Методика": methodology.title, "Файл методики": methodology.file_name,
            "Версия методики": methodology.version, "Неделя": f"{fmt_week(monday)} ({week_label(monday)})",
            "Территория": area, "Состояние страниц": "на понедельник после недели"}


def write_weekly_workbook(path: Path | str, source, rows: pd.DataFrame, items: pd.DataFrame,
                          methodology: WeeklyMethodology, monday: pd.Timestamp, area: str,
                          leagues: dict[str, pd.DataFrame] | None = None) -> Path:
    """A weekly workbook for one area (a municipality, or the region with its league tables), with the
    area's organisations missing the second mandatory platform at the week's end."""
    region = leagues is not None
    missing = missing_second_platform(source, week_end(monday, source.timezone), None if region else area)
    sheets = [pages_sheet(rows, methodology, region), *item_sheets(items, methodology, source.timezone, region),
              missing_platform_sheet(missing, region)]
    if region:
        sheets += [league_sheet(leagues["municipality"], "Муниципалитеты", "Муниципалитет"),
                   league_sheet(leagues["sector"], "Сферы", "Сфера")]
    return excel.write_workbook(path, sheets, about(source, methodology, monday, area))
