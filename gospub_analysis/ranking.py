"""The quality-mark ranking: methodology file, normalisation, scores, eligibility, winners.

This module owns turning page-year indicators (`metrics.page_year`) into a ranking as the
methodology file (`methodology/quality_mark.toml`) prescribes, comparing it with an
official award list, and measuring how stable it is (bootstrap over weeks, perturbed
weights). Nothing about the method is hard-coded here: criteria, indicators, weights,
normalisation, gates, the selection rule and tie-breaking come from the file, and every
output carries the methodology's name and version (`attrs` and columns).
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import pandas as pd

from . import metrics

NEUTRAL = 0.5
MISSING_SCORES = {"worst": 0.0, "neutral": NEUTRAL, "best": 1.0}


# --- the methodology file ------------------------------------------------------------------

@dataclass(frozen=True)
class Indicator:
    column: str
    weight: float
    normalise: str  # identity, capped, percentile
    higher_is_better: bool = True
    cap: float | None = None
    peers: tuple[str, ...] | None = None  # None: the methodology's default peers
    missing: str = "worst"


@dataclass(frozen=True)
class Criterion:
    name: str
    label: str
    weight: float
    indicators: tuple[Indicator, ...]


@dataclass(frozen=True)
class Gate:
    code: str
    label: str
    column: str
    op: str  # in, true, ge
    value: object = None


@dataclass(frozen=True)
class Methodology:
    name: str
    version: str
    title: str
    criteria: tuple[Criterion, ...]
    gates: tuple[Gate, ...]
    peers: tuple[str, ...]
    size_bounds: tuple[float, ...]
    size_labels: tuple[str, ...]
    n_winners: int
    rule: str  # sector_quotas or top_n
    group_by: str
    min_per_group: int
    tie_order: tuple[str, ...]
    path: str | None = None

    @property
    def label(self) -> str:
        return f"{self.name} v{self.version}"

    @property
    def weights(self) -> dict[str, float]:
        """Criterion weights rescaled to sum to 1."""
        total = sum(c.weight for c in self.criteria)
        return {c.name: c.weight / total for c in self.criteria}

    def with_weights(self, weights: dict[str, float]) -> "Methodology":
        """The same methodology with other criterion weights (used to perturb them)."""
        return replace(self, criteria=tuple(replace(c, weight=float(weights[c.name])) for c in self.criteria))

    def criterion_labels(self) -> dict[str, str]:
        return {c.name: c.label for c in self.criteria}

    def reason_labels(self) -> dict[str, str]:
        return {g.code: g.label for g in self.gates}


def load_methodology(path: Path | str) -> Methodology:
    """Read and check a methodology TOML file (see methodology/quality_mark.toml)."""
    path = Path(path)
    with path.open("rb") as f:
        raw = tomllib.load(f)
    criteria = []
    for name, spec in raw["criteria"].items():
        indicators = tuple(
            Indicator(column=col, weight=float(i["weight"]), normalise=i.get("normalise", "percentile"),
                      higher_is_better=bool(i.get("higher_is_better", True)), cap=i.get("cap"),
                      peers=tuple(i["peers"]) if "peers" in i else None, missing=i.get("missing", "worst"))
            for col, i in spec["indicators"].items())
        criteria.append(Criterion(name=name, label=spec.get("label", name), weight=float(spec["weight"]),
                                  indicators=indicators))
    norm = raw.get("normalisation", {})
    size = norm.get("municipality_size", {"bounds": [], "labels": ["все"]})
    selection = raw.get("selection", {})
    method = Methodology(
        name=raw["name"], version=str(raw["version"]), title=raw.get("title", raw["name"]),
        criteria=tuple(criteria),
        gates=tuple(Gate(code=g["code"], label=g.get("label", g["code"]), column=g["column"], op=g["op"],
                         value=g.get("value")) for g in raw.get("gates", [])),
        peers=tuple(norm.get("peers", ["sector"])),
        size_bounds=tuple(float(b) for b in size["bounds"]), size_labels=tuple(size["labels"]),
        n_winners=int(selection.get("n_winners", 0)), rule=selection.get("rule", "top_n"),
        group_by=selection.get("group_by", "sector"), min_per_group=int(selection.get("min_per_group", 0)),
        tie_order=tuple(raw.get("ties", {}).get("order", [])), path=str(path),
    )
    _check(method)
    return method


def _check(m: Methodology) -> None:
    problems = []
    names = {c.name for c in m.criteria}
    for c in m.criteria:
        for i in c.indicators:
            if i.column not in metrics.COLUMNS:
                problems.append(f"criterion {c.name}: indicator {i.column!r} is not a metrics.page_year column")
            if i.normalise not in ("identity", "capped", "percentile"):
                problems.append(f"indicator {i.column}: unknown normalise {i.normalise!r}")
            if i.normalise == "capped" and not i.cap:
                problems.append(f"indicator {i.column}: normalise 'capped' needs a positive cap")
            if i.missing not in MISSING_SCORES:
                problems.append(f"indicator {i.column}: missing must be one of {list(MISSING_SCORES)}")
    problems += [f"ties.order: unknown criterion {t!r}" for t in m.tie_order if t not in names]
    problems += [f"gate {g.code}: unknown op {g.op!r}" for g in m.gates if g.op not in ("in", "true", "ge", "le")]
    if m.rule not in ("sector_quotas", "top_n"):
        problems.append(f"selection.rule must be 'sector_quotas' or 'top_n', not {m.rule!r}")
    if len(m.size_labels) != len(m.size_bounds) + 1:
        problems.append("normalisation.municipality_size: need one label more than bounds")
    if problems:
        raise ValueError(f"methodology {m.path}: " + "; ".join(problems))


# --- scores --------------------------------------------------------------------------------

def municipality_size(population: pd.Series, methodology: Methodology) -> pd.Series:
    """Size class of each page's municipality (labels from the methodology); NA when unknown."""
    pop = pd.Series(population, dtype="Float64")
    codes = np.searchsorted(np.asarray(methodology.size_bounds), pop.fillna(0).to_numpy(dtype=float), side="right")
    labels = pd.Series(np.asarray(methodology.size_labels, dtype=object)[codes], index=pop.index, dtype="str")
    return labels.where(pop.notna())


