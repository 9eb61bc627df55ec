"""Week-scale events of the synthetic region: what the Monday monitoring has to catch.

The yearly traits (`network.draw_traits`) make a page good or bad on average; real pages
also have bad weeks. This module draws those events, each as a window of local dates:
- a page loses its госметка for a few weeks (the verification lapses and is renewed),
- its feedback widgets disappear for a few weeks (a redesign, an admin's mistake),
- it goes silent for weeks (the admin is on leave, the post is vacant),
- it loses a share of its subscribers at once (a purge of deactivated accounts).
Public holidays make their weeks quieter (`holiday_factor`). Rates are per page and year
and chosen so that a week of the default region shows a few dozen such pages: enough for
every action list to have entries, few enough that most pages have normal weeks.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .. import workcalendar

FEATURE_LOSS_RATE = {"gov_mark": 0.12, "widgets": 0.12}  # events per page and year
FEATURE_LOSS_WEEKS = (1, 4)  # shortest and longest loss, weeks
SILENCE_RATE = 0.15
SILENCE_WEEKS = (2, 8)
SUBSCRIBER_DROP_RATE = 0.05
SUBSCRIBER_DROP_SHARE = (0.08, 0.30)
HOLIDAY_WEEKDAY_FACTOR = 0.45  # a public holiday on a weekday is posted on like a Saturday
WORKING_SATURDAY_FACTOR = 1.1  # a Saturday made a working day is posted on like a Friday


def _windows(rng: np.random.Generator, m: int, first: pd.Timestamp, last: pd.Timestamp, rate: float,
             weeks: tuple[int, int]) -> pd.DataFrame:
    """Random event windows: page index, first local date, end (exclusive) date."""
    years = (last - first).days / 365.25
    n = rng.poisson(rate * m * years)
    page = rng.integers(0, m, n)
    start = first + pd.to_timedelta(rng.integers(0, (last - first).days + 1, n), unit="D")
    length = pd.to_timedelta(7 * rng.integers(weeks[0], weeks[1] + 1, n), unit="D")
    return pd.DataFrame({"page": page, "start": start, "end": start + length})


def _mask(windows: pd.DataFrame, m: int, dates: pd.DatetimeIndex) -> np.ndarray:
    """pages × dates: True on the dates inside one of a page's windows."""
    mask = np.zeros((m, len(dates)), dtype=bool)
    d = dates.to_numpy()
    for page, start, end in windows.itertuples(index=False):
        mask[page] |= (d >= start.to_datetime64()) & (d < end.to_datetime64())
    return mask


def feature_losses(rng: np.random.Generator, m: int, dates: pd.DatetimeIndex) -> dict[str, np.ndarray]:
    """For the госметка and the widgets, pages × dates masks of the weeks they are lost."""
    return {feature: _mask(_windows(rng, m, dates[0], dates[-1], rate, FEATURE_LOSS_WEEKS), m, dates)
            for feature, rate in FEATURE_LOSS_RATE.items()}


def silences(rng: np.random.Generator, m: int, days: pd.DatetimeIndex) -> np.ndarray:
    """pages × days: True on the days a page publishes nothing at all."""
    return _mask(_windows(rng, m, days[0], days[-1], SILENCE_RATE, SILENCE_WEEKS), m, days)


def subscriber_drops(rng: np.random.Generator, m: int, dates: pd.DatetimeIndex) -> np.ndarray:
    """pages × dates: the factor left of the subscribers after the drops so far (1 without a drop)."""
    n = rng.poisson(SUBSCRIBER_DROP_RATE * m * (dates[-1] - dates[0]).days / 365.25)
    page = rng.integers(0, m, n)
    at = rng.integers(1, len(dates), n)  # a drop happens between two snapshot dates
    keep = 1 - rng.uniform(*SUBSCRIBER_DROP_SHARE, n)
    factor = np.ones((m, len(dates)))
    for p, i, k in zip(page, at, keep):
        factor[p, i:] *= k
    return factor


def holiday_factor(days: pd.DatetimeIndex, weekday_factor: np.ndarray) -> np.ndarray:
    """Posting factor per day: the weekday's, a weekday public holiday posted on like a Saturday,
    a working Saturday like a Friday (the production calendar, `workcalendar`)."""
    dow = days.day_of_week.to_numpy()
    working = workcalendar.working_days(days[0], days[-1]).to_numpy()
    factor = weekday_factor[dow].astype(float)
    factor = np.where((dow < 5) & ~working, HOLIDAY_WEEKDAY_FACTOR, factor)
    return np.where((dow >= 5) & working, WORKING_SATURDAY_FACTOR, factor)
