"""The weekly monitoring for readers: Russian tables (HTML with links), the colours, the summary.

Every value goes through `wording` (decimal comma, «55 %», dates as 25.12.2023); colours
are the methodology's words («зелёный», «жёлтый», «красный») with a coloured mark; rules
are the methodology's labels. A page's name links to its card when the report built one
(`cards`: community_id -> relative link), otherwise to the page itself.
"""

from __future__ import annotations

import html

import pandas as pd

from ..wording import (MISSING, count_ru, fmt_date, fmt_datetime, fmt_int, fmt_num, fmt_points, fmt_share,
                       fmt_signed, fmt_week, month_ru, platform_label, sector_label, yes_no)
from .actions import KINDS
from .league import REGION
from .links import page_urls
from .measures import MONITORING_SOURCE
from .methodology import WeeklyMethodology

COLOUR_MARKS = {"green": "#2e7d32", "yellow": "#f9a825", "red": "#c62828"}
SOURCES = {MONITORING_SOURCE: "выгрузка мониторинга", "data": "публикации и снимки"}
CHANGES = {"better": "лучше", "worse": "хуже", "same": "без изменений", "new": "новая"}
NEVER_POSTED = "ни одной в данных"
KIND_SHORT = {"unanswered": "Без ответа", "silent": "Молчат 7 дней", "few_posts": "Меньше 3 публикаций",
              "missing": "Оформление", "subscriber_loss": "Потеря подписчиков", "no_live": "Без эфира"}


def card_file(community_id: str) -> str:
    """The file name of a page's card in a report: 'vk_123.html'."""
    return str(community_id).replace(":", "_") + ".html"


def page_anchor(name: str, url: str, community_id: str, cards: dict[str, str] | None = None) -> str:
    """The page's name as a link: to its card when built, else to the page on its platform."""
    target = (cards or {}).get(community_id) or url
    text = html.escape(str(name))
    return f'<a href="{html.escape(target)}">{text}</a>' if target else text


def colour_html(colour, methodology: WeeklyMethodology) -> str:
    if not isinstance(colour, str) or colour not in COLOUR_MARKS:
        return MISSING
    return (f'<span style="color:{COLOUR_MARKS[colour]};font-size:1.2em">●</span>&nbsp;'
            f"{html.escape(methodology.colour_labels[colour])}")


def colour_word(colour, methodology: WeeklyMethodology) -> str:
    return methodology.colour_labels.get(colour, MISSING) if isinstance(colour, str) else MISSING


def rules_text(codes, methodology: WeeklyMethodology) -> str:
    """'no_posts; no_gov_mark' -> 'нет публикаций за 7 дней, нет госметки' ('' for none)."""
    if not isinstance(codes, str) or not codes:
        return ""
    return ", ".join(methodology.rule_labels.get(c, c) for c in codes.split("; ") if c)


def to_html(frame: pd.DataFrame) -> str:
    """A reader table as HTML (cells already formatted, links kept)."""
    return frame.to_html(index=False, escape=False, border=0, classes="gospub-weekly", na_rep=MISSING)


def pages_for_reader(rows: pd.DataFrame, methodology: WeeklyMethodology, cards: dict | None = None,
                     with_municipality: bool = False) -> pd.DataFrame:
    """One line per page, worst first: its colour now and last week, score, rules broken."""
    rows = rows.sort_values(["score", "name"], kind="stable")
    urls = page_urls(rows)
    table = {"Страница": [page_anchor(n, u, c, cards) for n, u, c in zip(rows["name"], urls, rows["community_id"])],
             "Платформа": rows["platform"].map(platform_label)}
    if with_municipality:
        table["Муниципалитет"] = rows["municipality"].fillna(MISSING).map(html.escape)
    table |= {
        "Сфера": rows["sector"].map(sector_label),
        "Цвет": rows["colour"].map(lambda c: colour_html(c, methodology)),
        "Балл": rows["score"].map(fmt_num),
        "Прошлая неделя": rows["prev_colour"].map(lambda c: colour_html(c, methodology)),
        "Изменение балла": rows["score_change"].map(lambda v: fmt_signed(v, fmt_num)),
        "Публикаций": rows["posts"].map(fmt_int),
        "Ответы в срок": rows["on_time_share"].map(fmt_share),
        "Нарушения": rows["rules"].map(lambda c: html.escape(rules_text(c, methodology))),
        "Источник цифр": rows["source"].map(SOURCES),
    }
    return pd.DataFrame(table)


