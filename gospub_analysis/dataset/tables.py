"""A dataset held in memory: its tables as pandas DataFrames plus its manifest.

This module owns the `Dataset` object the overview notebook and the importers work with
(tables with the dtypes declared in `schema.TABLES`, selection of a district, a sector
or a page) and `join_pages`, the one join of pages with their organisations.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Iterable

import pandas as pd

from ..region import MUNICIPALITY_BY_NAME
from ..schema import TABLES
from .facts import ManifestFacts

ORGANISATION_COLUMNS = ["org_id", "name", "level", "sector", "municipality"]


def join_pages(communities: pd.DataFrame, organizations: pd.DataFrame) -> pd.DataFrame:
    """Each page (community) with its organisation's name (`org_name`), level, sector and
    municipality, and the municipality's population (`municipality_population`, NA when
    unknown). Pages without an organisation keep NA in those columns.
    """
    orgs = organizations[ORGANISATION_COLUMNS].rename(columns={"name": "org_name"})
    if not orgs["org_id"].is_unique:  # what validate="many_to_one" checked, without its MultiIndex of both sides
        twice = orgs.loc[orgs["org_id"].duplicated(), "org_id"].head(5).tolist()
        raise pd.errors.MergeError(f"organizations: org_id is not unique ({twice}), a page would get several")
    pages = communities.merge(orgs, on="org_id", how="left")
    population = pages["municipality"].map({k: m.population for k, m in MUNICIPALITY_BY_NAME.items()})
    return pages.assign(municipality_population=population.astype("Int64"))


@dataclass
class Dataset(ManifestFacts):
    """Tables of one dataset plus its manifest. Tables are pandas DataFrames."""

    tables: dict[str, pd.DataFrame]
    manifest: dict = field(default_factory=dict)
    path: Path | None = None

    def __getattr__(self, name: str) -> pd.DataFrame:
        tables = self.__dict__.get("tables", {})
        if name in tables:
            return tables[name]
        raise AttributeError(name)

    def summary(self) -> pd.DataFrame:
        """One row per table: Russian-facing name, rows, columns and what the table holds."""
        return pd.DataFrame(
            [(name, len(frame), len(frame.columns), TABLES[name].description) for name, frame in self.tables.items()],
            columns=["Таблица", "Строк", "Столбцов", "Что содержит"],
        )

    def pages(self) -> pd.DataFrame:
        """Communities with their organisation's name, level, sector, municipality and its population."""
        return join_pages(self.communities, self.organizations)

    def select(self, municipality: str | Iterable[str] | None = None, sector: str | Iterable[str] | None = None,
               community_id: str | Iterable[str] | None = None) -> "Dataset":
        """A dataset restricted to some municipalities, sectors or pages (all tables stay consistent)."""
        def as_list(v):
            return None if v is None else ([v] if isinstance(v, str) else list(v))

        orgs = self.organizations
        for column, wanted in (("municipality", as_list(municipality)), ("sector", as_list(sector))):
            if wanted is not None:
                unknown = sorted(set(wanted) - set(orgs[column]))
                if unknown:
                    raise KeyError(f"no organisation has {column} {unknown}; known: {sorted(orgs[column].unique())}")
                orgs = orgs[orgs[column].isin(wanted)]
        comms = self.communities[self.communities["org_id"].isin(orgs["org_id"])
                                 | ((municipality is None and sector is None) & self.communities["org_id"].isna())]
        wanted_ids = as_list(community_id)
        if wanted_ids is not None:
            unknown = sorted(set(wanted_ids) - set(self.communities["community_id"]))
            if unknown:
                raise KeyError(f"no page with community_id {unknown}")
            comms = comms[comms["community_id"].isin(wanted_ids)]
            orgs = orgs[orgs["org_id"].isin(comms["org_id"])]
        ids = comms["community_id"]
        tables = {"organizations": orgs, "communities": comms}
        for name, frame in self.tables.items():
            if name not in tables:
                tables[name] = frame[frame["community_id"].isin(ids)] if "community_id" in frame.columns else frame
        return replace(self, tables={k: v.reset_index(drop=True) for k, v in tables.items()})
