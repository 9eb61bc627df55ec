"""`gospub import awards`: an award list (CSV or Excel) into the dataset's `awards` table.

Rows name the page by id («ID госпаблика», «ID», «community_id») or by link («Ссылка…»,
any VK link form; a screen name is resolved through the pages already in the dataset).
Optional columns: «Номинация»/«Категория» (category), «Награда» (award code, else
`--award`, by default quality_mark). Awards merge into an existing dataset folder: an
award whose page is not in it waits in the quarantine until an import brings the page.
The file is read by its content (`spreadsheet`): an Excel workbook (.xlsx or legacy
.xls, whatever its name says) or a CSV in the encoding charset-normalizer finds; the
report says which format and encoding were used.
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pandas as pd

from ..dataset import MANIFEST
from ..region import QUALITY_MARK
from . import pending
from .links import parse_vk_id, parse_vk_link
from .merge import KeyedOrigins, count_merged, dedupe_new, existing, typed_frame, write_import
from .report import ImportFileError, ImportReport
from .spreadsheet import decode_text, read_workbook, sniff

ID_HEADERS = ("id госпаблика", "id", "id страницы", "community_id", "id группы")
LINK_HEADERS = ("ссылка на госпаблик вк", "ссылка на госпаблик", "ссылка на страницу", "ссылка", "link", "url")
CATEGORY_HEADERS = ("номинация", "категория", "category")
AWARD_HEADERS = ("награда", "award")
EXPECTED = ("a CSV (any encoding Russian Excel saves) or Excel (.xlsx, .xls) award list with a header row naming the "
            "page: «Ссылка на госпаблик ВК» (or «Ссылка») or «ID госпаблика» (or «ID»); optional «Номинация», "
            "«Награда»")


def _norm(value: object) -> str:
    return re.sub(r"\s+", " ", str(value or "").lower().replace("ё", "е")).strip()


def _csv_rows(text: str) -> list[list[object]]:
    """Rows of a CSV whose separator is the one its first line uses most: «;» (Russian Excel), «,» or a tab
    (Excel's «Unicode text»)."""
    first = text.split("\n", 1)[0]
    delimiter = max((";", ",", "\t"), key=first.count)
    return [row for row in csv.reader(io.StringIO(text), delimiter=delimiter)]


def _rows(path: Path, report: ImportReport) -> list[list[object]]:
    """The rows of the list's first sheet with a header, or of the CSV, read by the file's content."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ImportFileError(path, "whole file", EXPECTED, f"cannot be read ({exc.strerror})") from exc
    kind = sniff(data)
    if kind in ("xlsx", "xls", "markup"):
        sheets, kind = read_workbook(path, EXPECTED)
        report.notes["format"] = kind
        for sheet in sheets:
            if _header_at(sheet.rows) is not None:
                return sheet.rows
        return sheets[0].rows if sheets else []
    text, encoding = decode_text(path, data, EXPECTED, accept=lambda t: _header_at(_csv_rows(t)) is not None)
    report.notes.update(format="csv", encoding=encoding)
    return _csv_rows(text)


def _header_at(rows: list[list[object]]) -> tuple[int, dict[str, int]] | None:
    for number, row in enumerate(rows[:15]):
        names = [_norm(v) for v in row]
        found = {}
        for field, options in (("id", ID_HEADERS), ("link", LINK_HEADERS), ("category", CATEGORY_HEADERS),
                               ("award", AWARD_HEADERS)):
            for option in options:
                if option in names:
                    found[field] = names.index(option)
                    break
        if "id" in found or "link" in found:
            return number, found
    return None


def _header(path: Path, rows: list[list[object]], report: ImportReport) -> tuple[int, dict[str, int]]:
    found = _header_at(rows)
    if found is None:
        read_as = f" (read as {report.notes['encoding']})" if "encoding" in report.notes else ""
        raise ImportFileError(path, "first 15 rows", EXPECTED, f"no header naming the page (link or id){read_as}")
    return found


def _text(value: object) -> str | None:
    return str(value).strip() if value is not None and str(value).strip() else None


def import_awards(file: Path | str, out_dir: Path | str, year: int, award: str = QUALITY_MARK) -> ImportReport:
    """Import an award list for `year` into the dataset folder `out_dir` (which holds the pages).

    An award whose page is not in the dataset yet (by id, or a screen name no page has)
    waits in the quarantine and joins when a later import brings the page. An award
    already in the dataset counts as merged.
    """
    path, out_dir = Path(file), Path(out_dir)
    if not (out_dir / MANIFEST).exists():
        raise ValueError(f"{out_dir} holds no dataset: awards merge into the dataset that has the awarded pages "
                         f"(run `gospub import vk` or `gospub import monitoring` into it first)")
    if not path.exists():
        raise FileNotFoundError(f"award list {path} does not exist")
    report = ImportReport("import awards")
    report.files_read = 1
    try:
        rows = _rows(path, report)
        header_row, columns = _header(path, rows, report)
    except ImportFileError as exc:
        report.fail_file(exc)
        report.refuse(out_dir, skip_hint=False)
    old = existing(out_dir)
    comms = old.get("communities")
    by_screen = dict(zip(comms["screen_name"].dropna().str.lower(),
                         comms.loc[comms["screen_name"].notna(), "community_id"]))
    records, origins = [], KeyedOrigins()
    for number, row in enumerate(rows[header_row + 1:], start=header_row + 2):
        cell = {f: (row[i] if i < len(row) else None) for f, i in columns.items()}
        if all(v is None or not str(v).strip() for v in row):
            continue
        report.read("award")
        position = f"row {number}"
        raw = {f: None if v is None else str(v) for f, v in cell.items()}
        id_text = str(cell.get("id") or "").strip()
        community_id = id_text if re.fullmatch(r"(vk|ok|telegram):\d+", id_text) else None
        group_id = parse_vk_id(cell.get("id"))
        page = parse_vk_link(cell.get("link"))
        if community_id is None and (group_id or (page and page.group_id)):
            community_id = f"vk:{group_id or page.group_id}"
        if community_id is None and page and page.screen_name:
            community_id = by_screen.get(page.screen_name)
        record = {"year": year, "community_id": community_id, "award": _text(cell.get("award")) or award,
                  "category": _text(cell.get("category"))}
        if community_id is None and page and page.screen_name and not re.match(r"^id\d+$", page.screen_name):
            report.quarantine(str(path), position, "award", f"the link gives only a screen name "
                              f"(vk.com/{page.screen_name}) that no page of the dataset has yet: the award joins "
                              "when the page's VK data are imported", pending.pending_raw(
                                  {"awards": record}, screen_name=page.screen_name, cells=raw),
                              waits_for=pending.PAGE_ID)
            continue
        if community_id is None:
            report.quarantine(str(path), position, "award", "the page cannot be identified: neither a page id nor "
                              "a VK community link", raw)
            continue
        records.append(record)
        origins.add("awards", (year, community_id, record["award"]), path, position)
    frame = typed_frame("awards", dict(pd.DataFrame(records, columns=["year", "community_id", "award", "category"])))
    frames = {"awards": dedupe_new("awards", frame, report, "award")}
    report.imported("award", len(frames["awards"]))
    count_merged("awards", frames["awards"], old, report, "award")
    write_import(out_dir, frames, report, importer="awards", sources={path: None}, inputs=[path], origin=origins,
                 old=old, record_types={"awards": "award"})
    return report


def export_awards(dataset: Path | str, year: int, out: Path | str, award: str = QUALITY_MARK) -> dict:
    """`gospub export awards`: the dataset's `award` list for `year` as a CSV the importer reads back.

    Columns «Ссылка на госпаблик ВК» (https://vk.com/club<id>; other platforms' pages are
    named by «ID госпаблика», e.g. ok:123), «Номинация» and «Награда». Rows sorted by page.
    """
    from ..dataset import load_dataset

    ds = load_dataset(dataset)
    awards = ds.awards[(ds.awards["year"] == year) & (ds.awards["award"] == award)].sort_values("community_id")
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["Ссылка на госпаблик ВК", "ID госпаблика", "Номинация", "Награда"])
        for row in awards.itertuples(index=False):
            platform, _, platform_id = row.community_id.partition(":")
            link = f"https://vk.com/club{platform_id}" if platform == "vk" else ""
            writer.writerow([link, "" if platform == "vk" else row.community_id,
                             "" if pd.isna(row.category) else row.category, row.award])
    return {"file": str(out), "awards": int(len(awards)), "year": year}
