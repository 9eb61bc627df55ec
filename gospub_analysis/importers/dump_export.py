"""What the platform exporters share (`gospub export vk`, `gospub export ok`): a dataset's pages of
one platform, the days they were observed, filler texts and stable user ids for residents.

Exports let the synthetic region (or any dataset) feed the importers end to end. They
write only what the platform carries: no organisations, госметка, widgets or awards;
residents' pseudonyms become stable positive user ids; texts are filler of the stored
length where the dataset keeps no text.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from ..dataset import load_dataset
from ..localtime import local_date

_FILLER = "Новости учреждения: встречи, занятия, объявления и итоги недели. " * 4


def filler(length: int) -> str:
    if length <= len(_FILLER):
        return _FILLER[:length]
    return (_FILLER * (length // len(_FILLER) + 1))[:length]


def user_id(author_key: str) -> int:
    """A stable positive user id for a resident's pseudonym."""
    return int(hashlib.sha256(author_key.encode("utf-8")).hexdigest()[:12], 16) % 2_000_000_000 + 1


def noon(day: pd.Timestamp) -> str:
    return f"{day.date().isoformat()}T12:00:00+07:00"


@dataclass
class PlatformData:
    """One platform's pages of a dataset and their rows; `last_day` the dataset's last local day."""
    pages: pd.DataFrame  # communities rows, sorted by community_id
    posts: pd.DataFrame
    comments: pd.DataFrame
    snapshots: pd.DataFrame
    skipped_pages: int
    last_day: pd.Timestamp

    @property
    def by_id(self) -> pd.DataFrame:
        return self.pages.set_index("community_id")

    def observation_days(self) -> dict[pd.Timestamp, dict]:
        """day -> {community_id: snapshot row or None}: each page on the days of its snapshots, on the last
        day when it has none, and on its closing day (seen deactivated)."""
        ids = set(self.pages["community_id"])
        days: dict[pd.Timestamp, dict] = {}
        for snap in self.snapshots.itertuples(index=False):
            days.setdefault(pd.Timestamp(snap.as_of), {})[snap.community_id] = snap
        for cid in sorted(ids - set(self.snapshots["community_id"])):
            days.setdefault(self.last_day, {})[cid] = None
        for cid, day in self.closed_days().items():
            days.setdefault(pd.Timestamp(day), {}).setdefault(cid, None)
        return days

    def closed_days(self) -> pd.Series:
        return local_date(self.by_id["closed_at"].dropna())


def platform_data(dataset: Path | str, platform: str) -> PlatformData:
    ds = load_dataset(dataset)
    comms = ds.communities
    pages = comms[comms["platform"] == platform].sort_values("community_id").reset_index(drop=True)
    ids = set(pages["community_id"])
    posts = ds.posts[ds.posts["community_id"].isin(ids)]
    comments = ds.comments[ds.comments["community_id"].isin(ids)]
    snaps = ds.snapshots[ds.snapshots["community_id"].isin(ids)]
    last_day = max([d for d in (snaps["as_of"].max(),
                                local_date(posts["published_at"]).max() if len(posts) else pd.NaT) if not pd.isna(d)],
                   default=pd.Timestamp("2000-01-01"))
    return PlatformData(pages, posts, comments, snaps, int(len(comms) - len(pages)), last_day)


class PageRow:
    """Attribute access to one community row (name clashes with Series.name avoided)."""

    def __init__(self, series: pd.Series):
        self.platform_id = series["platform_id"]
        self.name = series["name"]
        self.screen_name = None if pd.isna(series["screen_name"]) else series["screen_name"]
        self.created_at = series.get("created_at")
