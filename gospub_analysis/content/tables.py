"""The content page's tables as readers see them (Russian headers, one number style) and its workbook."""

from __future__ import annotations

import html
from pathlib import Path

import pandas as pd

from .. import excel
from ..weekly.links import page_url
from ..wording import (MISSING, content_type_label, fmt_datetime, fmt_int, fmt_interval, fmt_num, fmt_share, month_ru,
                       platform_label, readable, rubric_label, sector_label)
from .year import ContentYear


def _pct(value: float) -> str:
    return fmt_share(value, 2)


def _ratio(value: float) -> str:
    return fmt_num(value, 2)


ENGAGEMENT_HEADERS = {"posts": ("Публикаций", fmt_int), "interactions_per_post": ("Реакций на публикацию", fmt_num),
                      "er": ("ER", _pct), "err": ("ERR", _pct), "reach_rate": ("Охват / подписчики", _pct),
                      "share_with_views": ("Доля публикаций с известными просмотрами", fmt_share)}


def headline(c: ContentYear) -> pd.DataFrame:
    """The year's figures in two columns: what, value."""
    r, s = c.region, c.copy_summary
    rows = [("Публикаций за год", fmt_int(r["posts"])), ("Реакций (лайки, комментарии, репосты) на публикацию",
                                                          fmt_num(r["interactions_per_post"])),
            ("ER: реакции к подписчикам", _pct(r["er"])), ("ERR: реакции к просмотрам", _pct(r["err"])),
            ("Охват публикации к подписчикам", _pct(r["reach_rate"])),
            ("Публикаций с известными просмотрами", fmt_share(r["share_with_views"])),
            ("Доля репостов", fmt_share(s["repost_share"], 1)),
            ("Доля репостов региональных источников", fmt_share(s["regional_repost_share"], 1)),
            ("Доля публикаций с текстом, повторённым на трёх и более страницах", fmt_share(s["copy_share"], 1))]
    return pd.DataFrame(rows, columns=["Показатель", "Значение"]).set_index("Показатель")


def pages(frame: pd.DataFrame, n: int | None = None) -> pd.DataFrame:
    data = frame if n is None else frame.head(n)
    return readable(data, {"name": ("Страница", None), "platform": ("Платформа", platform_label),
                           "sector": ("Сфера", sector_label),
                           "municipality": ("Муниципальное образование", None), **ENGAGEMENT_HEADERS,
                           "er_vs_sector": ("ER к медиане сферы", _ratio),
                           "useful_share": ("Доля полезной информации", fmt_share),
                           "copy_share": ("Доля повторённых текстов", fmt_share)})


def groups(frame: pd.DataFrame, key: str) -> pd.DataFrame:
    header = {"sector": ("Сфера", sector_label), "municipality": ("Муниципальное образование", None)}[key]
    return readable(frame, {key: header, "pages": ("Страниц", fmt_int), **ENGAGEMENT_HEADERS,
                            "er_page_median": ("ER медианной страницы", _pct)}, index=header[0])


def months(frame: pd.DataFrame) -> pd.DataFrame:
    return readable(frame, {"month": ("Месяц", lambda m: month_ru(m, "nominative")), **ENGAGEMENT_HEADERS},
                    index="Месяц")


def type_engagement(frame: pd.DataFrame) -> pd.DataFrame:
    out = pd.DataFrame({
        "Вид публикации": frame["content_type"].map(content_type_label),
        "Публикаций": frame["posts"].map(fmt_int), "Страниц": frame["pages"].map(fmt_int),
        "ER (95 % интервал)": [fmt_interval(v, lo, hi, _pct) for v, lo, hi in
                               zip(frame["er"], frame["er_low"], frame["er_high"])],
        "Реакции к обычной публикации страницы (95 % интервал)": [
            fmt_interval(v, lo, hi, _ratio) for v, lo, hi in zip(frame["lift"], frame["lift_low"], frame["lift_high"])]})
    return out.set_index("Вид публикации")


def mix(wide: pd.DataFrame, index: str, index_format=None, labels=content_type_label) -> pd.DataFrame:
    out = wide.map(fmt_share)
    out.columns = [labels(c) for c in wide.columns]
    out.index = [index_format(i) if index_format else i for i in wide.index]
    out.index.name = index
    return out


def top_posts(frame: pd.DataFrame, with_month: bool = False) -> pd.DataFrame:
    columns = {**({"month": ("Месяц", lambda m: month_ru(m, "nominative"))} if with_month else {}),
               "rank": ("Место", None), "name": ("Страница", None), "platform": ("Платформа", platform_label),
               "sector": ("Сфера", sector_label),
               "local_time": ("Опубликовано (местное время)", fmt_datetime),
               "content_type": ("Вид", content_type_label), "excerpt": ("Начало текста", None),
               "interactions": ("Реакций", fmt_int), "subscribers": ("Подписчиков", fmt_int),
               "er": ("ER публикации", _pct), "link": ("Ссылка", None)}
    return readable(frame, columns)


def copy_groups(frame: pd.DataFrame, n: int = 15) -> pd.DataFrame:
    data = frame.head(n)
    return readable(data, {"pages": ("Страниц", fmt_int), "posts": ("Публикаций", fmt_int),
                           "reposts": ("Из них репостов", fmt_int), "sectors": ("Сфер", fmt_int),
                           "municipalities": ("Муниципальных образований", fmt_int),
                           "first_at": ("Впервые", fmt_datetime), "text": ("Текст", None)})


