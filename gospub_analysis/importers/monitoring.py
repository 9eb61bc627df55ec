"""`gospub import monitoring`: the weekly monitoring Excel export into the dataset.

One row per organisation. The workbook is read by its content (`spreadsheet`): an .xlsx,
also one named .xls, or a legacy .xls. The sheet is the first one whose header row
(within the first 15 rows) has the required headers; other headers of the export are
optional and become empty columns when absent. Each file is dated by `--as-of` (one file) or by a date in its
name (2024-03-04, 20240304, 04.03.2024, 04-03-2024), so several weekly files make a
snapshots time series.

Per row: an `organizations` row (org_id «org:<ОГРН>», else a stable hash of name and
founder); when the row has a page, a `communities` row linked to it (page id from «ID
госпаблика», else from the link; a link with only a screen name is resolved through the
pages already in the dataset or in the same run; else it waits in the quarantine until
a later import of any kind brings the page, see `pending`) and a `snapshots` row with the
export's own figures. The export does not give a page's creation date: `created_at` stays
null. A link to ok.ru (ok.ru/group/<id>, ok.ru/<shortname>, m.ok.ru, odnoklassniki.ru)
makes the page an OK page of the organisation (`ok:<id>`), resolved the same way. A
totals row («Итого», «Всего») is set aside, not counted as an organisation.
Sectors come from `sectors.SPHERE_TO_SECTOR`, municipalities from `municipality`.
Cells that cannot be read («да»/«нет», numbers, percentages) are left empty and listed
in the report; rows without a name and page parts without a usable id go to quarantine.
"""

from __future__ import annotations

import hashlib
import re
from datetime import date
from pathlib import Path

import pandas as pd

from ..region import UNKNOWN_MUNICIPALITY
from . import pending
from .links import is_ok_link, parse_ok_link, parse_vk_id, parse_vk_link
from .merge import KeyedOrigins, count_merged, dedupe_new, existing, typed_frame, write_import
from .monitoring_cells import Cells as _Cells
from .municipality import find_municipality
from .report import ImportFileError, ImportReport
from .sectors import sector_of
from .spreadsheet import Sheet, read_workbook

HEADERS: dict[str, str] = {
    "Уровень": "level",
    "Учредитель": "founder",
    "Наименование подведомственной организации": "name",
    "Официальная страница не ведется на основании": "no_page_reason",
    "ОГРН": "ogrn",
    "Сфера 1": "sphere1",
    "Сфера 2": "sphere2",
    "Сфера 3": "sphere3",
    "Статус": "status",
    "ID госпаблика": "page_id",
    "Ссылка на госпаблик ВК": "link",
    "Адрес, указанный в настройках страницы": "address",
    "Подключение к компоненту «Госпаблики» (да/нет)": "gospublic_component",
    "Госметка (да/нет)": "gov_mark",
    "Оформление (%)": "design_pct",
    "Виджеты (0/1/2)": "widgets",
    "Активность (%)": "activity_pct",
    "Количество подписчиков": "members_count",
    "Общий охват аудитории за неделю": "weekly_reach",
    "Средний охват одной публикации": "avg_post_reach",
}
REQUIRED = ("Учредитель", "Наименование подведомственной организации", "Ссылка на госпаблик ВК")
HEADER_SEARCH_ROWS = 15
EXPECTED = ("a monitoring export workbook (.xlsx, or a legacy .xls) with a header row containing "
            + ", ".join(f"«{h}»" for h in REQUIRED) + " (other headers as in shared/domain.md)")
_TOTALS = re.compile(r"^(итого|всего)\b", re.IGNORECASE)
_PROFILE = re.compile(r"^id\d+$")
_DATE_PATTERNS = (
    (re.compile(r"(20\d\d)[-_.](\d\d)[-_.](\d\d)"), (1, 2, 3)),
    (re.compile(r"(?<!\d)(\d\d)[-_.](\d\d)[-_.](20\d\d)(?!\d)"), (3, 2, 1)),
    (re.compile(r"(?<!\d)(20\d\d)(\d\d)(\d\d)(?!\d)"), (1, 2, 3)),
)


