"""Why a page is (or is not) flagged, in plain Russian with numbers.

This module owns explaining a fitted classifier's probability for one page by comparing
the page with the winners of the training year (of the page's sector), one feature at a
time: each feature is set to the winners' median and the page's log-odds recomputed. The
change is the feature's contribution (positive: the page trails the winners there;
negative: it does better). For a logistic regression on standardised features this is
exactly coefficient × standardised deviation from the winners' median; for any other
model it is the same question asked of the model. The largest contributions become the page's
reasons, and the largest one among the features a page can act on becomes its suggested
improvement.

Feature descriptions (label, unit, kind) come from the caller (`classifier.FEATURES`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np
import pandas as pd

MINUS = "\u2212"


@dataclass(frozen=True)
class Feature:
    """One model input: a metrics.page_year column, and how to speak about it."""

    column: str
    label: str  # Russian noun phrase used in reasons: «медиана ответа»
    kind: str  # share, presence, hours, count, rate, number
    unit: str = ""  # «ч», «в неделю», «мес.»
    higher_is_better: bool = True
    actionable: bool = True  # something the page's admin can change before the year ends


def _num(value: float, digits: int) -> str:
    text = f"{value:,.{digits}f}".replace(",", "\u202f").replace(".", ",")
    return text.replace("-", MINUS)


def format_value(feature: Feature, value: float) -> str:
    """A feature value in words: «35%», «30 ч», «есть», «1,2 в неделю»."""
    if value is None or pd.isna(value):
        return "нет данных"
    if feature.kind == "presence":
        if value >= 0.999:
            return "есть"
        if value <= 0.001:
            return "нет"
        return f"есть в {_num(100 * value, 0)}% наблюдений"
    if feature.kind == "share":
        return f"{_num(100 * value, 0)}%"
    if feature.kind == "hours":
        digits = 1 if abs(value) < 10 else 0
        return f"{_num(value, digits)} ч"
    if feature.kind == "count":
        text = _num(value, 0)
    elif feature.kind == "rate":
        text = _num(value, 2 if abs(value) < 0.1 else 1)
    else:
        digits = 0 if value == round(value) or abs(value) >= 10 else 2 if abs(value) < 1 else 1
        text = _num(value, digits)
    return f"{text} {feature.unit}".strip()


def phrase(feature: Feature, value: float, reference: float, strength: bool) -> str:
    """«− медиана ответа 30 ч, у победителей 3 ч» (a gap) or «+ ...» (a strength)."""
    sign = "+" if strength else MINUS
    return f"{sign} {feature.label}: {format_value(feature, value)}, у победителей {format_value(feature, reference)}"


def _logit(p: np.ndarray) -> np.ndarray:
    p = np.clip(p, 1e-9, 1 - 1e-9)
    return np.log(p / (1 - p))


def contributions(model, X: pd.DataFrame, X_reference: pd.DataFrame, features: Sequence[Feature]) -> pd.DataFrame:
    """Log-odds change when each feature of each page is set to its reference (the winners' median).

    `X`: model input; `X_reference`: the reference on the model's scale, one row per page
    (indexed like X). Returns one column per feature, indexed like X: positive where the
    page would gain by being like the winners (a gap), negative where it would lose (a
    strength). A page whose value is missing gets NaN for that feature (nothing to compare).
    """
    base = _logit(model.predict_proba(X)[:, 1])
    columns = [f.column for f in features]
    # every "what if" copy in one batch: one predict call instead of one per feature
    batch = pd.concat([X.assign(**{c: X_reference[c].to_numpy()}) for c in columns], ignore_index=True)
    moved = _logit(model.predict_proba(batch)[:, 1]).reshape(len(columns), len(X)).T
    out = pd.DataFrame(moved - base[:, None], index=X.index, columns=columns)
    return out.where(X[columns].notna().to_numpy())


def consistent(contrib: pd.DataFrame, values: pd.DataFrame, reference: pd.DataFrame,
               features: Sequence[Feature]) -> pd.DataFrame:
    """`contrib` where the numbers tell the same story as the model, NaN elsewhere.

    A gap is kept only where the page's value is worse than the winners' (by the feature's
    direction), a strength only where it is better: the reference the model compares with
    (percentiles among this year's pages) and the one a reader sees (the winners' values
    in the training year) can disagree slightly, and a reason must not contradict its own
    numbers (nor show two equal numbers).
    """
    out = contrib.copy()
    for f in features:
        diff = values[f.column] - reference[f.column]
        better = diff > 0 if f.higher_is_better else diff < 0
        worse = diff < 0 if f.higher_is_better else diff > 0
        c = contrib[f.column]
        shown_apart = pd.Series([format_value(f, v) != format_value(f, r)
                                 for v, r in zip(values[f.column], reference[f.column])], index=c.index)
        out[f.column] = c.where((((c > 0) & worse) | ((c < 0) & better)) & shown_apart)
    return out


def page_reasons(values: pd.DataFrame, contrib: pd.DataFrame, reference: pd.DataFrame, features: Sequence[Feature],
                 flagged: pd.Series, n: int = 3) -> pd.Series:
    """The `n` main reasons per page, '; '-joined.

    `values` and `reference`: feature values in their own units, of the page and of its
    winners, indexed like `contrib`. Flagged pages are explained by their strengths
    (features where they beat the winners' median most), other pages by their gaps; when a
    page has fewer than `n` of those, the largest contributions of the other direction fill
    the list.
    """
    by_column = {f.column: f for f in features}
    texts = []
    for idx, row in contrib.iterrows():
        row = row.dropna()
        row = row[row.abs() > 1e-6]
        wanted = -row if bool(flagged.loc[idx]) else row
        main = wanted[wanted > 0].sort_values(ascending=False, kind="stable")
        other = wanted[wanted <= 0].sort_values(kind="stable")
        chosen = pd.concat([main, other]).index[:n]
        texts.append("; ".join(
            phrase(by_column[c], values.at[idx, c], reference.at[idx, c], strength=row[c] < 0) for c in chosen))
    return pd.Series(texts, index=contrib.index, dtype="str")


def best_improvement(model, X: pd.DataFrame, X_reference: pd.DataFrame, values: pd.DataFrame,
                     reference: pd.DataFrame, contrib: pd.DataFrame, features: Sequence[Feature]) -> pd.DataFrame:
    """The one actionable change that would raise each page's probability most.

    Arguments as in `contributions` and `page_reasons`, all indexed like X. Returns per
    page: `improvement_feature`, `probability_after` (the feature at the winners' median,
    everything else unchanged) and `improvement` (the change in words, «медиана ответа: с
    30 ч до 3 ч (как у победителей), вероятность 31% → 52%»). Pages with no actionable gap
    get empty text.
    """
    by_column = {f.column: f for f in features}
    actionable = [f.column for f in features if f.actionable]
    gaps = contrib[actionable].where(contrib[actionable] > 0)
    has_gap = gaps.notna().any(axis=1)
    best = gaps[has_gap].idxmax(axis=1).reindex(X.index)
    before = model.predict_proba(X)[:, 1] if len(X) else np.array([])
    after = np.full(len(X), np.nan)
    texts = [""] * len(X)
    for i, (idx, column) in enumerate(best.items()):
        if not isinstance(column, str):
            continue
        changed = X.loc[[idx]].assign(**{column: X_reference.at[idx, column]})
        after[i] = model.predict_proba(changed)[0, 1]
        f = by_column[column]
        texts[i] = (f"{f.label}: с {format_value(f, values.at[idx, column])} до "
                    f"{format_value(f, reference.at[idx, column])} (как у победителей), "
                    f"вероятность {_num(100 * before[i], 0)}% → {_num(100 * after[i], 0)}%")
    return pd.DataFrame({"improvement_feature": best, "probability_after": after, "improvement": texts},
                        index=X.index)
