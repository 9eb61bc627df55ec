"""Figures published about the real regional network, kept as data with their source.

Reports set the dataset's values beside these figures only when the dataset describes
the same region and year (`published_figures(region, year)` returns an empty table
otherwise). They are calibration targets and context for readers, never results: a
synthetic dataset's values are not facts about the region, and a published figure may
rest on another counting rule (see `note`).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import pandas as pd

from .region import PLATFORMS as PLATFORM_NAMES
from .wording import fmt_int

SOURCE_NSO_2023 = (
    "Опубликованные итоги 2023 года по Новосибирской области "
    "(по заметкам проекта shared/domain.md, раздел «Published figures»)"
)
SOURCE_FEDERAL_DEC_2023 = (
    "Федеральная презентация, декабрь 2023 года "
    "(по заметкам проекта shared/domain.md)"
)
NOTE_FEDERAL_RULE = (
    "другая дата и другое правило подсчёта, чем в региональных итогах года: "
    "с ними напрямую не сравнивается"
)

# The platforms the published regional figures count: the forum's figures describe the VK network.
PUBLISHED_PLATFORMS: tuple[str, ...] = ("vk",)
NOTE_PLATFORMS = "опубликованные цифры описывают сеть страниц ВКонтакте: с ними сравниваются страницы ВКонтакте"

QUALIFIER_RU = {"exact": "", "about": "около", "more than": "более"}


@dataclass(frozen=True)
class PublishedFigure:
    region: str
    year: int
    figure: str  # same names as growth.headline(): pages_active, subscribers, ...
    value: float
    qualifier: str  # "exact", "about" or "more than"
    source: str
    note: str = ""
    variant: str = "regional"  # "regional" (the year's own report) or "federal_dec_2023"


PUBLISHED: tuple[PublishedFigure, ...] = (
    PublishedFigure("NSO", 2023, "pages_active", 3_465, "exact", SOURCE_NSO_2023,
                    "официальные страницы в региональной сети"),
    PublishedFigure("NSO", 2023, "subscribers", 2_500_000, "about", SOURCE_NSO_2023,
                    "подписчики всех страниц вместе"),
    PublishedFigure("NSO", 2023, "posts", 275_000, "more than", SOURCE_NSO_2023,
                    "публикации за год"),
    PublishedFigure("NSO", 2023, "page_comments", 25_000, "more than", SOURCE_NSO_2023,
                    "комментарии, написанные страницами за год"),
    PublishedFigure("NSO", 2023, "winners", 179, "exact", SOURCE_NSO_2023,
                    "страницы, получившие знак качества за 2023 год"),
    PublishedFigure("NSO", 2023, "pages_active", 3_518, "exact", SOURCE_FEDERAL_DEC_2023,
                    NOTE_FEDERAL_RULE, variant="federal_dec_2023"),
    PublishedFigure("NSO", 2023, "subscribers", 1_900_000, "about", SOURCE_FEDERAL_DEC_2023,
                    NOTE_FEDERAL_RULE, variant="federal_dec_2023"),
)


def format_published(value: float, qualifier: str) -> str:
    """'более 275 000', 'около 2 500 000', '3 465' (narrow no-break space between thousands)."""
    prefix = QUALIFIER_RU[qualifier]
    return f"{prefix} {fmt_int(value)}" if prefix else fmt_int(value)


def published_figures(region: str | None, year: int) -> pd.DataFrame:
    """Published figures for one region and year; empty (same columns) when none are kept."""
    rows = [asdict(f) for f in PUBLISHED if f.region == region and f.year == year]
    columns = list(PublishedFigure.__dataclass_fields__)
    table = pd.DataFrame(rows, columns=columns)
    return table.assign(shown=[format_published(v, q) for v, q in zip(table["value"], table["qualifier"])])


def beside_published(headline: pd.DataFrame, region: str | None, year: int) -> pd.DataFrame:
    """The headline (figure, value, ...) with the published figures of the same region and year.

    Adds `published` and `published_source` (the year's regional report) and
    `federal_dec_2023` and `federal_note` (another date and counting rule); figures
    nobody published get empty strings. The published figures describe the VK network
    (`PUBLISHED_PLATFORMS`): `compared` is the headline's value on those platforms (its
    `value_<platform>` columns summed; NA when the dataset has no page there; the `value` of a
    headline without values per platform)
    and `compared_platforms` says which they are. Without published figures for the region
    and year, the headline comes back unchanged: nothing is set beside other data.
    """
    pub = published_figures(region, year)
    if pub.empty:
        return headline
    out = headline.copy()
    columns = [f"value_{p}" for p in PUBLISHED_PLATFORMS if f"value_{p}" in out.columns]
    per_platform = any(c.startswith("value_") for c in out.columns)
    if columns:
        out["compared"] = out[columns].sum(axis=1).astype(object).where(out[columns].notna().all(axis=1))
    else:  # a headline without values per platform, or a dataset without pages on the published platforms
        out["compared"] = pd.Series(pd.NA, index=out.index, dtype=object) if per_platform else out["value"]
    out["compared_platforms"] = ", ".join(PLATFORM_NAMES[p] for p in PUBLISHED_PLATFORMS)
    for variant, value_col, text_col, text in (("regional", "published", "published_source", "source"),
                                               ("federal_dec_2023", "federal_dec_2023", "federal_note", "note")):
        part = pub[pub["variant"] == variant].set_index("figure")
        out[value_col] = out["figure"].map(part["shown"]).fillna("")
        out[text_col] = out["figure"].map(part[text]).fillna("")
    return out


def published_note(table: pd.DataFrame, synthetic: bool) -> str:
    """What readers must know about the published figures beside a headline (`beside_published`):
    which pages they describe, that synthetic values confirm nothing, and where they come from."""
    sources = sorted(set(table["published_source"]) - {""})
    note = ("Значения набора синтетические (генератор откалиброван по опубликованным итогам на страницах "
            "ВКонтакте) и не подтверждают эти цифры. " if synthetic else "")
    federal = table.loc[table["federal_note"] != "", "federal_note"]
    return (f"Опубликованные цифры описывают сеть страниц ВКонтакте: сравнивать их нужно со значениями страниц "
            f"этой сети (столбец «{table['compared_platforms'].iloc[0]}»), а не с суммой по всем платформам. "
            f"{note}Источник опубликованных цифр: "
            f"{'; '.join(sources)}. {SOURCE_FEDERAL_DEC_2023}: {federal.iloc[0] if len(federal) else NOTE_FEDERAL_RULE}.")
