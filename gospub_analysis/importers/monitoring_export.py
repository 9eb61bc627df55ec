"""`gospub export monitoring`: a dataset as weekly monitoring Excel exports.

The reverse of `gospub import monitoring` (module `monitoring`): one .xlsx file per week,
dated in its name (monitoring_2023-12-25.xlsx, the week's Monday), one row per
organisation and VK page, with exactly the headers of the real export
(`monitoring.HEADERS`, shared/domain.md). Together with `gospub export vk` and
`gospub export awards` it lets a synthetic region go through every importer, so the
report notebooks can be run on an imported dataset.

What a row holds:
- the organisation: level («Региональный»/«Муниципальный»), founder, name, ОГРН, sphere
  (a spelling of the organisation's sector from `sectors.SPHERE_TO_SECTOR`, read back to
  the same sector), and the reason it runs no page;
- the founder is written so that `municipality.find_municipality` recovers the
  organisation's municipality: kept when it already names it («Администрация
  Болотнинского района»), otherwise completed with the municipality («Совет депутатов
  Болотнинского района»). Regional founders (ministries) name no municipality; there the
  page address («Новосибирская область, Болотнинский район, ...») carries it, so a
  regional organisation without a page comes back with «не определено»;
- the page (VK pages open on the week's Monday): id, link, address and the monitoring
  figures. Госметка, component, widgets and subscribers come from the page's latest
  snapshot up to that day; «Оформление (%)» is the share of avatar, cover, description,
  contacts and address; «Активность (%)» is posts of the previous 7 days against the
  norm of 3 (capped at 100); reach is the sum and the mean of the views of those posts.

The cells vary a little the way real exports do, so the import exercises its
normalisation: link forms (https://vk.com/club1, vk.com/public1, m.vk.com, vk.ru, the
screen name with the id in «ID госпаблика»), «да»/«Да»/«ДА»/«есть» and «нет»/«Нет»,
percentages as numbers, as text with «%» or as cells formatted as percent, a title row
above the header. The choice depends only on the page and the week: same dataset, same
files.
"""

from __future__ import annotations

import hashlib
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
from openpyxl import Workbook

from ..dataset import load_dataset
from ..localtime import local_date
from ..metrics import POSTS_PER_WEEK_NORM
from ..region import MUNICIPALITY_BY_NAME, TIMEZONE, UNKNOWN_MUNICIPALITY
from .monitoring import HEADERS
from .municipality import DISTRICT_CENTRES, find_municipality
from .sectors import SPHERE_TO_SECTOR

FILE_PATTERN = "monitoring_{day}.xlsx"
SHEET = "Мониторинг"
DEFAULT_WEEKS = 4
_UPPER = {"оив": "ОИВ", "омсу": "ОМСУ", "жкх": "ЖКХ", "администрации мо": "Администрации МО"}
# sector -> the sphere spellings written for it (each maps back to the sector)
SECTOR_TO_SPHERES: dict[str, list[str]] = {}
for _sphere, _sector in SPHERE_TO_SECTOR.items():
    SECTOR_TO_SPHERES.setdefault(_sector, []).append(_UPPER.get(_sphere, _sphere[:1].upper() + _sphere[1:]))
_YES = ("да", "да", "Да", "Да", "ДА", "есть")
_NO = ("нет", "нет", "Нет", "Нет", "НЕТ", "-")


def _pick(key: str, options) -> object:
    """A deterministic choice among `options` for `key` (same key, same choice)."""
    digest = hashlib.sha256(key.encode("utf-8")).digest()
    return options[int.from_bytes(digest[:4], "big") % len(options)]


def sphere_of(sector: str, key: str) -> str:
    """A sphere spelling of `sector` that the importer reads back as `sector`."""
    return _pick("sphere|" + key, SECTOR_TO_SPHERES.get(sector, SECTOR_TO_SPHERES["other"]))


def founder_for(founder: str | None, municipality: str, level: str) -> str | None:
    """The founder as written in the export: one from which the importer finds `municipality`."""
    if municipality == UNKNOWN_MUNICIPALITY or find_municipality(founder) == municipality:
        return founder
    if level == "regional":
        return founder  # the page address names the municipality
    m = MUNICIPALITY_BY_NAME[municipality]
    return f"{founder or 'Администрация'} {m.genitive}"


