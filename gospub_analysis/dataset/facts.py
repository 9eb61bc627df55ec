"""What a dataset's manifest says about it, stated once for every reader of the manifest.

`ManifestFacts` is mixed into `Dataset` (tables in memory) and `Source` (files on disk):
both know the time zone, whether the data are synthetic, the label reports must carry,
the dataset's name, region and covered period, from the same manifest keys.
"""

from __future__ import annotations

import pandas as pd

from ..published import PUBLISHED_PLATFORMS
from ..region import TIMEZONE
from ..wording import IMPORTED_LABEL, SYNTHETIC_LABEL


class ManifestFacts:
    """Facts read from `self.manifest` (a dict parsed from manifest.json)."""

    manifest: dict

    @property
    def timezone(self) -> str:
        """The time zone of the dataset's local calendar (the region's when the manifest is silent)."""
        return self.manifest.get("timezone", TIMEZONE)

    @property
    def is_synthetic(self) -> bool:
        return self.manifest.get("provenance", {}).get("kind") == "synthetic"

    @property
    def data_label(self) -> str:
        """How reports must label the data: 'СИНТЕТИЧЕСКИЕ ДАННЫЕ' or 'импортированные данные'."""
        return SYNTHETIC_LABEL if self.is_synthetic else IMPORTED_LABEL

    @property
    def name(self) -> str | None:
        return self.manifest.get("name")

    @property
    def region(self) -> str | None:
        return self.manifest.get("region")

    @property
    def period(self) -> tuple[pd.Timestamp, pd.Timestamp] | None:
        """(first, last) local date the manifest says the dataset covers; None when it does not say."""
        period = self.manifest.get("period") or {}
        if period.get("start") and period.get("end"):
            return pd.Timestamp(period["start"]), pd.Timestamp(period["end"])
        return None

    @property
    def published_platforms(self) -> tuple[str, ...]:
        """The platforms the published regional figures describe (the forum counted VK pages): the
        manifest's `published_figures.platforms`, else the project's reading of those figures."""
        platforms = (self.manifest.get("published_figures") or {}).get("platforms")
        return tuple(platforms) if platforms else PUBLISHED_PLATFORMS

    @property
    def calibrated_platforms(self) -> tuple[str, ...] | None:
        """For synthetic data: the platforms whose pages carry the calibration to the published figures
        (None when the manifest does not say, e.g. imported data)."""
        platforms = (self.manifest.get("published_figures") or {}).get("calibrated_on")
        return tuple(platforms) if platforms else None
