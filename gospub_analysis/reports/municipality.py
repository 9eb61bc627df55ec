"""The municipality report: one district's pages, ranks, growth and who needs help.

This module owns the numbers of `notebooks/municipality.ipynb`. The region-wide inputs
(the year's ranking of every page and the monthly growth series per municipality) are
computed once per report by `prepare_inputs` and read by each of the 35 notebooks, so a
municipality page costs a kernel start and a few table filters, not a recomputation.
Run alone (no input files given), the notebook computes them itself with the same
functions.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from ..config import METHODOLOGY_DIR
from ..dataset import Dataset, read_manifest

METHODOLOGY_FILE = METHODOLOGY_DIR / "quality_mark.toml"
RANKING_FILE = "ranking.parquet"
GROWTH_FILE = "growth_monthly.parquet"
WEAKEST_SHOWN = 2  # criteria named as the reason a page needs help
NEEDS_HELP_SHOWN = 10


def data_label(data_dir: Path | str) -> str:
    """The dataset's label for readers (`Dataset.data_label`) from its manifest alone."""
    return Dataset(tables={}, manifest=read_manifest(data_dir)).data_label


def is_synthetic(data_dir: Path | str) -> bool:
    return Dataset(tables={}, manifest=read_manifest(data_dir)).is_synthetic


def methodology():
    from ..ranking import load_methodology

    return load_methodology(METHODOLOGY_FILE)


def compute_ranking(data_dir: Path | str, year: int) -> pd.DataFrame:
    """The year's ranking of every page (`ranking.rank_pages` with the project's methodology)."""
    from ..ranking import rank_pages

    return rank_pages(data_dir, year, methodology())


def compute_growth(data_dir: Path | str, year: int) -> pd.DataFrame:
    """Monthly growth series per municipality, from the law's start to December of `year`."""
    from ..growth import Growth

    return Growth(data_dir, year).monthly(by="municipality")


def prepare_inputs(data_dir: Path | str, year: int, out_dir: Path | str) -> dict[str, str]:
    """Write the region-wide inputs of the municipality notebooks; return their paths."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    ranking_file, growth_file = out_dir / RANKING_FILE, out_dir / GROWTH_FILE
    compute_ranking(data_dir, year).to_parquet(ranking_file, index=False)
    compute_growth(data_dir, year).to_parquet(growth_file, index=False)
    return {"ranking_file": str(ranking_file), "growth_file": str(growth_file)}


def load_inputs(
    data_dir: Path | str, year: int, ranking_file: Path | str | None = None, growth_file: Path | str | None = None
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(ranking, monthly growth per municipality), read from files when given, else computed."""
    ranking = pd.read_parquet(ranking_file) if ranking_file else compute_ranking(data_dir, year)
    growth = pd.read_parquet(growth_file) if growth_file else compute_growth(data_dir, year)
    return ranking, growth


def district_ranking(ranking: pd.DataFrame, municipality: str) -> pd.DataFrame:
    """The district's pages, best first, with the region rank and a rank within the district."""
    pages = ranking[ranking["municipality"] == municipality].sort_values(
        ["eligible", "score"], ascending=[False, False], kind="stable", ignore_index=True
    )
    eligible = pages["eligible"].astype(bool)
    district_rank = pd.Series(pd.NA, index=pages.index, dtype="Int64")
    district_rank[eligible] = range(1, int(eligible.sum()) + 1)
    return pages.assign(district_rank=district_rank)


def summary(pages: pd.DataFrame, ranking: pd.DataFrame) -> dict[str, float]:
    """Headline numbers of a district against the region."""
    eligible = pages["eligible"].astype(bool)
    return {
        "pages": len(pages),
        "eligible": int(eligible.sum()),
        "winners": int(pages["winner"].astype(bool).sum()),
        "median_score": float(pages["score"].median()) if len(pages) else float("nan"),
        "region_median_score": float(ranking["score"].median()) if len(ranking) else float("nan"),
        "best_rank": float(pages.loc[eligible, "rank"].min()) if eligible.any() else float("nan"),
        "ranked_in_region": int(ranking["eligible"].astype(bool).sum()),
    }


def needs_help(
    pages: pd.DataFrame, criteria: dict[str, str], reasons: dict[str, str], n: int = NEEDS_HELP_SHOWN
) -> pd.DataFrame:
    """The n lowest-scoring pages and why: their weakest criteria and the gates they fail.

    `criteria`: criterion column -> Russian label; `reasons`: gate code -> Russian label.
    Columns: community_id, name, sector, score, weakest (text), not_admitted (text).
    """
    if pages.empty:
        return pd.DataFrame(columns=["community_id", "name", "sector", "score", "weakest", "not_admitted"])
    worst = pages.nsmallest(n, "score")
    scores = worst[list(criteria)]

    def weakest(row: pd.Series) -> str:
        low = row.astype("float64").nsmallest(WEAKEST_SHOWN)
        return "; ".join(f"{criteria[c]} ({100 * v:.0f} из 100)" for c, v in low.items())

    def not_admitted(codes: str) -> str:
        return "; ".join(reasons.get(c, c) for c in str(codes).split("; ") if c)

    return pd.DataFrame(
        {
            "community_id": worst["community_id"],
            "name": worst["name"],
            "sector": worst["sector"],
            "score": worst["score"],
            "weakest": scores.apply(weakest, axis=1),
            "not_admitted": worst["exclusion_reason"].map(not_admitted),
        }
    ).reset_index(drop=True)


def district_growth(growth: pd.DataFrame, municipality: str) -> pd.DataFrame:
    """The district's monthly series (empty when it has no pages)."""
    return growth[growth["municipality"] == municipality].sort_values("month", ignore_index=True)