def address_of(municipality: str, key: str) -> str | None:
    """A page address naming the municipality (as pages write it in their settings)."""
    if municipality == UNKNOWN_MUNICIPALITY:
        return None
    m = MUNICIPALITY_BY_NAME[municipality]
    street = f"ул. {_pick('street|' + key, ('Ленина', 'Советская', 'Мира', 'Школьная', 'Садовая'))}, " \
             f"д. {int(_pick('house|' + key, range(1, 60)))}"
    if m.kind == "district":
        centre = DISTRICT_CENTRES.get(m.name)
        place = f", {_pick('marker|' + key, ('с.', 'р.п.', 'г.'))} {centre}" if centre else ""
        return f"Новосибирская область, {m.name} район{place}, {street}"
    return f"Новосибирская область, {m.name}, {street}"


def _link(group_id: str, screen_name: str | None, key: str) -> tuple[str, object]:
    """(«Ссылка на госпаблик ВК», «ID госпаблика») in one of the forms real exports use."""
    form = _pick("link|" + key, range(8))
    if form == 0 and screen_name and not screen_name.startswith(("club", "public")):
        return f"https://vk.com/{screen_name}", int(group_id)  # short address: the id column names the page
    if form == 1:
        return f"vk.com/public{group_id}", None
    if form == 2:
        return f"https://m.vk.com/club{group_id}/", f"-{group_id}"
    if form == 3:
        return f"https://vk.ru/club{group_id}?from=groups", int(group_id)
    if form == 4:
        return f"http://www.vk.com/club{group_id}", str(group_id)
    return f"https://vk.com/club{group_id}", int(group_id)


def _yes_no(value, key: str) -> str | None:
    if value is None or pd.isna(value):
        return None
    return _pick("yn|" + key, _YES if bool(value) else _NO)


def _percent(value: float | None, key: str) -> tuple[object, str | None]:
    """(cell value, number format): 85 | «85%» | 0.85 formatted as percent."""
    if value is None or pd.isna(value):
        return None, None
    form = _pick("pct|" + key, range(3))
    if form == 1:
        return f"{value:.0f}%", None
    if form == 2:
        return round(value / 100, 4), "0%"
    return round(float(value), 1), None


def week_days(dataset_end: date, weeks: int, until: date | None = None) -> list[date]:
    """The Mondays of the last `weeks` weeks up to `until` (default: the dataset's end), oldest first."""
    last = pd.Timestamp(until or dataset_end)
    monday = last - pd.Timedelta(days=last.weekday())
    return [(monday - pd.Timedelta(weeks=n)).date() for n in range(weeks - 1, -1, -1)]


def _dataset_end(ds) -> date:
    period = ds.manifest.get("period") or {}
    if period.get("end"):
        return pd.Timestamp(period["end"]).date()
    days = [d for d in (ds.snapshots["as_of"].max(),
                        local_date(ds.posts["published_at"], ds.timezone).max() if len(ds.posts) else pd.NaT)
            if not pd.isna(d)]
    return max(days).date() if days else date.today()


def export_monitoring(dataset: Path | str, out: Path | str, weeks: int = DEFAULT_WEEKS,
                      until: date | None = None) -> dict:
    """Write `weeks` weekly monitoring files of `dataset` into the folder `out`; returns counts."""
    if weeks < 1:
        raise ValueError("weeks must be at least 1")
    ds = load_dataset(dataset)
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    tz = ds.timezone or TIMEZONE
    days = week_days(_dataset_end(ds), weeks, until)
    orgs = ds.organizations.sort_values("org_id", ignore_index=True)
    vk = ds.communities[ds.communities["platform"] == "vk"]
    created = local_date(vk["created_at"], tz)
    closed = local_date(vk["closed_at"], tz)
    vk = vk.assign(created_day=created, closed_day=closed)
    snaps = ds.snapshots[ds.snapshots["community_id"].isin(vk["community_id"])].sort_values(["community_id", "as_of"])
    posts = ds.posts[ds.posts["community_id"].isin(vk["community_id"])]
    post_day = local_date(posts["published_at"], tz)
    files, rows_written = [], 0
    for day in days:
        ts = pd.Timestamp(day)
        open_pages = vk[(vk["created_day"] <= ts) & (vk["closed_day"].isna() | (vk["closed_day"] > ts))]
        state = (snaps[snaps["as_of"] <= ts].groupby("community_id").last())  # last non-null value of each column
        week = posts[(post_day >= ts - pd.Timedelta(days=7)) & (post_day < ts)]
        activity = week.groupby("community_id").agg(posts=("post_id", "size"), reach=("views", "sum"),
                                                     reach_mean=("views", "mean"))
        pages_of = open_pages.groupby("org_id")
        pages_by_org = {org: frame for org, frame in pages_of}
        path = out / FILE_PATTERN.format(day=day.isoformat())
        rows_written += _write_week(path, day, orgs, pages_by_org, state, activity)
        files.append(path)
    return {"files": [str(p) for p in files], "weeks": len(days), "rows": rows_written,
            "organizations": len(orgs), "pages": int(len(vk))}