def _norm_header(value: object) -> str:
    text = str(value or "").lower().replace("ё", "е")
    text = re.sub(r"[«»“”„\"']", "", text)
    return re.sub(r"\s+", " ", text).strip()


_BY_NORM = {_norm_header(h): h for h in HEADERS}


def date_from_name(path: Path) -> date | None:
    for pattern, (y, m, d) in _DATE_PATTERNS:
        for match in pattern.finditer(path.name):
            try:
                return date(int(match.group(y)), int(match.group(m)), int(match.group(d)))
            except ValueError:
                continue
    return None


def _find_table(path: Path, sheets: list[Sheet]) -> tuple[Sheet, int, dict[str, int]]:
    """(sheet, header row number, {field: column index}) or ImportFileError."""
    best = None
    for sheet in sheets:
        for number, row in enumerate(sheet.rows[:HEADER_SEARCH_ROWS], start=1):
            found = {_BY_NORM[_norm_header(v)]: i for i, v in enumerate(row) if _norm_header(v) in _BY_NORM}
            missing = [h for h in REQUIRED if h not in found]
            if not missing:
                return sheet, number, {HEADERS[h]: i for h, i in found.items()}
            if found and (best is None or len(found) > best[2]):
                best = (sheet.title, number, len(found), missing)
    if best:
        detail = (f"sheet «{best[0]}», row {best[1]} looks like the header row but lacks "
                  + ", ".join(f"«{h}»" for h in best[3]))
        raise ImportFileError(path, f"sheet «{best[0]}», row {best[1]}", EXPECTED, detail)
    names = ", ".join(f"«{s.title}»" for s in sheets)
    raise ImportFileError(path, f"first {HEADER_SEARCH_ROWS} rows of sheets {names}", EXPECTED,
                          "no header row of the monitoring export found")


def _org_id(ogrn: str | None, name: str, founder: str | None) -> str:
    if ogrn:
        return f"org:{ogrn}"
    token = f"{_norm_header(name)}|{_norm_header(founder or '')}".encode("utf-8")
    return "org:name-" + hashlib.sha256(token).hexdigest()[:12]


def _level(value: str | None, founder: str | None, municipality: str, report: ImportReport) -> str:
    text = (value or "").lower()
    if text.startswith("регион") or text.startswith("област"):
        return "regional"
    if text.startswith("муниц") or text.startswith("местн"):
        return "municipal"
    if value:
        report.warn(f"column «Уровень»: unknown value «{value}», level inferred from the founder")
    founder_text = (founder or "").lower()
    if municipality != UNKNOWN_MUNICIPALITY and find_municipality(founder) != UNKNOWN_MUNICIPALITY:
        return "municipal"
    if "област" in founder_text or "министерств" in founder_text or "правительств" in founder_text:
        return "regional"
    report.warn("level neither given nor inferable from the founder: taken as municipal")
    return "municipal"


def _file_rows(path: Path, report: ImportReport) -> tuple[str, list[tuple[int, dict, dict]]]:
    """(sheet title, [(row number, {field: value}, {field: number format})]) of one export, or ImportFileError."""
    sheets, kind = read_workbook(path, EXPECTED)
    report.notes.setdefault("formats", {})[str(path)] = kind
    sheet, header_row, columns = _find_table(path, sheets)
    report.notes.setdefault("missing_optional_headers", {})[str(path)] = sorted(
        h for h, f in HEADERS.items() if f not in columns)
    rows = []
    for number, (row, fmts) in enumerate(zip(sheet.rows[header_row:], sheet.formats[header_row:]),
                                         start=header_row + 1):
        values = {f: (row[i] if i < len(row) else None) for f, i in columns.items()}
        if all(v is None or (isinstance(v, str) and not v.strip()) for v in values.values()):
            continue
        rows.append((number, values, {f: (fmts[i] if i < len(fmts) else "") for f, i in columns.items()}))
    return sheet.title, rows


