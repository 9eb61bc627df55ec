"""The methodology file: what it may say, how it is read, and the checks on load.

This module owns `methodology/quality_mark.toml` as data: the `Indicator`, `Criterion`,
`Gate` and `Methodology` dataclasses, `load_methodology` and the checks that name every
problem of a file at once. Nothing about the method is hard-coded elsewhere: criteria,
indicators, weights, normalisation, gates, the number of winners, the selection rule and
tie-breaking come from the file, and every output carries its name and version.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, replace
from pathlib import Path

from .. import config, metrics
from ..region import PLATFORMS

NEUTRAL = 0.5
MISSING_SCORES = {"worst": 0.0, "neutral": NEUTRAL, "best": 1.0}
NORMALISATIONS = ("identity", "capped", "percentile")
GATE_OPS = ("in", "true", "ge", "le")
RULES = ("sector_quotas", "top_n")


def default_path() -> Path:
    """The project's methodology file, `methodology/quality_mark.toml`."""
    return config.METHODOLOGY_DIR / "quality_mark.toml"


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
    op: str  # in, true, ge, le
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
    eligible_platforms: tuple[str, ...] = ("vk",)
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

    def winners(self, n_winners: int | None = None) -> int:
        """The number of winners to select: `n_winners`, or the file's when None."""
        return self.n_winners if n_winners is None else int(n_winners)

    def criterion_labels(self) -> dict[str, str]:
        return {c.name: c.label for c in self.criteria}

    def reason_labels(self) -> dict[str, str]:
        return {g.code: g.label for g in self.gates}

    def platforms_text(self) -> str:
        """The ranked platforms in words: «ВКонтакте», «ВКонтакте и Одноклассники»."""
        names = [PLATFORMS[p] for p in self.eligible_platforms]
        return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " и " + names[-1]


def load_methodology(path: Path | str | None = None) -> Methodology:
    """Read and check a methodology TOML file; None: the project's (`default_path()`)."""
    path = Path(path) if path else default_path()
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
        tie_order=tuple(raw.get("ties", {}).get("order", [])),
        eligible_platforms=_platforms(raw, path), path=str(path),
    )
    check_methodology(method)
    return method


def _platforms(raw: dict, path: Path) -> tuple[str, ...]:
    """`eligible_platforms` of the file: a non-empty list of known platforms (ValueError naming the key)."""
    value = raw.get("eligible_platforms")
    if not isinstance(value, list) or not value or not all(isinstance(p, str) for p in value):
        raise ValueError(f"methodology {path}: eligible_platforms must be a non-empty list of platforms "
                         f"({', '.join(PLATFORMS)}) whose pages are ranked, e.g. eligible_platforms = [\"vk\"]; "
                         f"got {value!r}")
    return tuple(value)


def check_methodology(m: Methodology) -> None:
    """Raise ValueError naming every problem of a methodology (unknown columns, ops, rules...)."""
    problems = []
    names = {c.name for c in m.criteria}
    for c in m.criteria:
        for i in c.indicators:
            if i.column not in metrics.COLUMNS:
                problems.append(f"criterion {c.name}: indicator {i.column!r} is not a metrics.page_year column")
            if i.normalise not in NORMALISATIONS:
                problems.append(f"indicator {i.column}: unknown normalise {i.normalise!r}")
            if i.normalise == "capped" and not i.cap:
                problems.append(f"indicator {i.column}: normalise 'capped' needs a positive cap")
            if i.missing not in MISSING_SCORES:
                problems.append(f"indicator {i.column}: missing must be one of {list(MISSING_SCORES)}")
    problems += [f"ties.order: unknown criterion {t!r}" for t in m.tie_order if t not in names]
    problems += [f"gate {g.code}: unknown op {g.op!r}" for g in m.gates if g.op not in GATE_OPS]
    if m.rule not in RULES:
        problems.append(f"selection.rule must be 'sector_quotas' or 'top_n', not {m.rule!r}")
    problems += [f"eligible_platforms: unknown platform {p!r} (known: {', '.join(PLATFORMS)})"
                 for p in m.eligible_platforms if p not in PLATFORMS]
    if len(m.size_labels) != len(m.size_bounds) + 1:
        problems.append("normalisation.municipality_size: need one label more than bounds")
    if problems:
        raise ValueError(f"methodology {m.path}: " + "; ".join(problems))