def _write_week(path: Path, day: date, orgs: pd.DataFrame, pages_by_org: dict, state: pd.DataFrame,
                activity: pd.DataFrame) -> int:
    book = Workbook()
    sheet = book.active
    sheet.title = SHEET
    headers = list(HEADERS)
    col = {h: i for i, h in enumerate(headers)}
    sheet.append([f"Мониторинг официальных страниц на {day:%d.%m.%Y}"])
    sheet.append([])
    sheet.append(headers)
    n = 0
    for org in orgs.itertuples(index=False):
        key = org.org_id
        level = _pick("level|" + key, ("Региональный", "региональный")) if org.level == "regional" \
            else _pick("level|" + key, ("Муниципальный", "муниципальный", "Муниципальный уровень"))
        sphere = sphere_of(org.sector, key)
        spheres = [sphere, None, None] if _pick("slot|" + key, range(6)) else [None, sphere, None]
        base = [None] * len(headers)
        base[col["Уровень"]] = level
        base[col["Учредитель"]] = founder_for(None if pd.isna(org.founder) else org.founder, org.municipality,
                                              org.level)
        base[col["Наименование подведомственной организации"]] = org.name
        base[col["ОГРН"]] = None if pd.isna(org.ogrn) else str(org.ogrn)
        for i, value in enumerate(spheres, start=1):
            base[col[f"Сфера {i}"]] = value
        pages = pages_by_org.get(org.org_id)
        if pages is None or pages.empty:
            row = list(base)
            row[col["Официальная страница не ведется на основании"]] = (
                None if pd.isna(org.no_page_reason) else org.no_page_reason)
            row[col["Статус"]] = "Страница не ведется"
            sheet.append(row)
            n += 1
            continue
        for page in pages.sort_values("community_id").itertuples(index=False):
            cells = _page_cells(page, org.municipality, day, state, activity)
            row = list(base)
            formats = {}
            for header, value in cells.items():
                if isinstance(value, tuple):
                    value, fmt = value
                    if fmt:
                        formats[col[header]] = fmt
                row[col[header]] = value
            sheet.append(row)
            n += 1
            for index, fmt in formats.items():
                sheet.cell(row=sheet.max_row, column=index + 1).number_format = fmt
    book.save(path)
    return n


def _page_cells(page, municipality: str, day: date, state: pd.DataFrame, activity: pd.DataFrame) -> dict:
    cid = page.community_id
    gid = str(page.platform_id)
    key = f"{cid}|{day.isoformat()}"
    screen = None if pd.isna(page.screen_name) else page.screen_name
    link, page_id = _link(gid, screen, key)
    snap = state.loc[cid] if cid in state.index else None

    def get(column):
        if snap is None:
            return None
        value = snap[column]
        return None if pd.isna(value) else value

    flags = [get(c) for c in ("has_avatar", "has_cover", "has_description", "has_contacts", "has_address")]
    known = [bool(f) for f in flags if f is not None]
    design = 100 * sum(known) / len(known) if known else None
    posts = int(activity.loc[cid, "posts"]) if cid in activity.index else 0
    reach = activity.loc[cid, "reach"] if cid in activity.index else 0
    mean_reach = activity.loc[cid, "reach_mean"] if cid in activity.index else None
    members = get("members_count")
    widgets = get("widgets")
    return {
        "Статус": "Ведется",
        "ID госпаблика": page_id,
        "Ссылка на госпаблик ВК": link,
        "Адрес, указанный в настройках страницы": address_of(municipality, cid),
        "Подключение к компоненту «Госпаблики» (да/нет)": _yes_no(get("gospublic_component"), key + "c"),
        "Госметка (да/нет)": _yes_no(get("gov_mark"), key + "g"),
        "Оформление (%)": _percent(design, key + "d"),
        "Виджеты (0/1/2)": None if widgets is None else (str(int(widgets)) if _pick("w|" + key, range(4)) == 0
                                                          else int(widgets)),
        "Активность (%)": _percent(min(posts / POSTS_PER_WEEK_NORM, 1.0) * 100, key + "a"),
        "Количество подписчиков": None if members is None else int(members),
        "Общий охват аудитории за неделю": int(reach) if not pd.isna(reach) else 0,
        "Средний охват одной публикации": None if mean_reach is None or pd.isna(mean_reach)
        else int(np.round(mean_reach)),
    }