def _page_fields(cells: _Cells, values: dict, formats: dict, day: pd.Timestamp, org_id: str, name: str,
                 screen: str | None) -> dict:
    return {
        "as_of": day, "org_id": org_id, "org_name": name, "screen_name": screen,
        "members_count": cells.count(values.get("members_count"), "Количество подписчиков"),
        "gov_mark": cells.yes_no(values.get("gov_mark"), "Госметка (да/нет)"),
        "gospublic_component": cells.yes_no(values.get("gospublic_component"),
                                            "Подключение к компоненту «Госпаблики» (да/нет)"),
        "widgets": cells.count(values.get("widgets"), "Виджеты (0/1/2)", upper=2),
        "design_pct": cells.number(values.get("design_pct"), "Оформление (%)",
                                   "%" in formats.get("design_pct", ""), percent=True),
        "activity_pct": cells.number(values.get("activity_pct"), "Активность (%)",
                                     "%" in formats.get("activity_pct", ""), percent=True),
        "weekly_reach": cells.count(values.get("weekly_reach"), "Общий охват аудитории за неделю"),
        "avg_post_reach": cells.count(values.get("avg_post_reach"), "Средний охват одной публикации"),
    }


def _organisation(cells: _Cells, values: dict, report: ImportReport) -> tuple[dict, str, str | None]:
    """(organizations row, its name, the no-page reason) of one export row."""
    name = cells.text(values.get("name"))
    founder = cells.text(values.get("founder"))
    municipality = find_municipality(founder, cells.text(values.get("address")))
    if municipality == UNKNOWN_MUNICIPALITY:
        report.warn("municipality not found from the founder or the page address: «не определено»")
    sector, unknown = sector_of([values.get("sphere1"), values.get("sphere2"), values.get("sphere3")])
    for value in unknown:
        report.warn(f"sphere «{value}» is not in the sector table (sectors.SPHERE_TO_SECTOR)")
    ogrn_text = re.sub(r"\D", "", cells.text(values.get("ogrn")) or "")
    if ogrn_text and len(ogrn_text) not in (13, 15):
        cells.problem("ОГРН", values.get("ogrn"), "13 digits")
        ogrn_text = ""
    org = {"org_id": _org_id(ogrn_text or None, name, founder), "name": name,
           "level": _level(cells.text(values.get("level")), founder, municipality, report), "founder": founder,
           "sector": sector, "municipality": municipality, "ogrn": ogrn_text or None, "no_page_reason": None}
    return org, name, cells.text(values.get("no_page_reason"))


def _totals_row(cells: _Cells, values: dict) -> bool:
    """A row that sums the sheet («Итого», «Всего по району»): its first text cell says so."""
    for field in ("level", "founder", "name"):
        text = cells.text(values.get(field))
        if text:
            return bool(_TOTALS.match(text))
    return False


def _read_file(path: Path, as_of: date, report: ImportReport, rows: dict[str, list], unresolved: list,
               origins: KeyedOrigins) -> None:
    title, file_rows = _file_rows(path, report)
    cells = _Cells(report, str(path))
    day = pd.Timestamp(as_of)
    for number, values, formats in file_rows:
        cells.row = number
        position = f"sheet «{title}», row {number}"
        report.read("row")
        raw = {h: (None if values.get(f) is None else str(values[f])) for h, f in HEADERS.items() if f in values}
        if _totals_row(cells, values):
            report.quarantine(str(path), position, "row", "a totals row («Итого», «Всего»), not an organisation", raw)
            continue
        if not cells.text(values.get("name")):
            report.quarantine(str(path), position, "row", "no organisation name («Наименование подведомственной "
                              "организации» is empty)", raw)
            continue
        org, name, reason = _organisation(cells, values, report)
        page_id = parse_vk_id(values.get("page_id"))
        link = cells.text(values.get("link"))
        platform, page = _page_link(link)
        if values.get("page_id") is not None and str(values["page_id"]).strip() and not page_id:
            cells.problem("ID госпаблика", values["page_id"], "a VK group id")
        if page and page.group_id and page_id and page.group_id != page_id:
            report.warn("«ID госпаблика» and the link name different pages: the id is used")
        group_id = page_id or (page.group_id if page else None)
        screen = (page.screen_name if platform == "vk" else page.shortname) if page else None
        has_page = bool(group_id or screen or link)
        rows["organizations"].append({**org, "no_page_reason": None if has_page else reason})
        origins.add("organizations", (org["org_id"],), path, position)
        report.imported("row", 1)
        if has_page and reason:
            report.warn("row has both a page and a reason for not running one: the reason is ignored")
        if not has_page:
            if not reason:
                report.warn("organisation with neither a page nor a reason for not running one")
            continue
        report.read("page")
        if platform == "vk" and screen and not group_id and _PROFILE.match(screen):
            raw["Ссылка на госпаблик ВК"] = "<a person's profile>"
            report.quarantine(str(path), position, "page", "«Ссылка на госпаблик ВК» is a person's VK profile, not "
                              "a community, and «ID госпаблика» is empty", raw)
            continue
        fields = _page_fields(cells, values, formats, day, org["org_id"], name, screen)
        if group_id:
            rows["pages"].append({"platform": platform, "group_id": group_id, **fields})
            if screen:
                rows["screens"].setdefault((platform, screen), group_id)
            origins.add("communities", (f"{platform}:{group_id}",), path, position)
            origins.add("snapshots", (f"{platform}:{group_id}", day), path, position)
        elif screen:
            unresolved.append((str(path), position, raw, (platform, screen), fields))
        else:
            report.quarantine(str(path), position, "page", "«Ссылка на госпаблик ВК» is neither a VK nor an OK page "
                              "address and «ID госпаблика» is empty", raw)


