"""Everything a reader sees in words: Russian numbers, dates, plurals, labels.

This module owns the one number style of the project (decimal comma, a narrow no-break
space between thousands, a no-break space before «%», a true minus sign, «—» for a
missing value), month and weekday names, plural forms, «да»/«нет», the data labels
(«СИНТЕТИЧЕСКИЕ ДАННЫЕ»), and the Russian labels of sectors, platforms and exclusion
reasons. Every notebook, HTML page, chart and Excel writer takes its wording from here.
"""

from __future__ import annotations

from typing import Callable, Mapping

import pandas as pd

from .region import PLATFORMS, SECTORS

NNBSP = "\u202f"  # narrow no-break space: thousands separator in Russian typography
NBSP = "\u00a0"  # no-break space: between a number and «%»
MINUS = "\u2212"
MISSING = "—"

SYNTHETIC_LABEL = "СИНТЕТИЧЕСКИЕ ДАННЫЕ"
IMPORTED_LABEL = "импортированные данные"

MONTHS_RU = ("янв", "фев", "мар", "апр", "май", "июн", "июл", "авг", "сен", "окт", "ноя", "дек")
MONTHS_NOMINATIVE_RU = ("январь", "февраль", "март", "апрель", "май", "июнь", "июль", "август",
                        "сентябрь", "октябрь", "ноябрь", "декабрь")
MONTHS_GENITIVE_RU = ("января", "февраля", "марта", "апреля", "мая", "июня", "июля", "августа",
                      "сентября", "октября", "ноября", "декабря")
MONTHS_PREPOSITIONAL_RU = ("январе", "феврале", "марте", "апреле", "мае", "июне", "июле", "августе",
                           "сентябре", "октябре", "ноябре", "декабре")
WEEKDAYS_RU = ("Пн", "Вт", "Ср", "Чт", "Пт", "Сб", "Вс")
YES, NO = "да", "нет"


def _missing(value) -> bool:
    return value is None or value is pd.NA or value is pd.NaT or bool(pd.isna(value))


# --- numbers --------------------------------------------------------------------------------

def fmt_num(value: float, digits: int = 1) -> str:
    """14.24 -> '14,2'; -3.5 -> '−3,5'; 12345.6 -> '12 345,6'; '—' for a missing value."""
    if _missing(value):
        return MISSING
    return f"{value:,.{digits}f}".replace(",", NNBSP).replace(".", ",").replace("-", MINUS)


def fmt_int(value: float) -> str:
    """3465 -> '3 465' (narrow no-break space); '—' for a missing value."""
    return fmt_num(value, 0)


def fmt_share(value: float, digits: int = 0) -> str:
    """0.549 -> '55 %' (no-break space before the sign); '—' for a missing value."""
    if _missing(value):
        return MISSING
    return f"{fmt_num(100 * value, digits)}{NBSP}%"


def fmt_signed(value: float, formatter: Callable[[float], str] = fmt_int) -> str:
    """+12 / −3 with a true minus sign; '—' for a missing value."""
    if _missing(value):
        return MISSING
    return ("+" if value > 0 else MINUS if value < 0 else "") + formatter(abs(value))


def fmt_points(difference: float) -> str:
    """A change of a share in percentage points: 0.125 -> '+12,5 п.п.'."""
    return fmt_signed(100 * difference, lambda v: f"{fmt_num(v)}{NBSP}п.п.")


def with_unit(text: str, unit: str) -> str:
    """A formatted number and its unit, joined by a no-break space: ('3', 'мес.') -> '3 мес.'; the text alone
    when there is no unit."""
    return f"{text}{NBSP}{unit}" if unit else text


def fmt_hours(value: float, digits: int = 1) -> str:
    """14.24 -> '14,2 ч'."""
    return MISSING if _missing(value) else f"{fmt_num(value, digits)}{NBSP}ч"


def fmt_place(value) -> str:
    """A rank: 7 -> '7'; '—' for a page without one."""
    return MISSING if _missing(value) else fmt_int(value)


