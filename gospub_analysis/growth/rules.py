"""The counting rules of the growth story, stated once, and how its figures read.

`RULES` holds the Russian rule of every figure (readers see it next to the number),
`LABELS` the figure names; `format_figure` and `format_change` say a value and a change
between years in the project's number style (`wording`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..region import LAW_START
from ..wording import fmt_hours, fmt_int, fmt_num, fmt_points, fmt_share, fmt_signed

LAW_START_MONTH = pd.Timestamp(LAW_START).to_period("M").start_time
GROUPINGS = ("sector", "municipality", "platform")

# Counting rules, in Russian because readers see them next to the numbers. {year} and
# {tz} are filled in by `rule()`.
RULES: dict[str, str] = {
    "pages_active": (
        "Страницы, активные на конец 31 декабря {year} г. по местному времени ({tz}): "
        "дата создания не позже этого момента, и страница не закрыта или закрыта позже. Если дата создания "
        "неизвестна (её не дают ВКонтакте и выгрузка мониторинга), страница считается существующей с первого "
        "свидетельства о ней (первая публикация или первое наблюдение)."
    ),
    "pages_created": ("Страницы, созданные в {year} г. (дата создания по местному календарю); страницы с "
                      "неизвестной датой создания здесь не учитываются."),
    "pages_closed": "Страницы, закрытые в {year} г. (дата закрытия по местному календарю).",
    "subscribers": (
        "Сумма подписчиков страниц, активных на конец года; у каждой страницы берётся "
        "последний снимок с датой в {year} г. (снимки без числа подписчиков пропускаются). "
        "Страницы без снимка в этом году в сумму не входят."
    ),
    "pages_without_snapshot": (
        "Страницы, активные на конец {year} г., у которых нет снимка с числом подписчиков "
        "за этот год (не вошли в сумму подписчиков)."
    ),
    "posts": "Публикации (оригинальные и репосты) с датой публикации в {year} г. по местному календарю.",
    "live_streams": "Публикации {year} г., которые являются прямым эфиром или содержат его.",
    "pages_with_live": "Страницы, опубликовавшие в {year} г. хотя бы один прямой эфир.",
    "page_comments": (
        "Комментарии, написанные страницами (автор — страница) в {year} г. по местному "
        "календарю, включая удалённые позже."
    ),
    "resident_comments": "Комментарии жителей, написанные в {year} г. по местному календарю.",
    "answered_share": (
        "Доля неудалённых комментариев жителей, написанных в {year} г., на которые страница "
        "ответила (ответом на комментарий); ответ засчитывается, даже если пришёл после конца "
        "месяца или года."
    ),
    "answered_24h_share": (
        "Доля неудалённых комментариев жителей, написанных в {year} г., на которые страница "
        "ответила не позже чем через 24 часа."
    ),
    "median_reply_hours": (
        "Медиана времени от комментария жителя, написанного в {year} г., до первого ответа "
        "страницы, в часах; только комментарии с ответом."
    ),
    "winners": "Страницы, получившие знак качества за {year} г. (официальный список награждённых).",
    "organizations": "Организации в перечне (таблица организаций набора данных; перечень один на весь период).",
    "organizations_with_page": (
        "Организации из перечня, у которых на конец {year} г. есть хотя бы одна активная страница."
    ),
    "coverage_share": "Доля организаций из перечня, у которых на конец {year} г. есть активная страница.",
}

LABELS: dict[str, str] = {
    "pages_active": "Активные страницы на конец года",
    "pages_created": "Создано страниц за год",
    "pages_closed": "Закрыто страниц за год",
    "subscribers": "Подписчики на конец года",
    "pages_without_snapshot": "Активные страницы без данных о подписчиках",
    "posts": "Публикации за год",
    "live_streams": "Прямые эфиры за год",
    "pages_with_live": "Страницы с прямыми эфирами",
    "page_comments": "Комментарии страниц за год",
    "resident_comments": "Комментарии жителей за год",
    "answered_share": "Доля комментариев жителей с ответом",
    "answered_24h_share": "Доля ответов в течение 24 часов",
    "median_reply_hours": "Медианное время ответа, ч",
    "winners": "Победители (знак качества)",
    "organizations": "Организации в перечне",
    "organizations_with_page": "Организации с активной страницей",
    "coverage_share": "Доля организаций со страницей",
}

HEADLINE_FIGURES = (
    "pages_active", "subscribers", "posts", "page_comments", "winners",
    "pages_created", "pages_closed", "pages_without_snapshot", "live_streams", "pages_with_live",
    "resident_comments", "answered_share", "answered_24h_share", "median_reply_hours",
    "organizations", "organizations_with_page", "coverage_share",
)
SHARE_FIGURES = ("answered_share", "answered_24h_share", "coverage_share")
COUNT_FIGURES = tuple(f for f in HEADLINE_FIGURES if f not in SHARE_FIGURES and f != "median_reply_hours")
SCOPE = "scope"  # grouping column holding one value: the region as a whole
NO_REASON = "причина не указана"


PLATFORMS_RULE = ("Считаются страницы всех платформ набора ({platforms}), каждая страница отдельно; "
                  "значения по каждой платформе — в отдельных столбцах.")
ORGANISATIONS_RULE = "Организация считается со страницей, если страница есть хотя бы на одной из платформ ({platforms})."


def rule(figure: str, year: int, tz: str, platforms: str | None = None) -> str:
    """The counting rule of a figure for a year, as stated in reports; with `platforms` (their names in
    words), which platforms the figure counts."""
    text = RULES[figure].format(year=year, tz=tz)
    if platforms is None or figure == "organizations":
        return text
    extra = ORGANISATIONS_RULE if figure in ("organizations_with_page", "coverage_share") else PLATFORMS_RULE
    return f"{text} {extra.format(platforms=platforms)}"


def month_bounds(months: pd.DatetimeIndex, tz: str) -> tuple[np.ndarray, np.ndarray]:
    """[start, end) of each local month as naive UTC datetime64[us] arrays."""
    def utc(index: pd.DatetimeIndex) -> np.ndarray:
        return index.tz_localize(tz).tz_convert("UTC").tz_localize(None).to_numpy("datetime64[us]")
    return utc(months), utc(months + pd.offsets.MonthBegin(1))


def format_figure(figure: str, value: float) -> str:
    """A headline value as a reader sees it: '3 465', '54,9 %', '14,2' (hours)."""
    if figure in SHARE_FIGURES:
        return fmt_share(value, 1)
    if figure == "median_reply_hours":
        return fmt_num(value)
    return fmt_int(value)


def format_change(figure: str, difference: float) -> str:
    """A change between two years: '+704', '−3,1 ч', '+12,5 п.п.' (shares change in percentage points)."""
    if figure in SHARE_FIGURES:
        return fmt_points(difference)
    if figure == "median_reply_hours":
        return fmt_signed(difference, fmt_hours)
    return fmt_signed(difference)


def format_change_pct(change: float) -> str:
    """A relative change between two years: 0.255 -> '+25,5 %'; '' where it does not apply (shares, hours)."""
    return "" if pd.isna(change) else fmt_signed(100 * change, lambda v: fmt_share(v / 100, 1))