def _page_link(link: str | None) -> tuple[str, object]:
    """("vk" or "ok", the page the link names or None): ok.ru links are OK pages of the organisation."""
    if link and is_ok_link(link):
        return "ok", parse_ok_link(link)
    return "vk", parse_vk_link(link) if link else None


def _pending_page(fields: dict, platform: str) -> dict[str, dict]:
    """The rows a page named only by its screen name becomes once the page id is known (see `pending`)."""
    community = {"community_id": None, "platform": platform, "platform_id": None, "screen_name": fields["screen_name"],
                 "name": fields["org_name"], "org_id": fields["org_id"], "created_at": None, "closed_at": None,
                 "first_seen_at": None}
    snapshot = {k: v for k, v in fields.items() if k not in ("org_id", "org_name", "screen_name")}
    snapshot.update(community_id=None, as_of=fields["as_of"].isoformat(), source="monitoring")
    return {"communities": community, "snapshots": snapshot}


def _dated(paths: list[Path], as_of: date | None, report: ImportReport) -> list[tuple[date, Path]]:
    dated = []
    for path in paths:
        if not path.exists():
            raise FileNotFoundError(f"monitoring file {path} does not exist")
        day = as_of or date_from_name(path)
        if day is None:
            report.fail_file(ImportFileError(path, "file name", "a date in the file name (e.g. "
                                             "monitoring_2024-03-04.xlsx) or --as-of", "no date in the file name"))
            continue
        dated.append((day, path))
    return sorted(dated, key=lambda d: (d[0], str(d[1])), reverse=True)  # newest first