def fmt_date(value) -> str:
    """A date as readers write it: '31.12.2023'."""
    return MISSING if _missing(value) else pd.Timestamp(value).strftime("%d.%m.%Y")


def fmt_datetime(value) -> str:
    """A moment as readers write it: '31.12.2023 14:05' (convert to local time first)."""
    return MISSING if _missing(value) else pd.Timestamp(value).strftime("%d.%m.%Y %H:%M")


def fmt_week(monday) -> str:
    """A Monday-to-Sunday week: '25.12.2023 — 31.12.2023'."""
    if _missing(monday):
        return MISSING
    start = pd.Timestamp(monday)
    return f"{fmt_date(start)} — {fmt_date(start + pd.Timedelta(days=6))}"


def yes_no(value) -> str:
    """True -> 'да', False -> 'нет', missing -> '—'."""
    return MISSING if _missing(value) else (YES if bool(value) else NO)


def plural_ru(n: float, one: str, few: str, many: str) -> str:
    """The noun form for n: plural_ru(21, 'страница', 'страницы', 'страниц') -> 'страница'."""
    n = abs(int(n))
    if n % 10 == 1 and n % 100 != 11:
        return one
    if 2 <= n % 10 <= 4 and not 12 <= n % 100 <= 14:
        return few
    return many


def count_ru(n: float, one: str, few: str, many: str) -> str:
    """'3 465 страниц', '21 страница'."""
    return f"{fmt_int(n)} {plural_ru(n, one, few, many)}"


# --- dates ----------------------------------------------------------------------------------

def month_ru(ts: pd.Timestamp, case: str = "short") -> str:
    """'янв 2023' (short), 'январь 2023' (nominative), 'январе' (prepositional) or 'января' (genitive)."""
    if case == "short":
        return f"{MONTHS_RU[ts.month - 1]} {ts.year}"
    if case == "nominative":
        return f"{MONTHS_NOMINATIVE_RU[ts.month - 1]} {ts.year}"
    names = MONTHS_PREPOSITIONAL_RU if case == "prepositional" else MONTHS_GENITIVE_RU
    return names[ts.month - 1]


# --- labels ---------------------------------------------------------------------------------

TIMEZONE_NAMES = {"Asia/Novosibirsk": "новосибирское время", "Europe/Moscow": "московское время"}


