"""`gospub import monitoring`: the weekly monitoring Excel export into the dataset.

One row per organisation. The sheet is the first one whose header row (within the first
15 rows) has the required headers; other headers of the export are optional and become
empty columns when absent. Each file is dated by `--as-of` (one file) or by a date in its
name (2024-03-04, 20240304, 04.03.2024, 04-03-2024), so several weekly files make a
snapshots time series.

Per row: an `organizations` row (org_id «org:<ОГРН>», else a stable hash of name and
founder); when the row has a page, a `communities` row linked to it (page id from «ID
госпаблика», else from the link; a link with only a screen name is resolved through the
pages already in the dataset) and a `snapshots` row with the export's own figures.
Sectors come from `sectors.SPHERE_TO_SECTOR`, municipalities from `municipality`.
Cells that cannot be read («да»/«нет», numbers, percentages) are left empty and listed
in the report; rows without a name and page parts without a usable id go to quarantine.
"""

from __future__ import annotations

import hashlib
import re
import zipfile
from datetime import date
from pathlib import Path

import pandas as pd
from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException

from ..region import TIMEZONE, UNKNOWN_MUNICIPALITY
from .links import parse_vk_id, parse_vk_link
from .merge import dedupe_new, existing_tables, source_entry, typed_frame, write_import
from .municipality import find_municipality
from .report import ImportFileError, ImportReport
from .sectors import sector_of

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
MAX_EXAMPLES = 20
EXPECTED = ("an .xlsx monitoring export with a header row containing " + ", ".join(f"«{h}»" for h in REQUIRED)
            + " (other headers as in shared/domain.md)")
_YES = {"да", "yes", "true", "1", "+", "есть", "подключен", "подключено", "y"}
_NO = {"нет", "no", "false", "0", "-", "—", "отсутствует", "не подключен", "n"}
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


# A count beyond this is no subscriber or reach figure, and would not fit the int64 columns.
MAX_COUNT = 2**53


class _Cells:
    """Cell parsers that record what they could not read."""

    def __init__(self, report: ImportReport, file: str):
        self.report, self.file = report, file
        self.row = 0
        self.examples: list[dict] = report.notes.setdefault("cell_problems", [])

    def problem(self, header: str, value: object, expected: str) -> None:
        self.report.warn(f"column «{header}»: {expected} expected, cell left empty")
        if len(self.examples) < MAX_EXAMPLES:
            self.examples.append({"file": self.file, "row": self.row, "column": header, "value": str(value),
                                  "expected": expected})

    @staticmethod
    def text(value: object) -> str | None:
        if value is None:
            return None
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        text = re.sub(r"\s+", " ", str(value)).strip()
        return text or None

    def yes_no(self, value: object, header: str) -> bool | None:
        if value is None or (isinstance(value, str) and not value.strip()):
            return None
        if isinstance(value, bool):
            return value
        text = str(int(value) if isinstance(value, float) and value.is_integer() else value).strip().lower()
        if text in _YES:
            return True
        if text in _NO:
            return False
        self.problem(header, value, "«да» or «нет»")
        return None

    def number(self, value: object, header: str, percent_format: bool = False, percent: bool = False) -> float | None:
        if value is None or (isinstance(value, str) and not value.strip()):
            return None
        if isinstance(value, bool):
            self.problem(header, value, "a number")
            return None
        if isinstance(value, (int, float)):
            number = float(value)
            return number * 100 if percent and percent_format else number
        text = str(value).replace("\u00a0", "").replace(" ", "").replace(",", ".")
        if text.endswith("%") and not percent:
            self.problem(header, value, "a number")
            return None
        try:
            return float(text.rstrip("%"))
        except ValueError:
            self.problem(header, value, "a percentage" if percent else "a number")
            return None

    def count(self, value: object, header: str, upper: int | None = None) -> int | None:
        number = self.number(value, header)
        if number is None:
            return None
        limit = MAX_COUNT if upper is None else upper
        if number < 0 or not float(number).is_integer() or number > limit:
            self.problem(header, value, f"a whole number from 0 to {limit:,}")
            return None
        return int(number)