def rubric_evaluation(evaluation) -> pd.DataFrame:
    frame = evaluation.per_rubric
    return readable(frame, {"rubric": ("Рубрика", rubric_label), "precision": ("Точность", fmt_share),
                            "recall": ("Полнота", fmt_share), "f1": ("F1", _ratio),
                            "support": ("Публикаций в проверочной части", fmt_int),
                            "baseline_recall": ("Полнота «самой частой рубрики»", fmt_share)}, index="Рубрика")


def workbook(c: ContentYear, path: Path | str, about: dict[str, object]) -> Path:
    """content.xlsx: pages, sectors, municipalities, months, types, top posts, copies, useful information."""
    pct = {r: excel.PERCENT for r in ("er", "err", "reach_rate", "share_with_views", "useful_share", "copy_share")}
    engagement_headers = {"posts": "Публикаций", "interactions_per_post": "Реакций на публикацию", "er": "ER",
                          "err": "ERR", "reach_rate": "Охват / подписчики",
                          "share_with_views": "Доля публикаций с известными просмотрами"}
    pages_frame = c.pages.assign(sector=c.pages["sector"].map(sector_label),
                                 platform=c.pages["platform"].map(platform_label), link=[
        page_url(p, i, s) for p, i, s in zip(c.pages["platform"], c.pages["platform_id"], c.pages["screen_name"])])
    top_frame = pd.concat([c.top_year.assign(period="год"), c.top_months.assign(
        period=c.top_months["month"].map(lambda m: month_ru(m, "nominative")))], ignore_index=True)
    top_frame = top_frame.assign(content_type=top_frame["content_type"].map(content_type_label),
                                 platform=top_frame["platform"].map(platform_label),
                                 local_time=top_frame["local_time"].map(fmt_datetime))
    sheets = [
        excel.Sheet("Страницы", pages_frame, {"name": "Страница", "platform": "Платформа", "sector": "Сфера",
                                              "municipality": "Муниципальное образование", **engagement_headers,
                                              "er_vs_sector": "ER к медиане сферы",
                                              "useful_share": "Доля полезной информации",
                                              "copy_share": "Доля повторённых текстов", "link": "Ссылка"},
                    {**pct, "er_vs_sector": excel.DECIMAL}, links=("link",)),
        excel.Sheet("Сферы", c.sectors.assign(sector=c.sectors["sector"].map(sector_label)),
                    {"sector": "Сфера", "pages": "Страниц", **engagement_headers}, pct),
        excel.Sheet("Муниципалитеты", c.municipalities,
                    {"municipality": "Муниципальное образование", "pages": "Страниц", **engagement_headers}, pct),
        excel.Sheet("Виды публикаций", c.type_engagement.assign(
            content_type=c.type_engagement["content_type"].map(content_type_label)),
            {"content_type": "Вид", "posts": "Публикаций", "pages": "Страниц", "er": "ER", "er_low": "ER, от",
             "er_high": "ER, до", "lift": "К обычной публикации страницы", "lift_low": "от", "lift_high": "до"},
            {"er": excel.PERCENT, "er_low": excel.PERCENT, "er_high": excel.PERCENT, "lift": excel.DECIMAL,
             "lift_low": excel.DECIMAL, "lift_high": excel.DECIMAL}),
        excel.Sheet("Лучшие публикации", top_frame,
                    {"period": "Период", "rank": "Место", "name": "Страница", "platform": "Платформа",
                     "local_time": "Опубликовано",
                     "content_type": "Вид", "excerpt": "Начало текста", "interactions": "Реакций",
                     "subscribers": "Подписчиков", "er": "ER публикации", "link": "Ссылка"},
                    {"er": excel.PERCENT}, links=("link",)),
        excel.Sheet("Повторы текстов", c.copy_groups.assign(first_at=c.copy_groups["first_at"].map(fmt_datetime)),
                    {"pages": "Страниц", "posts": "Публикаций", "reposts": "Из них репостов",
                     "first_at": "Впервые", "text": "Текст"}),
    ]
    return excel.write_workbook(path, sheets, about)


CSV_FILES = ("pages", "sectors", "municipalities", "months", "type_engagement", "top_year", "top_months", "timing",
             "copy_groups")


def write_files(c: ContentYear, out_dir: Path | str, about: dict[str, object]) -> list[Path]:
    """The tables as CSV (codes and plain numbers, for reuse) and the workbook content.xlsx (for readers)."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for name in CSV_FILES:
        frame = getattr(c, name)
        if name.startswith("top"):
            frame = frame.drop(columns=["text"])  # the excerpt and the link say enough
        written.append(excel.write_csv(frame, out_dir / f"{name}.csv"))
    if c.rubric_evaluation is not None:
        written.append(excel.write_csv(c.rubric_evaluation.per_rubric, out_dir / "rubric_evaluation.csv"))
    written.append(workbook(c, out_dir / "content.xlsx", about))
    return written


def page_mix(page_content) -> pd.DataFrame:
    """The page's content mix beside its sector's (a page card section)."""
    return readable(page_content.mix, {"content_type": ("Вид публикации", content_type_label),
                                       "page_posts": ("Публикаций страницы", fmt_int),
                                       "page_share": ("Доля у страницы", fmt_share),
                                       "sector_share": ("Доля у страниц сферы", fmt_share)})


def page_best(page_content) -> pd.DataFrame:
    """The page's best posts (a page card section, for HTML: the text escaped, the link an anchor)."""
    posts = page_content.best_posts
    table = readable(posts, {"local_time": ("Опубликовано", fmt_datetime), "content_type": ("Вид", content_type_label),
                             "excerpt": ("Начало текста", html.escape), "interactions": ("Реакций", fmt_int),
                             "er": ("ER публикации", _pct)})
    table["Ссылка"] = [f'<a href="{html.escape(u)}">открыть</a>' if u else MISSING for u in posts["link"]]
    return table