def _percentile(values: pd.Series, groups: list[pd.Series]) -> pd.Series:
    """Mid-rank percentile (rank - 0.5) / n within groups; equal values share a percentile."""
    v = values.astype("float64")
    by = [g.fillna("—") for g in groups]
    rank = v.groupby(by).rank(method="average")
    n = v.notna().groupby(by).transform("sum")
    return (rank - 0.5) / n


def indicator_scores(indicators: pd.DataFrame, methodology: Methodology) -> pd.DataFrame:
    """Each indicator of the methodology as a 0..1 score (columns named like the indicators)."""
    frame = indicators.assign(municipality_size=municipality_size(indicators["municipality_population"], methodology))
    out = {}
    for criterion in methodology.criteria:
        for ind in criterion.indicators:
            values = frame[ind.column].astype("float64")
            if ind.normalise == "identity":
                s = values.clip(0, 1)
            elif ind.normalise == "capped":
                s = (values / ind.cap).clip(0, 1)
            else:
                peers = ind.peers if ind.peers is not None else methodology.peers
                s = _percentile(values, [frame[p] for p in peers])
            if not ind.higher_is_better:
                s = 1 - s
            out[ind.column] = s.fillna(MISSING_SCORES[ind.missing])
    return pd.DataFrame(out, index=indicators.index)


def criterion_scores(indicators: pd.DataFrame, methodology: Methodology) -> pd.DataFrame:
    """Each criterion as a 0..1 score: the weighted mean of its indicator scores."""
    ind = indicator_scores(indicators, methodology)
    return pd.DataFrame({
        c.name: sum(ind[i.column] * i.weight for i in c.indicators) / sum(i.weight for i in c.indicators)
        for c in methodology.criteria
    }, index=indicators.index)


