"""Rubrics: what each post is about, by a scikit-learn text pipeline trained on a shipped labelled sample.

Rubrics (`RUBRICS`): announcement of an event, report on a past event, useful
information for residents (schedules, services, how to), congratulation on a holiday,
regional news, safety warning. The labelled sample (`data/rubric_sample.csv`, 150 posts
written by hand in the styles such pages use, not the synthetic generator's phrases)
trains a pipeline:

    CountVectorizer(analyzer=stems) → TfidfTransformer(sublinear_tf) → LogisticRegression

`stems` is the Russian-aware tokenisation: lower case, «ё» as «е», words of letters
only (two or more), each cut of one common inflectional ending by one regular
expression (`ENDINGS`: «школами», «школы», «школе» → «школ»). No stemming library is
needed for rubrics this coarse; the regex is the whole of it. `fast_counts` gives the
same count matrix for millions of texts: pyarrow splits them on (ASCII) whitespace and only the
distinct tokens go through `stems`, so a country's year is scored in about a minute
rather than the hour the per-text analyser would take (a test checks both agree).

`evaluate` reports precision, recall and F1 per rubric on a held-out stratified part of
the sample (and a majority-class baseline beside them); `assign` gives every post a
rubric (null without text); `useful_share` is each page's share of useful information,
a candidate criterion for the methodology.
"""

from __future__ import annotations

import os
import re
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from scipy import sparse
from sklearn.dummy import DummyClassifier
from sklearn.feature_extraction.text import CountVectorizer, TfidfTransformer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import precision_recall_fscore_support
from sklearn.model_selection import train_test_split
from sklearn.pipeline import Pipeline

from .posts import distinct_texts

SAMPLE = Path(__file__).parent / "data" / "rubric_sample.csv"
RUBRICS = ("announcement", "report", "useful", "holiday", "news", "safety")
ENDINGS = ("ями|ами|ого|его|ому|ему|ыми|ими|ах|ях|ов|ев|ей|ий|ый|ой|ая|яя|ое|ее|ую|юю|ом|ем|ам|ям|ых|их|ие|ые|ия|"
           "ья|ть|ся|сь|а|я|ы|и|е|о|у|ю|ь|й")
_STEM_PY = re.compile(f"^([^\\W\\d_]{{3,}}?)(?:{ENDINGS})$")
_WORD_PY = re.compile(r"[^\W\d_]{2,}")
HELD_OUT = 0.3
CHUNK = 1_000_000


def stems(text: str) -> list[str]:
    """The tokens of one text (module docstring)."""
    words = _WORD_PY.findall(text.lower().replace("ё", "е"))
    return [_STEM_PY.sub(r"\1", w) for w in words]


def load_sample(path: Path | str = SAMPLE) -> pd.DataFrame:
    """The labelled sample: columns rubric, text; a clear error for an unknown rubric."""
    sample = pd.read_csv(path, dtype={"rubric": "str", "text": "str"})
    unknown = sorted(set(sample["rubric"]) - set(RUBRICS))
    if unknown or sample["text"].isna().any():
        raise ValueError(f"{path}: rubric must be one of {', '.join(RUBRICS)} and every text non-empty; "
                         f"unknown rubrics {unknown}, empty texts in rows {list(np.flatnonzero(sample['text'].isna()) + 2)}")
    return sample


def pipeline(random_state: int = 0) -> Pipeline:
    return Pipeline([
        ("counts", CountVectorizer(analyzer=stems)),
        ("tfidf", TfidfTransformer(sublinear_tf=True)),
        ("model", LogisticRegression(C=20.0, max_iter=2000, class_weight="balanced", random_state=random_state)),
    ])


def train(sample: pd.DataFrame | None = None, random_state: int = 0) -> Pipeline:
    """The pipeline fitted on the whole sample (what `assign` uses)."""
    sample = load_sample() if sample is None else sample
    return pipeline(random_state).fit(sample["text"], sample["rubric"])


@dataclass
class Evaluation:
    per_rubric: pd.DataFrame  # rubric, precision, recall, f1, support (held-out), baseline_recall
    macro: pd.Series  # precision, recall, f1, accuracy; baseline_f1, baseline_accuracy
    train_size: int
    test_size: int


def evaluate(sample: pd.DataFrame | None = None, random_state: int = 0) -> Evaluation:
    """Precision and recall per rubric on a held-out stratified part of the sample, with a majority baseline."""
    sample = load_sample() if sample is None else sample
    train_x, test_x, train_y, test_y = train_test_split(sample["text"], sample["rubric"], test_size=HELD_OUT,
                                                        stratify=sample["rubric"], random_state=random_state)
    predicted = pipeline(random_state).fit(train_x, train_y).predict(test_x)
    baseline = DummyClassifier(strategy="most_frequent").fit(train_x, train_y).predict(test_x)
    labels = list(RUBRICS)
    p, r, f, n = precision_recall_fscore_support(test_y, predicted, labels=labels, zero_division=0)
    _, br, bf, _ = precision_recall_fscore_support(test_y, baseline, labels=labels, zero_division=0)
    per_rubric = pd.DataFrame({"rubric": labels, "precision": p, "recall": r, "f1": f, "support": n,
                               "baseline_recall": br})
    macro = pd.Series({"precision": p.mean(), "recall": r.mean(), "f1": f.mean(),
                       "accuracy": float(np.mean(predicted == test_y.to_numpy())),
                       "baseline_f1": bf.mean(), "baseline_accuracy": float(np.mean(baseline == test_y.to_numpy()))})
    return Evaluation(per_rubric, macro, len(train_x), len(test_x))


