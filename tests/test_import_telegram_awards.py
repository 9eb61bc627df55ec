"""`gospub import telegram` and `gospub import awards`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook

from gospub_analysis.cli import main
from gospub_analysis.dataset import load_dataset
from gospub_analysis.importers.awards import import_awards
from gospub_analysis.importers.report import ImportFileError
from gospub_analysis.importers.telegram import import_telegram
from gospub_analysis.importers.vk import import_vk

FIXTURES = Path(__file__).parent / "fixtures"
CHANNEL = FIXTURES / "telegram" / "result.json"


@pytest.fixture(autouse=True)
def pseudonym_key(monkeypatch):
    monkeypatch.setenv("GOSPUB_PSEUDONYM_KEY", "test-key")


def test_telegram_channel(tmp_path):
    report = import_telegram([CHANNEL], tmp_path / "ds")
    ds = load_dataset(tmp_path / "ds")
    assert report.unbalanced() == {}
    assert report.as_dict()["records"]["message"] == {"read": 6, "imported": 3, "duplicates": 0, "skipped": 2,
                                                       "quarantined": 1}
    posts = ds.posts.set_index("post_id")
    assert posts.loc[3, "text_length"] == len("График приёма граждан: вторник, https://example.org")
    assert posts.loc[3, "has_photo"] and posts.loc[3, "likes"] == 7
    assert posts.loc[4, "kind"] == "repost" and posts.loc[4, "has_video"]
    assert posts["views"].isna().all()
    assert str(posts.loc[2, "published_at"]) == "2023-01-10 03:15:00+00:00"
    comm = ds.communities.iloc[0]
    assert comm["community_id"] == "telegram:1876543210" and comm["platform"] == "telegram"
    assert str(comm["created_at"]) == "2023-01-10 02:00:00+00:00"  # the channel's creation message
    assert ds.manifest["provenance"]["kind"] == "imported"


def test_telegram_refuses_chats_and_bad_json(tmp_path):
    chat = json.loads(CHANNEL.read_text(encoding="utf-8")) | {"type": "private_group"}
    (tmp_path / "chat.json").write_text(json.dumps(chat), encoding="utf-8")
    with pytest.raises(ImportFileError, match="only channel exports"):
        import_telegram([tmp_path / "chat.json"], tmp_path / "ds")
    (tmp_path / "cut.json").write_text(CHANNEL.read_text(encoding="utf-8")[:300], encoding="utf-8")
    assert main(["import", "telegram", str(tmp_path / "cut.json"), "--out", str(tmp_path / "ds")]) == 2
    report = import_telegram([tmp_path / "cut.json", CHANNEL], tmp_path / "ds2", skip_bad_files=True)
    assert len(report.failed_files) == 1 and report.counts["message"]["imported"] == 3


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(messages=st.lists(st.dictionaries(
    st.sampled_from(["id", "type", "date", "date_unixtime", "text", "reactions", "forwarded_from", "photo", "media_type"]),
    st.one_of(st.none(), st.integers(-5, 2**40), st.text(max_size=6), st.sampled_from(["message", "service", "1673320500"]),
              st.lists(st.one_of(st.text(max_size=3), st.fixed_dictionaries({"count": st.integers(-1, 9)})), max_size=3)),
    max_size=9), max_size=8))
def test_telegram_arbitrary_messages(tmp_path_factory, messages):
    root = tmp_path_factory.mktemp("tg")
    path = root / "result.json"
    path.write_text(json.dumps({"name": "Канал", "type": "public_channel", "id": 5, "messages": messages}))
    report = import_telegram([path], root / "ds")
    assert report.unbalanced() == {}
    load_dataset(root / "ds")


@pytest.fixture()
def pages(tmp_path):
    import_vk(FIXTURES / "vk", tmp_path / "ds", skip_bad_files=True)
    return tmp_path / "ds"


def test_awards_from_csv_by_link_and_id(pages, tmp_path):
    csv_file = tmp_path / "awards.csv"
    csv_file.write_text("Наименование;Ссылка на госпаблик ВК;Номинация\n"
                        "Школа;https://vk.com/bolotnoe_school1;Образование\n"
                        "Больница;vk.com/club202;Здравоохранение\n"
                        "Больница ещё раз;public202;Здравоохранение\n"
                        "Неизвестно;vk.com/nobody_here;Культура\n"
                        "Не из датасета;vk.com/club999;Культура\n;;\n", encoding="utf-8")
    report = import_awards(csv_file, pages, year=2023)
    assert report.unbalanced() == {}
    assert report.as_dict()["records"]["award"] == {"read": 5, "imported": 2, "duplicates": 1, "skipped": 0,
                                                     "quarantined": 2}
    ds = load_dataset(pages)
    assert sorted(ds.awards["community_id"]) == ["vk:101", "vk:202"]
    assert set(ds.awards["award"]) == {"quality_mark"} and set(ds.awards["year"]) == {2023}
    waiting = ds.quarantine.set_index("position")
    assert "no page of the dataset has yet" in waiting.loc["row 5", "reason"]  # vk.com/nobody_here
    assert waiting.loc["row 5", "waits_for"] == "page_id"
    assert "not in communities" in waiting.loc["row 6", "reason"] and waiting.loc["row 6", "waits_for"] == "page"


def test_awards_from_xlsx_by_id(pages, tmp_path):
    book = Workbook()
    book.active.append(["Итоги конкурса «Знак качества»"])
    book.active.append(["ID госпаблика", "Награда"])
    book.active.append([101, "quality_mark"])
    book.save(tmp_path / "a.xlsx")
    assert main(["import", "awards", str(tmp_path / "a.xlsx"), "--year", "2024", "--out", str(pages)]) == 0
    assert list(load_dataset(pages).awards["community_id"]) == ["vk:101"]


def test_awards_need_pages_and_a_header(tmp_path, pages):
    (tmp_path / "a.csv").write_text("Ссылка\nvk.com/club1\n", encoding="utf-8")
    with pytest.raises(ValueError, match="holds no dataset"):
        import_awards(tmp_path / "a.csv", tmp_path / "empty", year=2023)
    (tmp_path / "b.csv").write_text("Название;Баллы\nШкола;5\n", encoding="utf-8")
    with pytest.raises(ImportFileError, match="b.csv, first 15 rows"):
        import_awards(tmp_path / "b.csv", pages, year=2023)