def eligibility(indicators: pd.DataFrame, methodology: Methodology) -> pd.DataFrame:
    """`eligible` and `exclusion_reason` (gate codes of every failed gate, '; '-joined, '' when eligible)."""
    failed = {}
    for g in methodology.gates:
        col = indicators[g.column]
        if g.op == "in":
            ok = col.isin(list(g.value))
        elif g.op == "true":
            ok = col.astype("boolean").fillna(False).astype(bool)
        elif g.op == "ge":
            ok = col.astype("float64").fillna(-np.inf) >= g.value
        else:
            ok = col.astype("float64").fillna(np.inf) <= g.value
        failed[g.code] = ~ok.to_numpy(dtype=bool)
    codes = np.array(list(failed), dtype=object)
    mask = np.column_stack(list(failed.values())) if failed else np.zeros((len(indicators), 0), dtype=bool)
    reasons = ["; ".join(codes[row]) for row in mask]
    return pd.DataFrame({"eligible": ~mask.any(axis=1), "exclusion_reason": reasons}, index=indicators.index)


ID_COLUMNS = ["community_id", "name", "org_name", "sector", "municipality", "municipality_population", "platform"]


def score(indicators: pd.DataFrame, methodology: Methodology, n_winners: int | None = None) -> pd.DataFrame:
    """Scored ranking: one row per page, best first.

    Columns: page identity, `eligible`, `exclusion_reason`, one 0..1 column per criterion,
    `score` (0..100), `rank` (1.. among eligible pages, NA otherwise; ties broken by the
    methodology's order, then page id), `group_rank` (rank within the selection group),
    `tied` (another eligible page has exactly the same score), `winner`,
    `methodology` ("name vX"). `attrs` carry methodology name, version and n_winners.
    """
    n_winners = methodology.n_winners if n_winners is None else n_winners
    crit = criterion_scores(indicators, methodology)
    weights = methodology.weights
    total = 100 * sum(crit[c] * w for c, w in weights.items())
    ids = [c for c in ID_COLUMNS if c in indicators.columns]
    scored = pd.concat([indicators[ids], eligibility(indicators, methodology), crit], axis=1).assign(
        score=total.round(10))  # rounding makes equal scores compare equal despite float sums
    scored = _order(scored, methodology)
    eligible = scored["eligible"]
    scored["rank"] = pd.Series(pd.NA, index=scored.index, dtype="Int64")
    scored.loc[eligible, "rank"] = np.arange(1, int(eligible.sum()) + 1)
    scored["tied"] = eligible & scored[eligible].duplicated("score", keep=False).reindex(scored.index, fill_value=False)
    scored = select_winners(scored, n_winners, methodology)
    scored["methodology"] = methodology.label
    scored.attrs.update(methodology=methodology.name, methodology_version=methodology.version,
                        n_winners=n_winners, weights=weights)
    return scored


def _order(scored: pd.DataFrame, methodology: Methodology) -> pd.DataFrame:
    keys = ["eligible", "score", *methodology.tie_order, "community_id"]
    ascending = [False, False, *[False] * len(methodology.tie_order), True]
    return scored.sort_values(keys, ascending=ascending, kind="stable", ignore_index=True)


def allocate_seats(sizes: pd.Series, n: int, minimum: int = 0) -> pd.Series:
    """Split n seats between groups in proportion to their sizes (Hamilton, largest remainder).

    Groups then short of `minimum` seats (or of their size, when smaller) get them from the
    group holding the most seats; no group gets more seats than it has members.
    """
    sizes = sizes[sizes > 0].sort_index()
    n = min(int(n), int(sizes.sum()))
    quota = n * sizes / sizes.sum()
    seats = np.floor(quota).astype(int)
    remainder = (quota - seats).sort_values(ascending=False, kind="stable")
    seats[remainder.index[: n - int(seats.sum())]] += 1
    floor = np.minimum(minimum, sizes)
    while (seats < floor).any() and (seats > floor).any():
        short = (floor - seats).idxmax()
        donor = (seats - floor).idxmax()
        seats[short] += 1
        seats[donor] -= 1
    return seats.astype(int)


