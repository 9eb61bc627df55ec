"""What a dataset holds for one year, and what the reports tell readers when something is missing.

An imported dataset may lack what a synthetic one always has: organisations (a VK-only
import knows pages but not their sector or municipality), the award list of a year, any
data at all for the year asked. The notebooks check here first and, instead of failing,
show the reader what is missing and how to get it (`notices`), skip what cannot be
computed and still write their files. The messages are in Russian, for report readers.
"""

from __future__ import annotations

from dataclasses import dataclass

from .dataset import Source, require_source
from .localtime import year_bounds
from .region import QUALITY_MARK, UNKNOWN_MUNICIPALITY

NO_ORGANISATIONS = ("У страниц нет сферы и муниципалитета: импортируйте выгрузку мониторинга "
                    "(gospub import monitoring), чтобы связать страницы с организациями.")
SOME_WITHOUT_ORGANISATION = ("У {n} из {total} страниц нет сферы и муниципалитета (их нет в выгрузке мониторинга): "
                             "в разбивки по сферам и муниципалитетам и в конкурс они не входят. Чтобы их учесть, "
                             "импортируйте выгрузку мониторинга, где они есть (gospub import monitoring).")
NO_YEAR_DATA = ("В наборе нет данных за {year} год: ни публикаций, ни снимков страниц. Импортируйте данные за "
                "этот год (gospub import vk, gospub import monitoring) или выберите другой год.")
NO_AWARDS = ("В наборе нет списка награждённых знаком качества за {year} год: импортируйте его "
             "(gospub import awards ФАЙЛ --year {year}), чтобы сравнить с ним результаты.")
NO_ELIGIBLE = ("Ни одна страница не допущена к конкурсу {year} года, поэтому победителей нет и графики по "
               "допущенным страницам не строятся. Причины недопуска перечислены выше.")
NO_SECTORS_SECTION = ("Разбивки по сферам нет: ни у одной страницы не известна сфера (она приходит из выгрузки "
                      "мониторинга, gospub import monitoring).")
NO_ORGANISATION_LIST = ("Охват организаций не считается: в наборе нет перечня организаций (он приходит из выгрузки "
                        "мониторинга, gospub import monitoring).")
NO_MUNICIPALITY_PAGES = ("Ни у одной страницы набора не известен муниципалитет: импортируйте выгрузку мониторинга "
                         "(gospub import monitoring), чтобы связать страницы с организациями и их муниципалитетами.")


@dataclass(frozen=True)
class Availability:
    """Counts of what the dataset holds (pages overall; posts, snapshots and awards of `year`)."""

    year: int
    pages: int
    pages_with_sector: int
    pages_with_municipality: int
    organizations: int
    posts: int
    snapshots: int
    awards: int

    @property
    def has_sectors(self) -> bool:
        return self.pages_with_sector > 0

    @property
    def has_municipalities(self) -> bool:
        return self.pages_with_municipality > 0

    @property
    def has_year(self) -> bool:
        return self.posts > 0 or self.snapshots > 0

    @property
    def has_awards(self) -> bool:
        return self.awards > 0

    def notices(self, awards: bool = False) -> list[str]:
        """Russian messages for what is missing: the year's data, organisations, (optionally) awards."""
        out = []
        if not self.has_year:
            out.append(NO_YEAR_DATA.format(year=self.year))
        if self.pages and not self.has_sectors:
            out.append(NO_ORGANISATIONS)
        elif self.pages_with_sector < self.pages:
            out.append(SOME_WITHOUT_ORGANISATION.format(n=self.pages - self.pages_with_sector, total=self.pages))
        if awards and not self.has_awards:
            out.append(NO_AWARDS.format(year=self.year))
        return out


def check(source: Source, year: int) -> Availability:
    """What the dataset holds for `year` (see `Availability`); computed once per source and year."""
    source = require_source(source)
    return source.cached(("availability", year), lambda: _check(source, int(year)))


def _check(source: Source, year: int) -> Availability:
    pages = source.pages()
    start, end = year_bounds(year, source.timezone)
    counts = source.sql(
        """
        SELECT (SELECT count(*) FROM posts WHERE published_at >= $start AND published_at < $end) AS posts,
               (SELECT count(*) FROM snapshots WHERE year(as_of) = $year) AS snapshots
        """, {"start": start.to_pydatetime(), "end": end.to_pydatetime(), "year": year}).iloc[0]
    awards = source.awards()
    return Availability(
        year=year,
        pages=len(pages),
        pages_with_sector=int(pages["sector"].notna().sum()),
        pages_with_municipality=int((pages["municipality"].notna()
                                     & (pages["municipality"] != UNKNOWN_MUNICIPALITY)).sum()),
        organizations=len(source.organizations()),
        posts=int(counts["posts"]),
        snapshots=int(counts["snapshots"]),
        awards=int(((awards["year"] == year) & (awards["award"] == QUALITY_MARK)).sum()),
    )


def show(messages: list[str] | str | None) -> None:
    """Display each message in a notebook as a highlighted note (nothing when there is none)."""
    from IPython.display import Markdown, display

    if not messages:
        return
    for text in [messages] if isinstance(messages, str) else messages:
        display(Markdown(f"> **Нет данных.** {text}"))
