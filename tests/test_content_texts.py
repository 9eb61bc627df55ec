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