def select_winners(scored: pd.DataFrame, n_winners: int, methodology: Methodology) -> pd.DataFrame:
    """Mark winners among eligible pages (input ordered by `_order`): adds `group_rank`, `winner`."""
    scored = scored.copy()
    eligible = scored["eligible"]
    group = scored[methodology.group_by]
    scored["group_rank"] = pd.Series(pd.NA, index=scored.index, dtype="Int64")
    scored.loc[eligible, "group_rank"] = scored[eligible].groupby(group[eligible]).cumcount().to_numpy() + 1
    if methodology.rule == "top_n":
        scored["winner"] = eligible & (scored["rank"] <= n_winners).fillna(False).astype(bool)
    else:
        seats = allocate_seats(group[eligible].value_counts(), n_winners, methodology.min_per_group)
        quota = group.map(seats).fillna(0)
        scored["winner"] = (eligible & (scored["group_rank"].astype("Float64") <= quota).fillna(False)).astype(bool)
    scored.attrs["seats"] = (None if methodology.rule == "top_n" else seats.to_dict())
    return scored


def rank_pages(data_dir: Path | str, year: int, methodology: Methodology, n_winners: int | None = None) -> pd.DataFrame:
    """Indicators and scores for one year of a dataset: `score(metrics.page_year(...))`."""
    return score(metrics.page_year(data_dir, year), methodology, n_winners)


# --- comparison with the official list -----------------------------------------------------

def official_list(awards: pd.DataFrame, year: int, award: str = "quality_mark") -> pd.Index:
    """community_id of the pages awarded `award` for `year`."""
    chosen = awards[(awards["year"] == year) & (awards["award"] == award)]
    return pd.Index(chosen["community_id"].unique(), name="community_id")


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
    for kind, mask, ref, sign in (("only_ours", only_ours, ref_official, 1), ("only_official", only_official, ref_ours, -1)):
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
    labels = methodology.criterion_labels()
    reasons = methodology.reason_labels()
    not_eligible = ~out["eligible"]
    out["criterion"] = out["criterion"].where(~not_eligible, "eligibility")
    out["explanation"] = np.where(
        not_eligible,
        "не допущена: " + out["exclusion_reason"].map(lambda r: ", ".join(reasons.get(c, c) for c in r.split("; "))),
        np.where(out["kind"] == "only_ours", "выше у нас: ", "ниже у нас: ") + out["criterion"].map(labels).fillna(""),
    )
    keep = [c for c in ID_COLUMNS if c in out.columns] + [
        "kind", "eligible", "exclusion_reason", "score", "rank", "group_rank", "criterion", "gap_points", "explanation"]
    return out[keep].sort_values(["kind", "sector", "score"], ascending=[True, True, False], ignore_index=True)


# --- stability -----------------------------------------------------------------------------

def week_weights(n_draws: int, random_state: int | np.random.Generator | None, n_weeks: int = metrics.N_WEEKS
                 ) -> pd.DataFrame:
    """Bootstrap weights over weeks: each replicate draws n_weeks weeks with replacement.

    The same weeks are drawn for every page (a bad week for the network is bad for all).
    """
    rng = np.random.default_rng(random_state)
    counts = np.stack([np.bincount(rng.integers(0, n_weeks, n_weeks), minlength=n_weeks) for _ in range(n_draws)])
    return pd.DataFrame({
        "replicate": np.repeat(np.arange(n_draws), n_weeks),
        "week": np.tile(np.arange(n_weeks), n_draws),
        "weight": counts.ravel(),
    })