def _find_table(path: Path):
    """(sheet name, header row number, {field: column index}, rows iterator) or ImportFileError."""
    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise ImportFileError(path, "whole file", EXPECTED, f"not an Excel .xlsx workbook ({type(exc).__name__})") from exc
    best = None
    for sheet in book.worksheets:
        for number, row in enumerate(sheet.iter_rows(max_row=HEADER_SEARCH_ROWS, values_only=True), start=1):
            found = {_BY_NORM[_norm_header(v)]: i for i, v in enumerate(row) if _norm_header(v) in _BY_NORM}
            missing = [h for h in REQUIRED if h not in found]
            if not missing:
                return book, sheet, number, {HEADERS[h]: i for h, i in found.items()}
            if found and (best is None or len(found) > best[2]):
                best = (sheet.title, number, len(found), missing)
    sheets = ", ".join(f"«{s.title}»" for s in book.worksheets)
    book.close()
    if best:
        detail = (f"sheet «{best[0]}», row {best[1]} looks like the header row but lacks "
                  + ", ".join(f"«{h}»" for h in best[3]))
        raise ImportFileError(path, f"sheet «{best[0]}», row {best[1]}", EXPECTED, detail)
    raise ImportFileError(path, f"first {HEADER_SEARCH_ROWS} rows of sheets {sheets}", EXPECTED,
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


def _read_file(path: Path, as_of: date, report: ImportReport, screen_names: dict[str, str],
               rows: dict[str, list], unresolved: list) -> None:
    book, sheet, header_row, columns = _find_table(path)
    report.notes.setdefault("missing_optional_headers", {})[str(path)] = sorted(
        h for h, f in HEADERS.items() if f not in columns)
    cells = _Cells(report, str(path))
    file_rows = []
    try:
        for number, row in enumerate(sheet.iter_rows(min_row=header_row + 1), start=header_row + 1):
            values = {f: (row[i].value if i < len(row) else None) for f, i in columns.items()}
            formats = {f: (getattr(row[i], "number_format", "") or "" if i < len(row) else "") for f, i in columns.items()}
            if all(v is None or (isinstance(v, str) and not v.strip()) for v in values.values()):
                continue
            file_rows.append((number, values, formats))
    except (ValueError, KeyError, zipfile.BadZipFile) as exc:
        raise ImportFileError(path, f"sheet «{sheet.title}»", EXPECTED, f"the sheet cannot be read ({exc})") from exc
    finally:
        book.close()
    day = pd.Timestamp(as_of)
    for number, values, formats in file_rows:
        cells.row = number
        position = f"sheet «{sheet.title}», row {number}"
        report.read("row")
        raw = {h: (None if values.get(f) is None else str(values[f])) for h, f in HEADERS.items() if f in values}
        name = cells.text(values.get("name"))
        if not name:
            report.quarantine(str(path), position, "row", "no organisation name («Наименование подведомственной "
                              "организации» is empty)", raw)
            continue
        founder = cells.text(values.get("founder"))
        address = cells.text(values.get("address"))
        municipality = find_municipality(founder, address)
        if municipality == UNKNOWN_MUNICIPALITY:
            report.warn("municipality not found from the founder or the page address: «не определено»")
        sector, unknown = sector_of([values.get("sphere1"), values.get("sphere2"), values.get("sphere3")])
        for value in unknown:
            report.warn(f"sphere «{value}» is not in the sector table (sectors.SPHERE_TO_SECTOR)")
        ogrn_text = re.sub(r"\D", "", cells.text(values.get("ogrn")) or "")
        if ogrn_text and len(ogrn_text) not in (13, 15):
            cells.problem("ОГРН", values.get("ogrn"), "13 digits")
            ogrn_text = ""
        org_id = _org_id(ogrn_text or None, name, founder)
        reason = cells.text(values.get("no_page_reason"))
        page_id = parse_vk_id(values.get("page_id"))
        link = cells.text(values.get("link"))
        page = parse_vk_link(link) if link else None
        if values.get("page_id") is not None and str(values["page_id"]).strip() and not page_id:
            cells.problem("ID госпаблика", values["page_id"], "a VK group id")
        if page and page.group_id and page_id and page.group_id != page_id:
            report.warn("«ID госпаблика» and the link name different pages: the id is used")
        group_id = page_id or (page.group_id if page else None)
        screen = page.screen_name if page else None
        has_page = bool(group_id or screen or link)
        rows["organizations"].append({
            "org_id": org_id, "name": name, "level": _level(cells.text(values.get("level")), founder, municipality,
                                                            report),
            "founder": founder, "sector": sector, "municipality": municipality, "ogrn": ogrn_text or None,
            "no_page_reason": None if has_page else reason})
        report.imported("row", 1)
        if has_page and reason:
            report.warn("row has both a page and a reason for not running one: the reason is ignored")
        if not has_page:
            if not reason:
                report.warn("organisation with neither a page nor a reason for not running one")
            continue
        report.read("page")
        page_fields = {
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
        if group_id:
            if screen:
                screen_names.setdefault(screen, group_id)
            rows["pages"].append({"group_id": group_id, **page_fields})
        elif screen:
            unresolved.append((str(path), position, raw, screen, page_fields))
        else:
            report.quarantine(str(path), position, "page", f"«Ссылка на госпаблик ВК» is not a VK page address "
                              f"and «ID госпаблика» is empty", raw)


def import_monitoring(files: list[Path | str], out_dir: Path | str, as_of: date | None = None,
                      skip_bad_files: bool = False) -> ImportReport:
    """Import one or more weekly monitoring exports into the dataset folder `out_dir`."""
    out_dir = Path(out_dir)
    paths = [Path(f) for f in files]
    report = ImportReport("import monitoring")
    report.notes["skip_bad_files"] = skip_bad_files
    if as_of and len(paths) > 1:
        raise ValueError("--as-of dates one file; for several weekly files put each file's date in its name")
    existing = existing_tables(out_dir)
    old_comms = existing.get("communities")
    screen_names: dict[str, str] = {}
    if old_comms is not None:
        vk = old_comms[(old_comms["platform"] == "vk") & old_comms["screen_name"].notna()]
        screen_names.update(zip(vk["screen_name"].str.lower(), vk["platform_id"]))
    known = set(old_comms["community_id"]) if old_comms is not None else set()
    dated = []
    for path in paths:
        if not path.exists():
            raise FileNotFoundError(f"monitoring file {path} does not exist")
        day = as_of or date_from_name(path)
        if day is None:
            error = ImportFileError(path, "file name", "a date in the file name (e.g. monitoring_2024-03-04.xlsx) "
                                    "or --as-of", "no date in the file name")
            if not skip_bad_files:
                raise error
            report.fail_file(error)
            continue
        dated.append((day, path))
    rows: dict[str, list] = {"organizations": [], "pages": []}
    good = []
    for day, path in sorted(dated, key=lambda d: (d[0], str(d[1])), reverse=True):  # newest first
        report.files_read += 1
        trial = {"organizations": [], "pages": []}
        unresolved: list = []
        before = ({k: v.copy() for k, v in report.counts.items()}, report.warnings.copy(),
                  report.quarantine_reasons.copy(), len(report.quarantine_rows))
        try:
            _read_file(path, day, report, screen_names, trial, unresolved)
        except ImportFileError as exc:  # nothing of this file is kept
            report.counts.clear()
            report.counts.update(before[0])
            report.warnings, report.quarantine_reasons = before[1], before[2]
            del report.quarantine_rows[before[3]:]
            if not skip_bad_files:
                report.write(out_dir)
                raise
            report.fail_file(exc)
            continue
        for file, position, raw, screen, fields in unresolved:
            group_id = screen_names.get(screen)
            if group_id:
                trial["pages"].append({"group_id": group_id, **fields})
            else:
                report.quarantine(file, position, "page", "the link gives only a screen name "
                                  f"(vk.com/{screen}) and «ID госпаблика» is empty: the page id is unknown "
                                  "(import the page's VK data first, or fill the id)", raw)
        for key in rows:
            rows[key].extend(trial[key])
        good.append(path)
    frames = _frames(rows, known, report)
    write_import(out_dir, frames, [source_entry(p) for p in sorted(good)], report,
                 {"organizations": "row", "snapshots": "page", "communities": "page"})
    return report


def _frames(rows: dict[str, list], known: set[str], report: ImportReport) -> dict[str, pd.DataFrame]:
    orgs = pd.DataFrame(rows["organizations"], columns=["org_id", "name", "level", "founder", "sector",
                                                        "municipality", "ogrn", "no_page_reason"])
    frames = {"organizations": dedupe_new("organizations", typed_frame("organizations", dict(orgs)), report, None)}
    report.counts["row"]["duplicates"] += len(orgs) - len(frames["organizations"])
    report.counts["row"]["imported"] -= len(orgs) - len(frames["organizations"])
    pages = pd.DataFrame(rows["pages"], columns=["group_id", "as_of", "org_id", "org_name", "screen_name",
                                                 "members_count", "gov_mark", "gospublic_component", "widgets",
                                                 "design_pct", "activity_pct", "weekly_reach", "avg_post_reach"])
    cid = "vk:" + pages["group_id"].astype(str)
    created = pd.to_datetime(pages["as_of"]).dt.tz_localize(TIMEZONE).dt.tz_convert("UTC")
    comms = {"community_id": cid, "platform": pd.Series("vk", index=pages.index), "platform_id": pages["group_id"],
             "screen_name": pages["screen_name"],
             "name": pages["org_name"].where(~cid.isin(known), None), "org_id": pages["org_id"],
             "created_at": created}
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