def league_for_reader(table: pd.DataFrame, area_header: str, area_links: dict[str, str] | None = None
                      ) -> pd.DataFrame:
    """The league table with Russian headers; areas link to their own pages where given."""
    def area(name):
        target = (area_links or {}).get(name)
        text = html.escape(sector_label(name) if area_header == "Сфера" else str(name))
        return f'<a href="{html.escape(target)}">{text}</a>' if target else (f"<strong>{text}</strong>"
                                                                               if name == REGION else text)
    out = {
        area_header: table["area"].map(area),
        "Страниц": table["pages"].map(fmt_int),
        "Зелёных": table["share_green"].map(fmt_share),
        "Жёлтых": table["share_yellow"].map(fmt_share),
        "Красных": table["share_red"].map(fmt_share),
        "Средний балл": table["mean_score"].map(fmt_num),
        "Балл к прошлой неделе": table["score_change"].map(lambda v: fmt_signed(v, fmt_num)),
        "Зелёных к прошлой неделе": table["green_change"].map(fmt_points),
        "Открытых задач": table["open_items"].map(fmt_int),
    }
    out |= {KIND_SHORT[k]: table[f"items_{k}"].map(fmt_int) for k in KINDS}
    return pd.DataFrame(out)


def actions_for_reader(items: pd.DataFrame, kind: str, tz: str, cards: dict | None = None,
                       with_municipality: bool = False) -> pd.DataFrame:
    """One action list with Russian headers; the place to act is a link in every row."""
    items = items[items["kind"] == kind]
    urls = page_urls(items)
    table = {"Страница": [page_anchor(n, u, c, cards) for n, u, c in zip(items["name"], urls, items["community_id"])],
             "Платформа": items["platform"].map(platform_label)}
    if with_municipality:
        table["Муниципалитет"] = items["municipality"].fillna(MISSING).map(html.escape)
    local = lambda column: items[column].dt.tz_convert(tz).dt.tz_localize(None)  # noqa: E731
    if kind == "unanswered":
        table |= {"Комментарий": [f'<a href="{html.escape(u)}">открыть комментарий</a>' for u in items["link"]],
                  "Написан": local("written_at").map(fmt_datetime),
                  "Ждёт, рабочих часов": items["waited_working_hours"].map(fmt_int),
                  "Ждёт, дней": items["waited_days"].map(lambda v: fmt_num(v, 0))}
    elif kind == "silent":
        table |= {"Последняя публикация": local("last_post").map(lambda d: NEVER_POSTED if pd.isna(d) else fmt_date(d)),
                  "Дней без публикаций": items["days_silent"].map(lambda v: fmt_num(v, 0))}
    elif kind == "few_posts":
        table |= {"Публикаций за неделю": items["posts"].map(fmt_int)}
    elif kind == "missing":
        table |= {"Чего не хватает": items["missing"].map(html.escape)}
    elif kind == "subscriber_loss":
        table |= {"Подписчиков неделю назад": items["members_prev"].map(fmt_int),
                  "Подписчиков сейчас": items["members"].map(fmt_int),
                  "Потеря": items["members_lost_share"].map(lambda v: fmt_share(v, 1))}
    table |= {"Балл": items["score"].map(fmt_num)}
    return pd.DataFrame(table)


def missing_platform_for_reader(missing: pd.DataFrame, with_municipality: bool = False) -> pd.DataFrame:
    """`coverage.missing_second_platform` for the page: the organisation, the page it has (a link) and
    the mandatory platform it lacks."""
    table = {"Организация": missing["name"].map(html.escape)}
    if with_municipality:
        table["Муниципалитет"] = missing["municipality"].fillna(MISSING).map(html.escape)
    table |= {
        "Сфера": missing["sector"].map(sector_label),
        "Есть страница": [f'<a href="{html.escape(u)}">{html.escape(platform_label(p))}</a>' if u else platform_label(p)
                          for p, u in zip(missing["has"], missing["page_url"])],
        "Нет страницы": missing["missing"].map(platform_label),
    }
    return pd.DataFrame(table)


def summary_text(league_row: pd.Series | None, methodology: WeeklyMethodology, monday: pd.Timestamp, area: str) -> str:
    """The week in two sentences for one area (a row of `league`; None: the area has no pages)."""
    if league_row is None or not league_row["pages"]:
        return (f"На неделе {fmt_week(monday)} в мониторинге нет ни одной страницы организаций этой территории "
                f"({area}): в наборе данных у них нет страниц, открытых в конце недели. Разделы ниже пусты.")
    labels = methodology.colour_labels
    items = ", ".join(f"{KINDS[k].lower()} — {fmt_int(league_row[f'items_{k}'])}" for k in KINDS)
    change = ("" if pd.isna(league_row["score_change"])
              else f" ({fmt_signed(league_row['score_change'], fmt_num)} к прошлой неделе)")
    return (f"На неделе {fmt_week(monday)} в мониторинге {count_ru(league_row['pages'], 'страница', 'страницы', 'страниц')} "
            f"всех платформ: "
            f"{labels['green']} цвет — у {fmt_share(league_row['share_green'])} страниц, {labels['yellow']} — у "
            f"{fmt_share(league_row['share_yellow'])}, {labels['red']} — у {fmt_share(league_row['share_red'])}. "
            f"Средний балл — {fmt_num(league_row['mean_score'])} из 100{change}. "
            f"Открытых задач: {fmt_int(league_row['open_items'])} ({items}).")