def _token_columns(raw_tokens: list, vocabulary: dict[str, int]) -> tuple[np.ndarray, np.ndarray]:
    """For each distinct whitespace-separated token: how many of its stems are in the vocabulary (`counts`),
    and those vocabulary columns one after another (`columns`, token by token)."""
    counts = np.zeros(len(raw_tokens), dtype=np.int64)
    columns: list[int] = []
    for i, token in enumerate(raw_tokens):
        for stem in stems(token):
            column = vocabulary.get(stem)
            if column is not None:
                counts[i] += 1
                columns.append(column)
    return counts, np.array(columns, dtype=np.int64)


def _chunk_counts(texts: pd.Series, vocabulary: dict[str, int]) -> sparse.csr_matrix:
    chunk = pa.array(texts.array, type=pa.string()) if len(texts) else pa.array([], type=pa.string())
    # split on ASCII whitespace only (a third faster than on all of Unicode's): a token may then hold a
    # no-break space or another break, which `stems` treats as the break it is, as in the whole text
    tokens = pc.ascii_split_whitespace(pc.fill_null(chunk, ""))
    flat = pc.dictionary_encode(pc.list_flatten(tokens))
    # only tokens with a word of two letters can have a stem: numbers, dates and phones skip the Python step
    wordy = np.flatnonzero(pc.match_substring_regex(flat.dictionary, r"\pL\pL").to_numpy(zero_copy_only=False))
    counts = np.zeros(len(flat.dictionary), dtype=np.int64)
    counts[wordy], columns = _token_columns(flat.dictionary.take(pa.array(wordy)).to_pylist(), vocabulary)
    token = flat.indices.to_numpy()
    rows = pc.list_parent_indices(tokens).to_numpy()
    per = counts[token]  # vocabulary stems of each occurrence; most tokens have none and drop out here
    keep = per > 0
    token, rows, per = token[keep], rows[keep], per[keep]
    first = (np.cumsum(counts) - counts)[token]
    if len(per) and per.max() > 1:  # a token of several stems («слово-слово»): each of its columns in turn
        offset = np.arange(per.sum()) - np.repeat(np.cumsum(per) - per, per)
        cols, rows = columns[np.repeat(first, per) + offset], np.repeat(rows, per)
    else:
        cols = columns[first]
    # the rows come in order (Arrow's parent indices), so the matrix is built as CSR at once; summing the
    # repeated columns of a row makes it the canonical matrix the COO route gave
    indptr = np.concatenate([[0], np.cumsum(np.bincount(rows, minlength=len(chunk)))])
    matrix = sparse.csr_matrix((np.ones(len(cols)), cols, indptr), shape=(len(chunk), len(vocabulary)))
    matrix.sum_duplicates()
    return matrix


def fast_counts(texts: pd.Series, vocabulary: dict[str, int]) -> sparse.csr_matrix:
    """The counts `CountVectorizer(analyzer=stems)` with this vocabulary gives, computed for many texts at once:
    texts are split on whitespace by pyarrow and only the distinct tokens go through `stems` (words never
    span whitespace, so the result is the same); chunks of a million texts run on all cores (Arrow and numpy
    release the interpreter lock)."""
    starts = range(0, len(texts), CHUNK)
    with ThreadPoolExecutor(max_workers=min(len(starts), os.cpu_count() or 1) or 1) as pool:  # Arrow and numpy
        parts = list(pool.map(lambda start: _chunk_counts(texts.iloc[start:start + CHUNK], vocabulary), starts))
    return sparse.vstack(parts, format="csr") if parts else sparse.csr_matrix((0, len(vocabulary)))


def predict(model: Pipeline, texts: pd.Series) -> np.ndarray:
    """The model's rubric for each text (through `fast_counts`)."""
    counts = fast_counts(texts, model.named_steps["counts"].vocabulary_)
    return model[1:].predict(counts)


def assign(posts: pd.DataFrame, model: Pipeline | None = None,
           distinct: tuple[np.ndarray, pa.Array] | None = None) -> pd.Series:
    """A rubric for each post with a text (each distinct text scored once); null without text or with a
    text of only whitespace. `distinct`: `posts.distinct_texts(posts["text"])` when the caller has it already."""
    model = model or train()
    codes, texts = distinct_texts(posts["text"]) if distinct is None else distinct
    # a text of only whitespace has no rubric either (pandas' str.strip of Arrow strings is this trim)
    blank = pc.equal(pc.utf8_trim_whitespace(texts), "").to_numpy(zero_copy_only=False)
    kept = np.flatnonzero(~blank)
    scored = (predict(model, texts.take(pa.array(kept)).to_pandas()) if len(kept) else np.array([], dtype=object))
    rubric = np.full(len(texts) + 1, None, dtype=object)  # the last one for a missing text (code -1)
    rubric[kept] = scored
    out = rubric[codes]
    return pd.Series(out, index=posts.index, dtype="str", name="rubric")


def useful_share(posts: pd.DataFrame, rubric: pd.Series) -> pd.DataFrame:
    """Each page's posts with a rubric, its useful-information posts and their share."""
    frame = posts[["community_id"]].assign(rubric=rubric, useful=rubric.eq("useful").fillna(False))
    frame = frame[frame["rubric"].notna()]
    out = frame.groupby("community_id").agg(posts_with_rubric=("rubric", "size"), useful_posts=("useful", "sum"))
    return out.assign(useful_share=out["useful_posts"] / out["posts_with_rubric"]).reset_index()


def mix(posts: pd.DataFrame, rubric: pd.Series, key: str) -> pd.DataFrame:
    """Share of each rubric among the posts with a rubric, by `key`."""
    frame = posts[[key]].assign(rubric=rubric).dropna(subset=["rubric"])
    wide = pd.crosstab(frame[key], frame["rubric"], normalize="index")
    return wide.reindex(columns=[r for r in RUBRICS if r in wide.columns])
