"""Our ranking against the official award list: how far they agree, and where they differ.

This module owns the comparison with the commission's list (`Source.award_list(year)`):
precision, recall, Jaccard and rank agreement of our winners (`agreement`), and every
page on which the two lists differ with the criterion that explains it (`disagreements`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .. import wording
from ..region import QUALITY_MARK
from .methodology import Methodology
from .scoring import ID_COLUMNS


def official_list(awards: pd.DataFrame, year: int, award: str = QUALITY_MARK) -> pd.Index:
    """community_id of the pages awarded `award` for `year`, from an awards table
    (for a dataset, `Source.award_list(year)` says the same and knows when the list is unknown)."""
    chosen = awards[(awards["year"] == year) & (awards["award"] == award)]
    return pd.Index(chosen["community_id"].unique(), name="community_id")


def has_official(awarded: pd.Index | None) -> bool:
    """Whether there is an official list to compare with (known and not empty)."""
    return awarded is not None and len(awarded) > 0


def agreement(scored: pd.DataFrame, awarded: pd.Index) -> dict[str, float]:
    """Precision, recall, Jaccard of our winners against the official list, and rank correlation.

    `spearman`: Spearman correlation between score and being awarded, over every ranked page
    (eligible or not); `auc`: chance that an awarded page outscores a non-awarded one.
    """
    ours = set(scored.loc[scored["winner"], "community_id"])
    theirs = set(awarded)
    both = len(ours & theirs)
    is_awarded = scored["community_id"].isin(theirs)
    ranks = scored["score"].rank()
    n_pos, n_neg = int(is_awarded.sum()), int((~is_awarded).sum())
    auc = ((ranks[is_awarded].sum() - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg)) if n_pos and n_neg else np.nan
    return {
        "n_ours": len(ours), "n_official": len(theirs), "n_both": both,
        "precision": both / len(ours) if ours else np.nan,
        "recall": both / len(theirs) if theirs else np.nan,
        "jaccard": both / len(ours | theirs) if ours | theirs else np.nan,
        "spearman": float(scored["score"].corr(is_awarded.astype(float), method="spearman")),
        "auc": float(auc),
    }


def disagreements(scored: pd.DataFrame, awarded: pd.Index, methodology: Methodology) -> pd.DataFrame:
    """Every page where our winners and the official list differ, with the criterion that explains it.

    `kind`: "only_ours" (we select, the commission did not) or "only_official". The
    explanation is the exclusion reason when an awarded page is not eligible; otherwise the
    criterion with the largest weighted gap to the other side's pages of the same sector
    (for "only_ours": where the page beats the awarded pages most; for "only_official":
    where it trails our winners most), with that gap in score points (`gap_points`).
    """
    crit = [c.name for c in methodology.criteria]
    weights = pd.Series(methodology.weights)
    is_awarded = scored["community_id"].isin(set(awarded))
    only_ours = scored["winner"] & ~is_awarded
    only_official = ~scored["winner"] & is_awarded
    group = methodology.group_by
    ref_official = scored[is_awarded].groupby(group)[crit].mean()
    ref_ours = scored[scored["winner"]].groupby(group)[crit].mean()
    rows = []
    sides = (("only_ours", only_ours, ref_official, 1), ("only_official", only_official, ref_ours, -1))
    for kind, mask, ref, sign in sides:
        part = scored[mask]
        if part.empty:
            continue
        reference = ref.reindex(part[group]).set_axis(part.index)
        gap = (part[crit] - reference) * weights * 100 * sign
        best = gap.fillna(-np.inf).idxmax(axis=1).where(gap.notna().any(axis=1))
        rows.append(part.assign(
            kind=kind,
            criterion=best,
            gap_points=[gap.at[i, b] * sign if isinstance(b, str) else np.nan for i, b in best.items()],
        ))
    if not rows:
        return pd.DataFrame(columns=[*ID_COLUMNS, "kind", "criterion", "explanation"])
    out = pd.concat(rows)
    return _explained(out, methodology)[
        [c for c in ID_COLUMNS if c in out.columns]
        + ["kind", "eligible", "exclusion_reason", "score", "rank", "group_rank", "criterion", "gap_points",
           "explanation"]
    ].sort_values(["kind", "sector", "score"], ascending=[True, True, False], ignore_index=True)


def _explained(out: pd.DataFrame, methodology: Methodology) -> pd.DataFrame:
    """`criterion` ('eligibility' for a page not admitted) and the Russian `explanation`."""
    labels = methodology.criterion_labels()
    reasons = methodology.reason_labels()
    not_eligible = ~out["eligible"]
    out = out.assign(criterion=out["criterion"].where(~not_eligible, "eligibility"))
    out["explanation"] = np.where(
        not_eligible,
        "не допущена: " + out["exclusion_reason"].map(lambda r: wording.reason_text(r, reasons)),
        np.where(out["kind"] == "only_ours", "выше у нас: ", "ниже у нас: ") + out["criterion"].map(labels).fillna(""),
    )
    return out
