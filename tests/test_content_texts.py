"""Texts as the content analyses encode them: distinct texts by Arrow, the normal form's word breaks,
rubrics of blank texts, and the year's posts through Arrow with their nullable counts."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

from gospub_analysis.content import copies, posts, rubrics


@pytest.mark.parametrize("dtype", ["str", object])
def test_distinct_texts_codes_and_dictionary(dtype):
    text = pd.Series(["б", None, "а", "б", "", "а"], dtype=dtype)
    codes, distinct = posts.distinct_texts(text)
    assert distinct.to_pylist() == ["б", "а", ""]  # in order of first appearance, the empty text is a text
    assert codes.tolist() == [0, -1, 1, 0, 2, 1]
    codes, distinct = posts.distinct_texts(pd.Series([], dtype="str"))
    assert codes.tolist() == [] and distinct.to_pylist() == []
    codes, distinct = posts.distinct_texts(pd.Series([None, None], dtype=object))
    assert codes.tolist() == [-1, -1] and distinct.to_pylist() == []


@pytest.mark.parametrize("text, expected", [
    ("слово слово", "слово слово"),  # one space between words stays
    ("слово,слово", "слово слово"),  # a single non-space break becomes a space
    ("слово , — слово", "слово слово"),  # a run of breaks becomes one space
    ("слово  слово", "слово слово"),  # two spaces: a run too
    ("« Ура »!!! 🎄🎄 2023", "ура 2023"),
    ("a\tb\nc", "a b c"),
    (" ", ""), ("", ""),
])
def test_normal_form_breaks_between_words(text, expected):
    assert copies.normalise(pd.Series([text], dtype="str")).iloc[0] == expected
    # the rule it replaces: every run of anything but letters and digits is one space
    assert re.sub(r"[^\w]+|_+", " ", text.lower()).strip() == expected


def test_text_hash_is_that_of_the_normal_form():
    texts = pd.Series(["Один и тот же текст новости про школу, длинный — достаточно!", None,
                       "один и тот же текст новости про школу длинный достаточно", "коротко"], dtype="str")
    hashes = copies.text_hash(texts)
    normal = copies.normalise(texts)
    assert normal.iloc[0] == normal.iloc[2] and hashes.iloc[0] == hashes.iloc[2]
    assert hashes.iloc[0] == pd.util.hash_array(np.array([normal.iloc[0]], dtype=object), categorize=False
                                                 ).astype("int64")[0]
    assert pd.isna(hashes.iloc[1]) and pd.isna(hashes.iloc[3])  # missing, and shorter than MIN_CHARS


def test_blank_texts_get_no_rubric():
    frame = pd.DataFrame({"text": pd.Series(
        ["График приёма граждан: вторник и четверг с 9 до 13, запись по телефону.", "   ", None, "\t\n", "",
         "График приёма граждан: вторник и четверг с 9 до 13, запись по телефону."], dtype="str")})
    rubric = rubrics.assign(frame)
    assert rubric.iloc[0] == rubric.iloc[5] == "useful"
    assert rubric.iloc[1:5].isna().all()


def test_year_posts_keep_nullable_counts(small_dataset_dir):
    from gospub_analysis import open_source
    source = open_source(small_dataset_dir)
    year = posts.year_posts(source, 2023)
    assert year["views"].dtype == "Int64" and year["subscribers"].dtype == "Int64"
    assert year["text"].dtype == "str" and year["interactions"].dtype == "int64"
    assert list(year.columns[:13]) == ["community_id", "post_id", "published_at", "local_time", "kind", "is_live",
                                       "views", "likes", "comments", "reposts", "interactions", "text",
                                       "content_type"]
    assert year["subscribers"].isna().any() and year["subscribers"].notna().any()
    assert (year["interactions"] == year["likes"] + year["comments"] + year["reposts"]).all()


def _two_pass_normal(texts: list[str]) -> list[str]:
    """The normal form as it was computed before the one-pass pattern: links, hashtags and mentions removed
    first, then every run of anything but letters and digits made one space (the reference)."""
    import pyarrow as pa
    import pyarrow.compute as pc
    lower = pc.replace_substring(pc.utf8_lower(pa.array(texts, type=pa.large_string())), "ё", "е")
    stripped = pc.replace_substring_regex(lower, copies._STRIP, " ")
    return pc.utf8_trim_whitespace(pc.replace_substring_regex(stripped, r"[^\pL\pN]+", " ")).to_pylist()


# links whose end the engine could shorten to let a run go on ("http://a.b" must lose the whole link), runs
# that start with a space before a link, mentions and hashtags beside words and each other, breaks of other
# scripts and of Unicode
TRICKY = ["http://a.b", "x http://a.b", "a , http://x.ru/a,b next", "#tag", "##tag x", "x[club1|name] y",
          "abcwww.x", "Kvk.com/x", "vk.com/x", "a  b", " a ", "a.b", "@x.y#z", "[id12|Имя], привет!",
          "ПРИВЁТ ёжик", "тест https://vk.com/wall-1_2?x=1, ещё", "a\u00a0\u00a0b", "a\tb", "🎉🎉 праздник 🎉",
          "t.me/abc", "at.me/x", "https:// x", "a https://x", "a http://x.ru/a b", "слово #тег, слово",
          "a@b.c d", "[public7|Школа] — www.school.ru/news?id=1!", "a - b", "x_y", "1,5 млн", ""]


def test_one_pass_normal_form_is_the_two_pass_one():
    assert copies._normal(pa_array(TRICKY)).to_pylist() == _two_pass_normal(TRICKY)
    assert copies._normal(pa_array(["http://a.b", "a http://x.ru/a b"])).to_pylist() == ["", "a b"]  # by hand


def pa_array(texts):
    import pyarrow as pa
    return pa.array(texts, type=pa.large_string())


def test_one_pass_normal_form_on_generated_texts(small_dataset_dir):
    texts = pd.read_parquet(small_dataset_dir / "posts.parquet", columns=["text"])["text"].dropna()
    texts = texts.iloc[:20_000].tolist()
    assert len(texts) > 1000 and any("#" in t for t in texts)
    assert copies._normal(pa_array(texts)).to_pylist() == _two_pass_normal(texts)


def test_pages_per_hash_against_groupby_nunique():
    hashes = pd.Series([5, 5, 5, None, 7, 7, 5, 9, 5], dtype="Int64")
    pages = pd.Series(["a", "b", "a", "c", "c", "c", "c", None, None], dtype="str")
    counted = copies._pages_per_hash(hashes, pages)
    # by hand: hash 5 on pages a, b, c (a missing page is none); 7 on c; 9 on no page; no hash: 0
    assert counted.tolist() == [3, 3, 3, 0, 1, 1, 3, 0, 3]
    reference = pd.DataFrame({"h": hashes, "p": pages}).dropna(subset=["h"]).groupby("h")["p"].nunique()
    assert counted.tolist() == hashes.map(reference).fillna(0).astype("int64").tolist()
    assert copies._pages_per_hash(pd.Series([None], dtype="Int64"), pd.Series(["a"])).tolist() == [0]


def test_text_hash_with_the_distinct_texts_given():
    texts = pd.Series(["Один и тот же текст новости про школу, длинный — достаточно!", None, "коротко",
                       "один и тот же текст новости про школу длинный достаточно"], dtype="str")
    given = copies.text_hash(texts, posts.distinct_texts(texts))
    pd.testing.assert_series_equal(given, copies.text_hash(texts))
    assert given.iloc[0] == given.iloc[3] and given.iloc[1:3].isna().all()