def import_monitoring(files: list[Path | str], out_dir: Path | str, as_of: date | None = None,
                      skip_bad_files: bool = False) -> ImportReport:
    """Import one or more weekly monitoring exports into the dataset folder `out_dir`.

    A run with a file that cannot be read imports nothing (unless `skip_bad_files`): its
    report goes to import_report.failed.json, the dataset stays as it was.
    """
    out_dir = Path(out_dir)
    paths = [Path(f) for f in files]
    report = ImportReport("import monitoring")
    report.notes["skip_bad_files"] = skip_bad_files
    if as_of and len(paths) > 1:
        raise ValueError("--as-of dates one file; for several weekly files put each file's date in its name")
    old = existing(out_dir)
    comms = old.get("communities")
    named = comms[comms["platform"].isin(["vk", "ok"]) & comms["screen_name"].notna()]
    rows: dict = {"organizations": [], "pages": [], "screens": dict(zip(zip(named["platform"],
                                                                            named["screen_name"].str.lower()),
                                                                        named["platform_id"]))}
    good, unresolved, origins = {}, [], KeyedOrigins()
    for day, path in _dated(paths, as_of, report):
        report.files_read += 1
        trial = {"organizations": [], "pages": [], "screens": dict(rows["screens"])}
        before = ({k: v.copy() for k, v in report.counts.items()}, report.warnings.copy(),
                  report.quarantine_reasons.copy(), len(report.quarantine_rows), len(unresolved))
        try:
            _read_file(path, day, report, trial, unresolved, origins)
        except ImportFileError as exc:  # nothing of this file is kept
            report.counts.clear()
            report.counts.update(before[0])
            report.warnings, report.quarantine_reasons = before[1], before[2]
            del report.quarantine_rows[before[3]:]
            del unresolved[before[4]:]
            report.fail_file(exc)
            continue
        rows["organizations"].extend(trial["organizations"])
        rows["pages"].extend(trial["pages"])
        rows["screens"] = trial["screens"]
        good[path] = None
    if report.failed_files and not skip_bad_files:
        report.refuse(out_dir)
    for file, position, raw, (platform, screen), fields in unresolved:
        group_id = rows["screens"].get((platform, screen))
        if group_id:
            rows["pages"].append({"platform": platform, "group_id": group_id, **fields})
            origins.add("snapshots", (f"{platform}:{group_id}", fields["as_of"]), file, position)
        else:
            site, data = ("vk.com", "VK") if platform == "vk" else ("ok.ru", "OK")
            report.quarantine(file, position, "page", "the link gives only a screen name "
                              f"({site}/{screen}) and «ID госпаблика» is empty: the page id is unknown until "
                              f"the page's {data} data are imported (or the id is filled)",
                              pending.pending_raw(_pending_page(fields, platform), screen_name=screen, cells=raw),
                              waits_for=pending.PAGE_ID)
    frames = _frames(rows, set(comms["community_id"]), report)
    count_merged("organizations", frames["organizations"], old, report, "row")
    count_merged("snapshots", frames["snapshots"], old, report, "page")
    write_import(out_dir, frames, report, importer="monitoring", sources=good, inputs=paths, origin=origins, old=old,
                 record_types={"organizations": "row", "snapshots": "page", "communities": "page"})
    return report


def _frames(rows: dict[str, list], known: set[str], report: ImportReport) -> dict[str, pd.DataFrame]:
    orgs = pd.DataFrame(rows["organizations"], columns=["org_id", "name", "level", "founder", "sector",
                                                        "municipality", "ogrn", "no_page_reason"])
    frames = {"organizations": dedupe_new("organizations", typed_frame("organizations", dict(orgs)), report, None)}
    report.counts["row"]["duplicates"] += len(orgs) - len(frames["organizations"])
    report.counts["row"]["imported"] -= len(orgs) - len(frames["organizations"])
    pages = pd.DataFrame(rows["pages"], columns=["platform", "group_id", "as_of", "org_id", "org_name", "screen_name",
                                                 "members_count", "gov_mark", "gospublic_component", "widgets",
                                                 "design_pct", "activity_pct", "weekly_reach", "avg_post_reach"])
    cid = pages["platform"] + ":" + pages["group_id"].astype(str)
    comms = {"community_id": cid, "platform": pages["platform"], "platform_id": pages["group_id"],
             "screen_name": pages["screen_name"],
             "name": pages["org_name"].where(~cid.isin(known), None), "org_id": pages["org_id"]}
    frames["communities"] = dedupe_new("communities", typed_frame("communities", comms), report, None)
    snaps = {"community_id": cid, "source": pd.Series("monitoring", index=pages.index),
             **{c: pages[c] for c in ("as_of", "members_count", "gov_mark", "gospublic_component", "widgets",
                                      "design_pct", "activity_pct", "weekly_reach", "avg_post_reach")}}
    typed = typed_frame("snapshots", {k: pd.Series(v.tolist(), dtype=object) if k in ("members_count", "widgets",
                                                                                      "weekly_reach", "avg_post_reach",
                                                                                      "gov_mark", "gospublic_component")
                                      else v for k, v in snaps.items()}) if len(pages) else typed_frame("snapshots", {})
    frames["snapshots"] = dedupe_new("snapshots", typed, report, "page")
    report.imported("page", len(frames["snapshots"]))
    return frames
