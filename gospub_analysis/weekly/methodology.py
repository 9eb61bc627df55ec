"""The weekly methodology file (`methodology/weekly_monitoring.toml`), read and checked.

`load_weekly_methodology()` returns a `WeeklyMethodology`: the indicators of the score
(measure, weight, normalisation, what a page without the measure gets), the norms, the
colour thresholds and labels, the labels of the rules. Every key is checked on load: an
unknown or missing key, a wrong type or value is refused with the key named, so a typo
in the file cannot silently change the colours.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path

from ..config import METHODOLOGY_DIR
from .measures import MEASURES

DEFAULT_FILE = METHODOLOGY_DIR / "weekly_monitoring.toml"
NORMALISE = ("identity", "capped")
MISSING = ("zero", "full", "exclude")
COLOURS = ("green", "yellow", "red")
TOTAL_WEIGHT = 100
NORMS = {"posts_per_week": int, "reply_working_hours": (int, float), "live_streams_per_year": int, "widgets": int,
         "subscriber_loss_share": float, "subscriber_loss_min": int, "unanswered_lookback_days": int}
RULES = ("no_posts", "few_posts", "late_replies", "no_gov_mark", "no_component", "no_widgets", "missing_design",
         "subscriber_loss", "no_live_year")


@dataclass(frozen=True)
class Indicator:
    name: str
    label: str
    advice: str  # what the page should do to earn this part (the page card's proposal)
    measure: str  # a column of the weekly measures (measures.MEASURES)
    weight: float  # points out of 100
    normalise: str
    missing: str
    cap: float | None = None


@dataclass(frozen=True)
class WeeklyMethodology:
    name: str
    version: str
    title: str
    indicators: tuple[Indicator, ...]
    norms: dict
    green: float
    yellow: float
    colour_labels: dict[str, str]
    rule_labels: dict[str, str]
    snapshot_max_age_days: int
    path: str

    @property
    def label(self) -> str:
        """«weekly_monitoring 1.0.0»: how outputs name the methodology."""
        return f"{self.name} {self.version}"

    @property
    def file_name(self) -> str:
        return Path(self.path).name

    def describe(self) -> str:
        """The methodology for readers: «Еженедельный мониторинг ... (weekly_monitoring.toml, версия 1.0.0)»."""
        return f"{self.title} ({self.file_name}, версия {self.version})"

    def colour(self, score: float) -> str:
        """green, yellow or red for a score (0-100)."""
        return "green" if score >= self.green else "yellow" if score >= self.yellow else "red"


class _Table:
    """A TOML table being checked: every key read once; leftovers are errors naming them."""

    def __init__(self, raw: object, where: str, problems: list[str]):
        self.where, self.problems = where, problems
        if not isinstance(raw, dict):
            problems.append(f"{where}: expected a table, got {type(raw).__name__}")
            raw = {}
        self.raw, self.seen = raw, set()

    def get(self, key: str, kind, default=...):
        self.seen.add(key)
        name = f"{self.where}.{key}" if self.where else key
        if key not in self.raw:
            if default is ...:
                self.problems.append(f"missing key {name!r}")
            return None if default is ... else default
        value = self.raw[key]
        if isinstance(value, bool) or not isinstance(value, kind):
            kinds = kind if isinstance(kind, tuple) else (kind,)
            self.problems.append(f"{name}: expected {' or '.join(k.__name__ for k in kinds)}, got {value!r}")
            return None if default is ... else default
        return value

    def table(self, key: str) -> "_Table":
        value = self.get(key, dict, {})
        return _Table(value, f"{self.where}.{key}" if self.where else key, self.problems)

    def done(self) -> None:
        for key in sorted(set(self.raw) - self.seen):
            self.problems.append(f"unknown key {(self.where + '.' if self.where else '') + key!r}")


def _indicator(name: str, spec: _Table, measures, problems: list[str]) -> Indicator | None:
    where = f"indicators.{name}"
    label, advice, measure = spec.get("label", str), spec.get("advice", str), spec.get("measure", str)
    weight = spec.get("weight", (int, float))
    normalise = spec.get("normalise", str, "identity")
    missing = spec.get("missing", str)
    cap = spec.get("cap", (int, float), None)
    spec.done()
    if measure is not None and measure not in measures:
        problems.append(f"{where}.measure: {measure!r} is not a weekly measure; known: {', '.join(measures)}")
    if normalise not in NORMALISE:
        problems.append(f"{where}.normalise: {normalise!r}, must be one of {', '.join(NORMALISE)}")
    if missing is not None and missing not in MISSING:
        problems.append(f"{where}.missing: {missing!r}, must be one of {', '.join(MISSING)}")
    if normalise == "capped" and not (cap and cap > 0):
        problems.append(f"{where}.cap: normalise 'capped' needs a positive cap")
    if weight is not None and weight < 0:
        problems.append(f"{where}.weight: must not be negative, got {weight}")
    if None in (label, advice, measure, weight, missing):
        return None
    return Indicator(name, label, advice, measure, float(weight), normalise, missing, None if cap is None else float(cap))


def load_weekly_methodology(path: Path | str | None = None) -> WeeklyMethodology:
    """Read and check a weekly methodology file (default: methodology/weekly_monitoring.toml)."""
    path = Path(path) if path is not None else DEFAULT_FILE
    with path.open("rb") as f:
        raw = tomllib.load(f)
    problems: list[str] = []
    top = _Table(raw, "", problems)
    name, version, title = top.get("name", str), top.get("version", str), top.get("title", str)
    data = top.table("data")
    max_age = data.get("snapshot_max_age_days", int)
    data.done()
    norms_table = top.table("norms")
    norms = {key: norms_table.get(key, kind) for key, kind in NORMS.items()}
    norms_table.done()
    indicators_table = top.table("indicators")
    indicators = [_indicator(key, indicators_table.table(key), MEASURES, problems) for key in list(indicators_table.raw)]
    indicators_table.done()
    colours = top.table("colours")
    green, yellow = colours.get("green", (int, float)), colours.get("yellow", (int, float))
    labels_table = colours.table("labels")
    colour_labels = {c: labels_table.get(c, str) for c in COLOURS}
    labels_table.done()
    colours.done()
    rules_table = top.table("rules")
    rule_labels = {code: rules_table.get(code, str) for code in RULES}
    rules_table.done()
    top.done()

    total = sum(i.weight for i in indicators if i is not None)
    if indicators and None not in indicators and abs(total - TOTAL_WEIGHT) > 1e-9:
        problems.append(f"indicators: weights sum to {total:g}, must sum to {TOTAL_WEIGHT}")
    if not indicators:
        problems.append("indicators: at least one indicator is needed")
    if green is not None and yellow is not None and not 0 < yellow < green <= TOTAL_WEIGHT:
        problems.append(f"colours: need 0 < yellow < green <= 100, got yellow={yellow}, green={green}")
    if problems:
        raise ValueError(f"weekly methodology {path}: " + "; ".join(problems))
    return WeeklyMethodology(
        name=name, version=version, title=title, indicators=tuple(indicators), norms=norms,
        green=float(green), yellow=float(yellow), colour_labels=colour_labels, rule_labels=rule_labels,
        snapshot_max_age_days=max_age, path=str(path),
    )
