"""Issue 11, items 10-12, and the mixed folder: the files analysts really get.

Totals rows in the monitoring export, award lists in the encodings Russian Excel saves,
workbooks named for another format, real legacy .xls (written here with xlwt), and the
figures of `mixed_fixture` (every count below is counted by hand from that folder).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from gospub_analysis.dataset import load_dataset
from gospub_analysis.importers.awards import import_awards
from gospub_analysis.importers.monitoring import import_monitoring
from gospub_analysis.importers.pseudonym import Pseudonymizer
from gospub_analysis.importers.report import ImportFileError
from gospub_analysis.importers.vk import import_vk

import mixed_fixture
from mixed_fixture import MONITORING_HEADERS, _monitoring_rows, _xlsx, write_legacy_xls  # noqa: E402

KEY = b"files-key"


@pytest.fixture(autouse=True)
def pseudonym_key(monkeypatch):
    monkeypatch.setenv("GOSPUB_PSEUDONYM_KEY", KEY.decode())


# --- item 10: totals rows ---------------------------------------------------------------------------

def _blank_row() -> list:
    return [None] * len(MONITORING_HEADERS)


def test_totals_rows_are_set_aside_not_organisations(tmp_path):
    rows = _monitoring_rows(10)[:4]  # school, hospital, library, a school without a page
    in_name, in_level, shouted = _blank_row(), _blank_row(), _blank_row()
    in_name[2], in_name[17] = "Итого", 1140
    in_level[0], in_level[17] = "Всего по району:", 1140
    shouted[1] = "ВСЕГО"
    society = list(rows[3])
    society[2] = "Всероссийское общество инвалидов, местное отделение"  # starts like «Всего», is not
    report = import_monitoring([_xlsx(tmp_path / "monitoring_2024-03-04.xlsx", rows + [society, in_name, in_level,
                                                                                        shouted])], tmp_path / "ds")
    assert report.as_dict()["records"]["row"] == {"read": 8, "imported": 5, "duplicates": 0, "skipped": 0,
                                                  "quarantined": 3}
    ds = load_dataset(tmp_path / "ds")
    assert len(ds.organizations) == 5 and not ds.organizations["name"].str.match("(?i)итого|всего$").any()
    totals = ds.quarantine[ds.quarantine["reason"].str.startswith("a totals row")]
    assert sorted(totals["position"], key=len) == ["sheet «Мониторинг», row 8", "sheet «Мониторинг», row 9",
                                        "sheet «Мониторинг», row 10"]


# --- item 11: encodings of award lists ------------------------------------------------------------------

AWARDS = ("Наименование;Ссылка на госпаблик ВК;Номинация\r\n"
          "МБОУ Болотнинская СОШ № 1;https://vk.com/club101;Образование\r\n"
          "Ордынская библиотека;vk.com/ordynsk_lib;Культура\r\n"
          "Ордынская библиотека (повтор);https://vk.com/public303;Культура\r\n")


@pytest.fixture()
def pages(tmp_path):
    dump = tmp_path / "vk"
    dump.mkdir()
    (dump / "groups.json").write_text('[{"id": 101, "name": "Школа", "screen_name": "school"}, '
                                      '{"id": 303, "name": "Библиотека", "screen_name": "ordynsk_lib"}]',
                                      encoding="utf-8")
    import_vk(dump, tmp_path / "ds", pseudonymize=Pseudonymizer(KEY))
    return tmp_path / "ds"


@pytest.mark.parametrize("encoding, reported, text", [
    ("cp1251", "cp1251", AWARDS),  # «Сохранить как: CSV (разделители — запятые)» in Russian Excel
    ("utf-8-sig", "utf-8-sig", AWARDS),  # «CSV UTF-8»
    ("utf-8", "utf-8", AWARDS),
    ("utf-16", "utf-16", AWARDS.replace(";", "\t")),  # «Текст Юникод»: UTF-16 with a byte-order mark, tabs
    ("koi8-r", "koi8_r", AWARDS.replace("№", "N")),
    ("cp1251", "cp1251", "Ссылка\r\nvk.com/club101\r\nvk.com/ordynsk_lib\r\nvk.com/club303\r\n"),  # 3 short lines
])
def test_award_lists_in_every_encoding_excel_saves(pages, tmp_path, encoding, reported, text):
    path = tmp_path / "awards.csv"
    path.write_bytes(text.encode(encoding))
    report = import_awards(path, pages, year=2023)
    assert report.notes["encoding"] == reported and report.notes["format"] == "csv"
    assert report.as_dict()["records"]["award"] == {"read": 3, "imported": 2, "duplicates": 1, "skipped": 0,
                                                    "quarantined": 0}
    ds = load_dataset(pages)
    assert sorted(ds.awards["community_id"]) == ["vk:101", "vk:303"]
    if "Номинация" in text:
        assert set(ds.awards["category"]) == {"Образование", "Культура"}


def test_bytes_no_encoding_explains_are_refused(pages, tmp_path):
    path = tmp_path / "awards.csv"
    path.write_bytes(b"\x00\x81\x00\xff" * 40)
    with pytest.raises(ImportFileError, match="text in no encoding a spreadsheet is saved in"):
        import_awards(path, pages, year=2023)


def test_a_readable_text_without_the_header_says_which_encoding_it_was_read_in(pages, tmp_path):
    path = tmp_path / "awards.csv"
    path.write_bytes("Название;Баллы\r\nШкола;5\r\n".encode("cp1251"))
    with pytest.raises(ImportFileError, match=r"no header naming the page \(link or id\) \(read as cp1251\)"):
        import_awards(path, pages, year=2023)


# --- item 12: workbooks by their content -----------------------------------------------------------------

def test_xlsx_named_xls_is_read_by_its_content(tmp_path):
    path = _xlsx(tmp_path / "week.xlsx", _monitoring_rows(1520)).rename(tmp_path / "monitoring_2024-03-04.xls")
    report = import_monitoring([path], tmp_path / "ds")
    assert report.notes["formats"] == {str(path): "xlsx"} and report.counts["row"]["imported"] == 4


def test_legacy_xls_is_read_with_its_number_formats(tmp_path):
    rows = _monitoring_rows(1520)
    rows[0][14] = None
    path = write_legacy_xls(tmp_path / "monitoring_2024-03-04.xls", rows, {(2, 14): 0.85})  # 85% in the sheet
    assert path.read_bytes()[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" and path.stat().st_size < 16_000
    report = import_monitoring([path], tmp_path / "ds")
    assert report.notes["formats"] == {str(path): "xls"}
    ds = load_dataset(tmp_path / "ds")
    snaps = ds.snapshots.set_index("community_id")
    assert snaps.loc["vk:101", "design_pct"] == pytest.approx(85.0)  # 0.85 shown as 85 %
    assert snaps.loc["vk:202", "design_pct"] == 70 and snaps.loc["vk:202", "activity_pct"] == pytest.approx(66.7)
    assert snaps.loc["vk:101", "members_count"] == 1520 and bool(snaps.loc["vk:101", "gov_mark"])
    assert ds.organizations.set_index("name").loc["МБОУ Болотнинская СОШ № 1", "ogrn"] == "1025400000001"


def test_award_list_as_legacy_xls(pages, tmp_path):
    import xlwt

    book = xlwt.Workbook(encoding="utf-8")
    sheet = book.add_sheet("Итоги")
    for r, row in enumerate([["ID госпаблика", "Номинация"], [101, "Образование"], [303.0, "Культура"]]):
        for c, value in enumerate(row):
            sheet.write(r, c, value)
    book.save(str(tmp_path / "awards.xlsx"))  # a legacy workbook with the wrong name, as it happens
    report = import_awards(tmp_path / "awards.xlsx", pages, year=2023)
    assert report.notes["format"] == "xls" and report.counts["award"]["imported"] == 2


@pytest.mark.parametrize("content, message", [
    (b"<html><body><table><tr><td>1</td></tr></table></body></html>", "an HTML or XML page"),
    ('<?xml version="1.0"?><Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet"/>'.encode(),
     "an HTML or XML page"),
    ("Уровень;Учредитель\r\n".encode("cp1251"), "not an Excel workbook (neither .xlsx nor a legacy .xls"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600, "an OLE2 file that xlrd cannot read"),
    (b"PK\x03\x04" + b"\x00" * 100, "a ZIP file that is not a readable Excel workbook"),
])
def test_what_is_not_a_workbook_is_named_truly(tmp_path, content, message):
    path = tmp_path / "monitoring_2024-03-04.xls"
    path.write_bytes(content)
    with pytest.raises(ImportFileError, match=message.replace("(", r"\(")) as info:
        import_monitoring([path], tmp_path / "ds")
    assert "save it as .xlsx" in str(info.value) or "neither" in str(info.value)


# --- the mixed folder ---------------------------------------------------------------------------------------

def test_mixed_folder_figures(tmp_path):
    result = mixed_fixture.figures(tmp_path)
    steps = {s["step"]: s for s in result["steps"]}
    counts = {name: {rtype: tuple(c.values()) for rtype, c in step["records"].items()} for name, step in steps.items()}
    # read, imported, merged (duplicates), skipped, set aside
    assert counts["monitoring"] == {"row": (15, 4, 8, 0, 3), "page": (9, 6, 0, 0, 3)}  # 3 weeks of 5 rows
    assert counts["vk"] == {"comment": (5, 5, 0, 0, 0), "group": (4, 4, 0, 0, 0), "post": (3, 3, 0, 0, 0),
                            "wall_post": (1, 1, 0, 0, 0)}
    assert steps["vk"]["failed"] == 2 and steps["vk"]["resolved"] == {"page": 3}  # users.get, getMembers
    assert counts["telegram"] == {"message": (3, 1, 0, 1, 1)}
    assert counts["awards"] == {"award": (4, 3, 1, 0, 0)} and counts["awards again"] == {"award": (4, 0, 4, 0, 0)}
    assert result["dataset_rows"] == {"organizations": 4, "communities": 5, "snapshots": 12, "posts": 4,
                                      "comments": 3, "wall_messages": 3, "awards": 3, "quarantine": 6}
    assert result["library_linked"] and result["leaks"] == []
    assert sum(r.startswith("row: a totals row") for r in result["quarantine"]) == 3


def test_mixed_folder_is_written_not_committed():
    assert not list(Path(__file__).parent.joinpath("fixtures").rglob("*.xls"))
