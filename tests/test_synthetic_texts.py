"""`synthetic.texts.add_texts` on a small hand-made posts table: the same bytes as the per-post
composition it replaced (digests taken from that code), every rubric present, and texts that
are Arrow strings of their length."""

from __future__ import annotations

import hashlib

import numpy as np
import pandas as pd
import pytest

from gospub_analysis.synthetic import texts

# Digests of the output of the per-post (numpy object array) composition of generator 1.3 on `_inputs()`.
DIGESTS = {
    "text": "3dd2768053e6eef2469bd149724f9849c77adb6743597da524ae2e52f92050b3",
    "content_type": "8e45d7b241927ce1942dfff563528dacdd6c1a4961dc7045480a8e03f960c35f",
    "likes": "1dcef17f3c9b96c35caa438b14fec737b5efc191fae002da25785a1aa3d41cc2",
    "reposts": "4bd0d85afd72118f565f3c2cf0b7c09d813caaab72c6f570922070ebfd428598",
}


def _inputs(n: int = 3000):
    rng = np.random.default_rng(7)
    sectors = ["education", "culture", "health", "sport", "social", "municipal_admin", "government", "other", None]
    organizations = pd.DataFrame({"org_id": [f"o{i}" for i in range(len(sectors))], "sector": sectors})
    communities = pd.DataFrame({
        "community_id": [f"vk:{100 + i}" for i in range(12)],
        "org_id": [f"o{i % len(sectors)}" for i in range(12)],
        "name": [f"Страница {i}" for i in range(12)],
        "screen_name": [None if i % 4 == 0 else ("" if i % 4 == 1 else f"page{i}") for i in range(12)],
    })
    # Every 5 h 51 min over 2023-2024, in a shuffled order of pages: every month, holiday and election window.
    published = pd.Timestamp("2023-01-01", tz="UTC") + pd.to_timedelta(np.arange(n) * 351, unit="min")
    video = rng.random(n) < 0.3
    posts = pd.DataFrame({
        "community_id": pd.Series(rng.choice(communities["community_id"].to_numpy()[:11], n), dtype="str"),
        "post_id": np.arange(n, dtype=np.int64),
        "published_at": published,
        "kind": pd.Series(np.where(rng.random(n) < 0.15, "repost", "post"), dtype="str"),
        "text_length": np.zeros(n, dtype=np.int64),
        "has_photo": rng.random(n) < 0.5,
        "has_video": video,
        "is_live": video & (rng.random(n) < 0.2),
        "likes": rng.integers(0, 50, n),
        "reposts": rng.integers(0, 5, n),
    })
    return posts, communities, organizations


def _digest(values) -> str:
    return hashlib.sha256("\x00".join(map(str, values)).encode()).hexdigest()


@pytest.fixture(scope="module")
def out() -> pd.DataFrame:
    posts, communities, organizations = _inputs()
    return texts.add_texts(2023, posts, communities, organizations, "Asia/Novosibirsk")


@pytest.mark.parametrize("column", sorted(DIGESTS))
def test_same_bytes_as_the_per_post_composition(out, column):
    assert _digest(out[column].tolist()) == DIGESTS[column]


def test_joined_in_chunks_the_texts_are_the_same(out, monkeypatch):
    monkeypatch.setattr(texts, "CHUNK", 1100)  # two chunks and a shorter last one
    posts, communities, organizations = _inputs()
    chunked = texts.add_texts(2023, posts, communities, organizations, "Asia/Novosibirsk")
    assert len(chunked["text"].array._pa_array.chunks) == 3
    pd.testing.assert_frame_equal(chunked, out)


def test_texts_are_arrow_strings_of_their_length(out):
    assert out["text"].dtype == "str" and out["text"].array._pa_array.type == "large_string"
    assert (out["text"].str.len().to_numpy() == out["text_length"].to_numpy()).all()


def test_every_rubric_and_signature_shows(out):
    text = out["text"]
    assert text.str.startswith("Прямой эфир!").any() and text.str.contains("Выборы:").any()
    assert text.str.contains("С Днём Победы!").any() and text.str.contains("Осторожно, тонкий лёд!").any()
    assert text.str.endswith("\n\nСтраница 2 #page2").any() and text.str.endswith("\n\nСтраница 2").any()
    assert text.str.endswith(" #vk100").any()  # no screen name: the id without the colon
    assert not text[out["kind"] == "repost"].str.contains("\n\n").all()
