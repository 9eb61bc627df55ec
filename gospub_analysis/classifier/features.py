"""What the classifier knows about a page on the as-of date, and who the candidates are.

This module owns the model's inputs: the features (`FEATURES`, indicators of
`metrics.page_year` up to the as-of cut, with the words used to explain them), the cut
itself (`as_of_cut`: the end of a local month, 30 September by default), the candidates
of a year with their labels where the awards are known (`CandidateYear`), and the
sectors and platforms the quality mark is given in (`award_sectors`, `award_platforms`).

- Nothing written at or after the cut and no award information enters a feature.
- The model works per page and learns only from the platforms whose pages were awarded in
  the training year (`award_platforms`: VK in the region so far); candidates of both years
  are pages of those platforms, so an OK page is never judged against VK's winners.
- Candidates are pages of the award sectors that existed from 1 January up to the cut:
  the quality mark goes to pages that ran all year, so a page created mid-year is not a
  candidate; winners that fall outside the candidates are counted
  (`CandidateYear.winners_outside`).
- The model sees each feature as its percentile among the year's candidates of the same
  sector (`peer_percentiles`): the mark is relative, and the whole network improves from
  year to year.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .. import metrics
from ..dataset import Source, require_source
from ..region import AWARD_SECTORS, PLATFORMS, SECTORS, TIMEZONE

DEFAULT_AS_OF_MONTH = 9


@dataclass(frozen=True)
class Feature:
    """One model input: a metrics.page_year column, and how to speak about it."""

    column: str
    label: str  # Russian noun phrase used in reasons: «медиана ответа»
    kind: str  # share, presence, hours, count, rate, number
    unit: str = ""  # «шт.», «мес.»
    higher_is_better: bool = True
    actionable: bool = True  # something the page's admin can change before the year ends


FEATURES: tuple[Feature, ...] = (
    # design
    Feature("avatar", "аватар", "presence"),
    Feature("cover", "обложка", "presence"),
    Feature("description", "описание", "presence"),
    Feature("contacts", "контакты", "presence"),
    Feature("address", "адрес", "presence"),
    Feature("gov_mark", "госметка", "presence"),
    Feature("gospublic_component", "компонент «Госпаблики»", "presence"),
    Feature("widgets_mean", "виджеты обратной связи", "number", "шт."),
    # audience
    Feature("members_end", "подписчики", "count", "чел.", actionable=False),
    Feature("members_growth", "прирост подписчиков", "share"),
    # regularity
    Feature("posts_per_week", "публикаций в неделю", "number"),
    Feature("weeks_3plus_share", "недели с 3+ публикациями", "share"),
    Feature("months_without_posts", "месяцы без публикаций", "number", "мес.", higher_is_better=False),
    # content
    Feature("original_share", "собственные публикации", "share"),
    Feature("reach_rate", "охват публикации к подписчикам", "share"),
    Feature("err", "вовлечённость (ERR)", "share"),
    # live streams
    Feature("months_with_live", "месяцы с прямыми эфирами", "number", "мес."),
    # responsiveness
    Feature("resident_comments", "комментарии жителей", "count", "шт.", actionable=False),
    Feature("answered_share", "доля ответов жителям", "share"),
    Feature("answered_24h_share", "ответы в течение 24 ч", "share"),
    Feature("median_reply_working_hours", "медиана ответа (рабочие часы)", "hours", higher_is_better=False),
)
FEATURE_COLUMNS = [f.column for f in FEATURES]
FEATURE_LABELS = {f.column: f.label for f in FEATURES}
CATEGORICAL = ["sector"]
# the page identity the classifier's tables carry (not ranking.ID_COLUMNS, which adds population)
CANDIDATE_ID_COLUMNS = ["community_id", "name", "platform", "org_name", "sector", "municipality"]
NEUTRAL_PERCENTILE = 0.5


# --- the as-of cut --------------------------------------------------------------------------

def as_of_cut(year: int, month: int = DEFAULT_AS_OF_MONTH, tz: str = TIMEZONE) -> pd.Timestamp:
    """End of `month` of `year` in local time `tz`, as a UTC timestamp (data before it is used)."""
    if not 1 <= month <= 12:
        raise ValueError(f"as_of_month must be 1..12, not {month}")
    first_next = pd.Timestamp(year=year + month // 12, month=month % 12 + 1, day=1, tz=tz)
    return first_next.tz_convert("UTC")


def last_day_used(as_of: pd.Timestamp, tz: str) -> pd.Timestamp:
    """The last local day whose data is used with the cut `as_of` (30 September for the end of September)."""
    return (as_of.tz_convert(tz) - pd.Timedelta(days=1)).normalize()


# --- the candidates of a year ---------------------------------------------------------------

def award_sectors(source: Source, year: int) -> tuple[str, ...]:
    """Sectors of the pages awarded for `year` (the region's award sectors when none are known)."""
    winners = require_source(source).award_list(year)
    if winners is None or winners.empty:
        return AWARD_SECTORS
    pages = source.pages()
    sectors = set(pages.loc[pages["community_id"].isin(winners), "sector"].dropna())
    return tuple(s for s in SECTORS if s in sectors)


def award_platforms(source: Source, year: int) -> tuple[str, ...]:
    """Platforms of the pages awarded for `year` (empty when no award is known)."""
    winners = require_source(source).award_list(year)
    if winners is None or winners.empty:
        return ()
    pages = source.pages()
    platforms = set(pages.loc[pages["community_id"].isin(winners), "platform"].dropna())
    return tuple(p for p in PLATFORMS if p in platforms)


@dataclass
class CandidateYear:
    """One year as the classifier sees it on `as_of` (not `metrics.YearData`, the raw data of a year).

    `indicators`: metrics.page_year up to `as_of` for every page (the methodology baseline
    normalises over all of them); `candidates`: the candidate pages, sorted by id, with
    CANDIDATE_ID_COLUMNS, FEATURE_COLUMNS and `awarded` (bool; all False when awards are
    unknown); `awards_known`: the dataset has awards for the year; `winners_outside`:
    awarded pages that are not candidates.
    """

    year: int
    as_of: pd.Timestamp
    indicators: pd.DataFrame
    candidates: pd.DataFrame
    awards_known: bool
    winners_outside: int = 0
    # features no candidate of the training year has a value of (e.g. the госметка of a VK-only
    # import): the model input holds them as the neutral percentile 0.5, so they carry no weight
    features_without_data: tuple[str, ...] = ()
    _X: pd.DataFrame | None = field(default=None, init=False, repr=False, compare=False)

    def __setattr__(self, name, value):
        if name in ("candidates", "features_without_data"):  # what X is made of: make it again when asked
            object.__setattr__(self, "_X", None)
        object.__setattr__(self, name, value)

    @property
    def values(self) -> pd.DataFrame:
        """Feature values in their own units (for reading and for reasons)."""
        return self.candidates[FEATURE_COLUMNS]

    @property
    def X(self) -> pd.DataFrame:
        """Model input: each feature as a percentile within the sector, plus the sector.

        Made once (a run asks for it some thirty times) and again after `candidates` or
        `features_without_data` is set; each call returns a shallow copy, so (with pandas'
        copy-on-write) changing what it returns never changes the next call's matrix.
        """
        if self._X is None:
            object.__setattr__(self, "_X", self._make_X())
        return self._X.copy(deep=False)

    def _make_X(self) -> pd.DataFrame:
        pct = peer_percentiles(self.candidates)
        if self.features_without_data:
            pct[list(self.features_without_data)] = NEUTRAL_PERCENTILE
        # Always a column-major matrix, whatever block layout metrics.page_year returned: the scaler
        # sums along columns, and the order of those sums changes the fitted coefficients in their
        # last digits, so without this the same data could give (very slightly) different outputs.
        pct = pd.DataFrame(np.asfortranarray(pct.to_numpy(dtype=float)), index=pct.index, columns=pct.columns)
        return pct.assign(sector=self.candidates["sector"])

    @property
    def y(self) -> np.ndarray:
        return self.candidates["awarded"].to_numpy(dtype=bool)

    @property
    def groups(self) -> np.ndarray:
        return self.candidates["municipality"].to_numpy()


def peer_percentiles(candidates: pd.DataFrame) -> pd.DataFrame:
    """Each feature as its percentile among the year's candidates of the same sector (0..1, NaN stays NaN).

    The mark is relative: a fixed number of pages a year, judged against their peers. The
    whole network improves from year to year (replies get faster, streams more common), so
    a model on absolute values trained on one year over-rates every page of the next.
    """
    return candidates.groupby("sector")[FEATURE_COLUMNS].rank(pct=True)


def features_as_of(source: Source, year: int, as_of_month: int = DEFAULT_AS_OF_MONTH,
                   sectors: tuple[str, ...] = AWARD_SECTORS, platforms: tuple[str, ...] | None = None
                   ) -> tuple[pd.Timestamp, pd.DataFrame, pd.DataFrame]:
    """(as_of, indicators of every page, candidate rows with ID and feature columns) for one year.

    Candidates are pages of `sectors` and `platforms` (None: every platform). Reads only data
    before `as_of`; awards are not read.
    """
    source = require_source(source)
    until = as_of_cut(year, as_of_month, source.timezone)
    indicators = metrics.page_year(source, year, until=until)
    eligible = indicators["active_all_year"] & indicators["sector"].isin(list(sectors))
    if platforms is not None:
        eligible &= indicators["platform"].isin(list(platforms))
    candidates = (indicators.loc[eligible, CANDIDATE_ID_COLUMNS + FEATURE_COLUMNS]
                  .sort_values("community_id", ignore_index=True))
    return until, indicators, candidates


def load_year(source: Source, year: int, as_of_month: int = DEFAULT_AS_OF_MONTH,
              sectors: tuple[str, ...] = AWARD_SECTORS, platforms: tuple[str, ...] | None = None) -> CandidateYear:
    """Features of the candidates on `as_of` (pages of `sectors` and `platforms`, None: every
    platform), with the year's awards as labels where known."""
    until, indicators, candidates = features_as_of(source, year, as_of_month, sectors, platforms)
    winners = source.award_list(year)
    known = winners is not None
    awarded = candidates["community_id"].isin(winners if known else [])
    outside = len(set(winners) - set(candidates["community_id"])) if known else 0
    return CandidateYear(year, until, indicators, candidates.assign(awarded=awarded), known, outside)