def perturbed_weights(methodology: Methodology, n_draws: int, spread: float,
                      random_state: int | np.random.Generator | None) -> list[dict[str, float]]:
    """Criterion weights each multiplied by a uniform factor in [1 - spread, 1 + spread]."""
    rng = np.random.default_rng(random_state)
    base = methodology.weights
    return [{c: w * f for (c, w), f in zip(base.items(), rng.uniform(1 - spread, 1 + spread, len(base)))}
            for _ in range(n_draws)]


def week_replicates(data_dir: Path | str, year: int, n_draws: int, random_state: int | None = 0,
                    until=None) -> pd.DataFrame:
    """Indicators of `n_draws` week-bootstrap replicates, to share between several `stability` calls.

    The replicates query is most of the cost of a stability check; computing it once and
    passing it as `stability(..., replicates=...)` makes each further check cheap.
    """
    return metrics.page_year_replicates(data_dir, year, week_weights(n_draws, random_state),
                                        data=metrics.YearData(data_dir, year, until))


def stability(data_dir: Path | str, year: int, methodology: Methodology, n_winners: int | None = None,
              n_draws: int = 200, resample_weeks: bool = True, weight_spread: float | None = 0.2,
              random_state: int | None = 0, until=None, replicates: pd.DataFrame | None = None) -> pd.DataFrame:
    """Rank interval and probability of winning per page under resampled weeks and/or perturbed weights.

    Each of `n_draws` replicates recomputes the indicators from a bootstrap sample of the
    year's weeks (`resample_weeks`) and scores them with criterion weights perturbed by up
    to ±`weight_spread` (None or 0: the file's weights), then selects winners by the
    methodology's rule. Returns per page: `p_top_n` (share of replicates in which it is a
    winner), `rank_low`, `rank_median`, `rank_high` (5th, 50th and 95th percentiles of its
    rank among eligible pages; NA for pages never eligible), `p_eligible`.
    `replicates` (from `week_replicates`) reuses week-bootstrap indicators computed once;
    it implies `resample_weeks` and fixes `n_draws` to its number of replicates.
    Deterministic for a given `random_state`.
    """
    n_winners = methodology.n_winners if n_winners is None else n_winners
    rng = np.random.default_rng(random_state)
    if replicates is not None:
        n_draws, resample_weeks = int(replicates["replicate"].nunique()), True
    elif resample_weeks:
        replicates = metrics.page_year_replicates(data_dir, year, week_weights(n_draws, rng),
                                                  data=metrics.YearData(data_dir, year, until))
    else:
        one = metrics.page_year_replicates(data_dir, year, metrics.unit_weights(),
                                           data=metrics.YearData(data_dir, year, until))
        replicates = pd.concat([one.assign(replicate=r) for r in range(n_draws)], ignore_index=True)
    weight_sets = (perturbed_weights(methodology, n_draws, weight_spread, rng) if weight_spread
                   else [methodology.weights] * n_draws)
    results = []
    for (r, frame), weights in zip(replicates.groupby("replicate", sort=True), weight_sets):
        scored = score(frame.drop(columns="replicate").reset_index(drop=True), methodology.with_weights(weights),
                       n_winners)
        results.append(scored[["community_id", "eligible", "rank", "winner"]].assign(replicate=r))
    runs = pd.concat(results, ignore_index=True)
    rank = runs["rank"].astype("float64")
    g = runs.assign(rank=rank).groupby("community_id")
    out = pd.DataFrame({
        "p_top_n": g["winner"].mean(),
        "p_eligible": g["eligible"].mean(),
        "rank_low": g["rank"].quantile(0.05),
        "rank_median": g["rank"].quantile(0.5),
        "rank_high": g["rank"].quantile(0.95),
    }).reset_index()
    out.attrs.update(n_draws=n_draws, resample_weeks=resample_weeks, weight_spread=weight_spread,
                     random_state=random_state, methodology=methodology.name, methodology_version=methodology.version)
    return out