def timezone_label(tz: str) -> str:
    """A time zone as readers name it: 'Asia/Novosibirsk' -> 'новосибирское время, UTC+7'."""
    from zoneinfo import ZoneInfo

    offset = pd.Timestamp("2023-01-01", tz=ZoneInfo(tz)).utcoffset()
    hours = int(offset.total_seconds() // 3600)
    utc = "UTC" + (f"+{hours}" if hours > 0 else f"{MINUS}{-hours}" if hours < 0 else "")
    return f"{TIMEZONE_NAMES[tz]}, {utc}" if tz in TIMEZONE_NAMES else utc


def sector_label(sector: str) -> str:
    """Russian label of a sector code; the value itself when it is not a code (e.g. «не определено»)."""
    return MISSING if _missing(sector) else SECTORS.get(sector, sector)


def platform_label(platform: str) -> str:
    """'vk' -> 'ВКонтакте'."""
    return MISSING if _missing(platform) else PLATFORMS.get(platform, platform)


POPULATION_SOURCE_RU = ("для пяти городских округов и границ сельских районов — опубликованная численность "
                        "населения; для остальных районов — приближённые значения, округлённые до 500 жителей")
CSV_NOTE = "для программ: CSV в кодировке UTF-8, разделитель «;», десятичная запятая; открывается и в Excel"


# What a criterion shows when it stands at the methodology's neutral value for want of data.
NO_DATA_TEXT = {"responsiveness": "нет обращений"}
NO_DATA_DEFAULT = "нет данных"


def no_data_text(criterion: str) -> str:
    """'нет обращений' for the replies criterion of a page nobody commented on; 'нет данных' otherwise."""
    return NO_DATA_TEXT.get(criterion, NO_DATA_DEFAULT)


def neutral_rule(labels: Mapping[str, str]) -> str:
    """The one sentence explaining «нет обращений» (criteria: code -> Russian label) where it appears."""
    named = ", ".join(f"«{labels[c]}»" for c in NO_DATA_TEXT if c in labels) or "критерия"
    return (f"«{NO_DATA_TEXT.get('responsiveness', NO_DATA_DEFAULT)}» в столбце {named}: жители не оставили "
            "странице ни одного комментария, оценивать ответы не по чему. По методике такая страница получает "
            "по этому критерию нейтральные 50 из 100 (ни плюс, ни минус), и с ними считается итоговый балл; "
            "это не оценка ответов.")


def criterion_points(score: float, criterion: str = "", no_data: str = "") -> str:
    """A criterion's 0..1 score as readers see it, on one scale everywhere: '85' (of 100); the no-data text
    when the criterion is in the page's `no_data` list ('; '-joined criterion names)."""
    if criterion and not _missing(no_data) and criterion in str(no_data).split("; "):
        return no_data_text(criterion)
    return MISSING if _missing(score) else fmt_int(100 * score)


CONTENT_TYPE_LABELS = {"text": "только текст", "photo": "фото", "video": "видео", "clip": "клип",
                       "live": "прямой эфир", "link": "ссылка", "poll": "опрос", "repost": "репост",
                       "several": "несколько видов"}
RUBRIC_LABELS = {"announcement": "анонс события", "report": "отчёт о событии", "useful": "полезная информация",
                 "holiday": "поздравление", "news": "новости региона", "safety": "безопасность"}


def content_type_label(code: str) -> str:
    """'live' -> 'прямой эфир' (schema.CONTENT_TYPES)."""
    return MISSING if _missing(code) else CONTENT_TYPE_LABELS.get(code, code)


def rubric_label(code: str) -> str:
    """'useful' -> 'полезная информация' (content.rubrics.RUBRICS)."""
    return MISSING if _missing(code) else RUBRIC_LABELS.get(code, code)


def fmt_interval(value: float, low: float, high: float, formatter: Callable[[float], str]) -> str:
    """'1,3 (1,2–1,4)': a value with its confidence interval, in one number style."""
    if _missing(value):
        return MISSING
    return f"{formatter(value)} ({formatter(low)}–{formatter(high)})"


def reason_text(codes: str | None, labels: Mapping[str, str]) -> str:
    """Gate codes joined by '; ' (as `ranking` stores them) as Russian labels joined by ', '; '' for none."""
    if _missing(codes) or not str(codes):
        return ""
    return ", ".join(labels.get(code, code) for code in str(codes).split("; ") if code)


# --- tables ---------------------------------------------------------------------------------

def readable(frame: pd.DataFrame, columns: Mapping[str, tuple[str, Callable | None]], index: str | None = None
             ) -> pd.DataFrame:
    """A table for readers: the chosen columns, renamed to Russian headers, values formatted.

    `columns`: column -> (header, formatter or None to keep the value); `index`: a header
    to use as the index.
    """
    out = pd.DataFrame({header: frame[column].map(fmt) if fmt else frame[column]
                        for column, (header, fmt) in columns.items()})
    # the numbers behind formatted numeric columns, for tables readers sort (`show.table`)
    out.attrs["sort_keys"] = {header: keys for column, (header, fmt) in columns.items()
                              if fmt and (keys := _sort_keys(frame[column])) is not None}
    return out.set_index(index) if index else out


def _sort_keys(values: pd.Series) -> list[float] | None:
    """The numbers behind a column (None for text, yes/no and dates): what a reader's sort should order by."""
    if pd.api.types.is_bool_dtype(values) or isinstance(values.dtype, pd.DatetimeTZDtype) \
            or pd.api.types.is_datetime64_any_dtype(values):
        return None
    numbers = pd.to_numeric(values, errors="coerce") if values.dtype == object or pd.api.types.is_numeric_dtype(
        values) else None
    if numbers is None or numbers.notna().sum() == 0:
        return None
    return numbers.astype("float64").tolist()
