"""`gospub import awards`: an award list (CSV or Excel) into the dataset's `awards` table.

Rows name the page by id («ID госпаблика», «ID», «community_id») or by link («Ссылка…»,
any VK link form; a screen name is resolved through the pages already in the dataset).
Optional columns: «Номинация»/«Категория» (category), «Награда» (award code, else
`--award`, by default quality_mark). Awards merge into an existing dataset folder: a
page not in it goes to quarantine, so import the pages (VK data or monitoring) first.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from pathlib import Path

import pandas as pd
from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException

from ..dataset import MANIFEST
from .links import parse_vk_id, parse_vk_link
from .merge import dedupe_new, existing_tables, source_entry, typed_frame, write_import
from .report import ImportFileError, ImportReport

ID_HEADERS = ("id госпаблика", "id", "id страницы", "community_id", "id группы")
LINK_HEADERS = ("ссылка на госпаблик вк", "ссылка на госпаблик", "ссылка на страницу", "ссылка", "link", "url")
CATEGORY_HEADERS = ("номинация", "категория", "category")
AWARD_HEADERS = ("награда", "award")
EXPECTED = ("a CSV or .xlsx award list with a header row naming the page: «Ссылка на госпаблик ВК» (or «Ссылка») "
            "or «ID госпаблика» (or «ID»); optional «Номинация», «Награда»")


def _norm(value: object) -> str:
    return re.sub(r"\s+", " ", str(value or "").lower().replace("ё", "е")).strip()


def _rows(path: Path) -> list[list[object]]:
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        try:
            book = load_workbook(path, read_only=True, data_only=True)
        except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
            raise ImportFileError(path, "whole file", EXPECTED, f"not an Excel .xlsx workbook ({type(exc).__name__})") from exc
        try:
            return [list(r) for r in book.worksheets[0].iter_rows(values_only=True)]
        finally:
            book.close()
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ImportFileError(path, f"byte {exc.start}", EXPECTED, "not UTF-8 text") from exc
    dialect = ";" if text.split("\n", 1)[0].count(";") > text.split("\n", 1)[0].count(",") else ","
    return [row for row in csv.reader(io.StringIO(text), delimiter=dialect)]


def _header(path: Path, rows: list[list[object]]) -> tuple[int, dict[str, int]]:
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
    raise ImportFileError(path, "first 15 rows", EXPECTED, "no header naming the page (link or id)")


def import_awards(file: Path | str, out_dir: Path | str, year: int, award: str = "quality_mark") -> ImportReport:
    """Import an award list for `year` into the dataset folder `out_dir` (which holds the pages)."""
    path, out_dir = Path(file), Path(out_dir)
    if not (out_dir / MANIFEST).exists():
        raise ValueError(f"{out_dir} holds no dataset: awards merge into the dataset that has the awarded pages "
                         f"(run `gospub import vk` or `gospub import monitoring` into it first)")
    if not path.exists():
        raise FileNotFoundError(f"award list {path} does not exist")
    report = ImportReport("import awards")
    report.files_read = 1
    try:
        rows = _rows(path)
        header_row, columns = _header(path, rows)
    except ImportFileError:
        report.write(out_dir)
        raise
    comms = existing_tables(out_dir)["communities"]
    by_screen = dict(zip(comms["screen_name"].dropna().str.lower(),
                         comms.loc[comms["screen_name"].notna(), "community_id"]))
    records = []
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
        if community_id is None:
            report.quarantine(str(path), position, "award", "the page cannot be identified: no VK id, and the link "
                              "is not a known page of the dataset", raw)
            continue
        category = cell.get("category")
        code = cell.get("award")
        records.append({"year": year, "community_id": community_id,
                        "award": str(code).strip() if code is not None and str(code).strip() else award,
                        "category": str(category).strip() if category is not None and str(category).strip() else None})
    frame = typed_frame("awards", dict(pd.DataFrame(records, columns=["year", "community_id", "award", "category"])))
    frames = {"awards": dedupe_new("awards", frame, report, "award")}
    report.imported("award", len(frames["awards"]))
    write_import(out_dir, frames, [source_entry(path)], report, {"awards": "award"})
    return report


def export_awards(dataset: Path | str, year: int, out: Path | str, award: str = "quality_mark") -> dict:
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
