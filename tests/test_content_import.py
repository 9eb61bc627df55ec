"""Post texts and content types from the VK and Telegram importers, and through `export vk` and back."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from gospub_analysis.dataset import load_dataset
from gospub_analysis.importers.pseudonym import Pseudonymizer
from gospub_analysis.importers.telegram import import_telegram
from gospub_analysis.importers.vk import import_vk
from gospub_analysis.importers.vk_export import export_vk

CHANNEL = Path(__file__).parent / "fixtures" / "telegram" / "result.json"
G = 4242


def _post(post_id: int, **extra) -> dict:
    return {"id": post_id, "owner_id": -G, "from_id": -G, "date": 1709000000 + post_id, "post_type": "post",
            "comments": {"count": 0}, "likes": {"count": 1}, "reposts": {"count": 0}, **extra}


def _video(kind: str, **inner) -> dict:
    return {"type": kind, kind: {"id": 1, "owner_id": -G, **inner}}


PHOTO = {"type": "photo", "photo": {"id": 1, "owner_id": -G}}
WALL = [
    _post(1, text="Только текст"),
    _post(2, text="Фото", attachments=[PHOTO, PHOTO]),
    _post(3, text="Ролик", attachments=[_video("video", type="video")]),
    _post(4, text="Клип", attachments=[_video("video", type="short_video")]),
    _post(5, text="Клип старой формы", attachments=[_video("clip")]),
    _post(6, text="Эфир", attachments=[_video("video", live=1, type="live")]),
    _post(7, text="Ссылка", attachments=[{"type": "link", "link": {"url": "https://example.org"}}]),
    _post(8, text="Опрос", attachments=[{"type": "poll", "poll": {"id": 3}}]),
    _post(9, text="Фото и ссылка", attachments=[PHOTO, {"type": "link", "link": {"url": "https://example.org"}}]),
    _post(10, text="Документ", attachments=[{"type": "doc", "doc": {"id": 1}}]),
    _post(11, text="", copy_history=[{"id": 5, "owner_id": -77, "from_id": -77, "text": "Новость региона",
                                      "attachments": [PHOTO]}]),
    _post(12, text="", copy_history=[{"id": 6, "owner_id": 555, "from_id": 555, "text": "Личный пост жителя"}]),
    _post(13, text="Наш комментарий к новости", copy_history=[{"id": 7, "owner_id": -77, "text": "Новость"}]),
    _post(14, attachments=[PHOTO]),
    {**_post(15, text="Пост жителя на стене"), "from_id": 9001},
    _post(16, text="Поздравляем [id777123|Ивана Петрова] и @id777124! Профиль: https://vk.com/id777125 [club5|Школа]"),
]


@pytest.fixture(scope="module")
def vk_posts(tmp_path_factory) -> pd.DataFrame:
    root = tmp_path_factory.mktemp("content-vk")
    (root / "dump").mkdir()
    (root / "dump" / "wall.json").write_text(json.dumps({"response": {"count": len(WALL), "items": WALL}}),
                                             encoding="utf-8")
    import_vk(root / "dump", root / "ds", pseudonymize=Pseudonymizer(b"content-key"))
    return load_dataset(root / "ds").posts.set_index("post_id")


def test_vk_content_types_from_attachments_copy_history_and_live(vk_posts):
    expected = {1: "text", 2: "photo", 3: "video", 4: "clip", 5: "clip", 6: "live", 7: "link", 8: "poll",
                9: "several", 10: "text", 11: "repost", 12: "repost", 13: "repost", 14: "photo", 16: "text"}
    assert vk_posts["content_type"].to_dict() == expected


def test_vk_texts_are_the_pages_own_and_never_a_residents(vk_posts):
    assert vk_posts.loc[1, "text"] == "Только текст"
    assert vk_posts.loc[11, "text"] == "Новость региона"  # a repost without its own words: the shared text
    assert vk_posts.loc[13, "text"] == "Наш комментарий к новости"  # its own words win
    assert pd.isna(vk_posts.loc[12, "text"])  # a resident's post shared by the page: not kept
    assert pd.isna(vk_posts.loc[14, "text"])  # no text field at all: unknown, not ""
    assert 15 not in vk_posts.index  # a resident's wall post is no post of the page
    assert vk_posts.loc[11, "text_length"] == len("Новость региона") and vk_posts.loc[12, "text_length"] == 0
    stored = " ".join(vk_posts["text"].dropna())
    assert "жителя" not in stored
    # a person the page names is kept as a mention, never by id or name; a community keeps its name
    assert vk_posts.loc[16, "text"] == ("Поздравляем [упоминание] и [упоминание]! Профиль: [упоминание] "
                                        "[club5|Школа]")
    assert "777" not in stored and "Петров" not in stored


def test_telegram_text_and_content_type(tmp_path):
    channel = json.loads(CHANNEL.read_text(encoding="utf-8"))
    channel["messages"].append({"id": 7, "type": "message", "date_unixtime": "1673500000", "text": [
        "Спасибо, ", {"type": "mention_name", "text": "Иван Петров", "user_id": 777126}, ", и @id777127!"]})
    (tmp_path / "result.json").write_text(json.dumps(channel, ensure_ascii=False), encoding="utf-8")
    import_telegram([tmp_path / "result.json"], tmp_path / "ds")
    posts = load_dataset(tmp_path / "ds").posts.set_index("post_id")
    assert posts.loc[3, "text"] == "График приёма граждан: вторник, https://example.org"
    assert posts.loc[2, "text"] == "Добро пожаловать на официальный канал!"
    assert posts["content_type"].to_dict() == {2: "text", 3: "photo", 4: "repost", 7: "text"}
    assert posts.loc[7, "text"] == "Спасибо, [упоминание], и [упоминание]!"
    assert pd.isna(posts.loc[4, "text"])  # an empty forwarded caption: no text


def test_export_and_import_keep_texts_and_content_types(small_dataset_dir, tmp_path):
    export_vk(small_dataset_dir, tmp_path / "dump")
    import_vk(tmp_path / "dump", tmp_path / "ds", pseudonymize=Pseudonymizer(b"roundtrip"))
    key = ["community_id", "post_id"]
    columns = [*key, "text", "content_type", "text_length"]
    original = load_dataset(small_dataset_dir).posts[columns]
    original = original[original["community_id"].str.startswith("vk:")].sort_values(key, ignore_index=True)
    imported = load_dataset(tmp_path / "ds").posts[columns].sort_values(key, ignore_index=True)
    assert original["text"].notna().mean() > 0.99 and original["content_type"].nunique() >= 7
    pd.testing.assert_frame_equal(original, imported, check_dtype=False)