def stability_summary(stable: pd.DataFrame, sure: float = 0.95, out: float = 0.05) -> dict[str, int]:
    """Pages that win in at least `sure` of replicates, never-quite-out borderline pages, and the rest."""
    p = stable["p_top_n"]
    return {"sure_winners": int((p >= sure).sum()),
            "borderline": int(((p > out) & (p < sure)).sum()),
            "sure_out": int((p <= out).sum())}


# --- report tables and files ---------------------------------------------------------------

def report_table(scored: pd.DataFrame, stable: pd.DataFrame | None = None,
                 awarded: pd.Index | None = None) -> pd.DataFrame:
    """The ranking as written to ranking.csv: scores, stability and the official award, best first."""
    table = scored.copy()
    if stable is not None:
        table = table.merge(stable[["community_id", "p_top_n", "rank_low", "rank_median", "rank_high"]],
                            on="community_id", how="left")
    if awarded is not None:
        table["awarded"] = table["community_id"].isin(set(awarded))
    table["methodology_version"] = scored.attrs.get("methodology_version")
    table["methodology"] = scored.attrs.get("methodology")
    table.attrs = dict(scored.attrs)
    return table


def headers_ru(methodology: Methodology) -> dict[str, str]:
    """Russian column headers of the ranking table (criteria labelled from the methodology)."""
    return {
        "rank": "Место", "group_rank": "Место в сфере", "community_id": "ID страницы", "name": "Страница",
        "org_name": "Организация", "sector_label": "Сфера", "municipality": "Муниципалитет",
        "eligible": "Допущена", "exclusion_reason_ru": "Причина недопуска",
        **{c.name: f"{c.label}, балл 0–1" for c in methodology.criteria},
        "score": "Итоговый балл (0–100)", "tied": "Равный балл с другой страницей", "winner": "Победитель",
        "p_top_n": "Вероятность войти в число победителей", "rank_low": "Место: нижняя граница (5%)",
        "rank_high": "Место: верхняя граница (95%)", "awarded": "Награждена официально",
    }


def write_outputs(table: pd.DataFrame, out_dir: Path | str, methodology: Methodology,
                  about: dict[str, object]) -> tuple[Path, Path]:
    """Write ranking.csv (machine-readable, English column names) and ranking.xlsx (Russian headers:
    a passport sheet, all pages, one sheet per sector; winners highlighted)."""
    from . import excel
    from .region import sector_label

    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    csv_path = out_dir / "ranking.csv"
    table.to_csv(csv_path, index=False, encoding="utf-8")
    reasons = methodology.reason_labels()
    readable = table.assign(
        sector_label=table["sector"].map(sector_label),
        exclusion_reason_ru=table["exclusion_reason"].map(
            lambda r: ", ".join(reasons.get(c, c) for c in r.split("; ")) if r else ""),
        eligible=table["eligible"].map({True: "да", False: "нет"}),
        winner=table["winner"].map({True: "да", False: "нет"}),
        tied=table["tied"].map({True: "да", False: "нет"}),
        **({"awarded": table["awarded"].map({True: "да", False: "нет"})} if "awarded" in table else {}),
    )
    headers = {k: v for k, v in headers_ru(methodology).items() if k in readable.columns}
    formats = {"score": excel.SCORE, "p_top_n": excel.PERCENT, "rank": excel.INTEGER, "group_rank": excel.INTEGER,
               "rank_low": excel.INTEGER, "rank_high": excel.INTEGER,
               **{c.name: excel.DECIMAL for c in methodology.criteria}}
    sheets = [excel.Sheet("Все страницы", readable, headers, formats, table["winner"])]
    for sector in sorted(readable["sector"].dropna().unique(), key=lambda s: sector_label(s)):
        part = readable["sector"] == sector
        sheets.append(excel.Sheet(sector_label(sector), readable[part], headers, formats, table.loc[part, "winner"]))
    xlsx_path = excel.write_workbook(out_dir / "ranking.xlsx", sheets, about)
    return csv_path, xlsx_path