# --- the page card ------------------------------------------------------------------------------

def card_header(card, methodology: WeeklyMethodology, data_label: str) -> str:
    """Markdown: who the page is, the week, its colour now and the rules it broke."""
    page, now = card.page, card.now
    name = html.escape(str(page["name"]))
    title = f"[{name}]({page['link']})" if page["link"] else name
    lines = [f"## {title}", "",
             f"{html.escape(str(page['org_name'] if isinstance(page['org_name'], str) else '—'))}; сфера: "
             f"{sector_label(page['sector'])}; муниципалитет: {page['municipality'] if isinstance(page['municipality'], str) else MISSING}.",
             "", f"Неделя **{fmt_week(card.week)}**. Данные: **{data_label}**. Методика: {methodology.describe()}.", ""]
    if now is None:
        lines.append("В конце этой недели страница не работала: цвета за неделю нет.")
    else:
        broken = rules_text(now["rules"], methodology) or "нет"
        lines.append(f"Цвет недели: **{colour_word(now['colour'], methodology)}**, балл {fmt_num(now['score'])} из 100 "
                     f"(неделей раньше: {colour_word(now['prev_colour'], methodology)}). Нарушения: {broken}.")
    return "\n".join(lines)


def best_change_text(card, methodology: WeeklyMethodology) -> str:
    change = card.best_change
    if change is None:
        return ("Все части балла у страницы полные: улучшать по методике нечего." if card.now is not None
                else "Страница не работала в конце недели.")
    return (f"Больше всего балл поднимет «{change['label']}»: {change['advice']}. Это +{fmt_num(change['gain'])} "
            f"балла (с {fmt_num(change['score'])} до {fmt_num(change['new_score'])}), цвет станет: "
            f"{colour_word(change['new_colour'], methodology)}.")


def criteria_for_reader(card) -> pd.DataFrame:
    winners = (f"Медиана награждённых знаком качества за {card.winners_year} год" if card.winners_year
               else "Медиана награждённых знаком качества")
    return pd.DataFrame({
        "Критерий": card.criteria["label"],
        "Из баллов": card.criteria["weight"].map(fmt_int),
        "Страница": card.criteria["page"].map(fmt_num),
        "Медиана сферы": card.criteria["sector_median"].map(fmt_num),
        winners: card.criteria["winners_median"].map(fmt_num),
    })


def months_for_reader(card) -> pd.DataFrame:
    return pd.DataFrame({"Месяц": card.months["month"].map(lambda m: month_ru(m, "nominative")),
                         "Подписчиков на конец месяца": card.months["members"].map(fmt_int),
                         "Публикаций": card.months["posts"].map(fmt_int),
                         "Прямых эфиров": card.months["live_streams"].map(fmt_int)})


def replies_for_reader(card, weeks: int = 12) -> pd.DataFrame:
    recent = card.weeks.tail(weeks)
    return pd.DataFrame({"Неделя": recent["week"].map(fmt_week),
                         "Комментариев к ответу": recent["due_comments"].map(fmt_int),
                         "Отвечено в срок": recent["on_time_share"].map(fmt_share),
                         "Медиана ответа, рабочих часов": recent["median_reply_working_hours"].map(fmt_num)})


def posts_for_reader(card, tz: str) -> pd.DataFrame:
    posts = card.recent_posts
    when = posts["published_at"].dt.tz_convert(tz).dt.tz_localize(None)
    return pd.DataFrame({
        "Опубликовано": when.map(fmt_datetime),
        "Вид": posts["kind"].map({"original": "своя", "repost": "репост"}),
        "Прямой эфир": posts["is_live"].map(yes_no),
        "Просмотры": posts["views"].map(fmt_int), "Лайки": posts["likes"].map(fmt_int),
        "Комментарии": posts["comments"].map(fmt_int),
        "Ссылка": [f'<a href="{html.escape(u)}">открыть</a>' if u else MISSING for u in posts["link"]],
    })
