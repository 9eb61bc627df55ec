"""Coverage by organisation across platforms: who runs a page on VK, on OK, on both, on Telegram.

The law asks every organisation for an official page on VK **and** on Odnoklassniki
(270-ФЗ, platforms named by 2523-р); Telegram is used in addition. This module owns the
organisation-level view of the pages: at a moment `at` (UTC), an organisation *has a
page on a platform* when one of its pages on that platform exists then (`exists_from` at
or before `at`, see `Source.pages`) and is not closed (`closed_at` null or after `at`).

- `organisation_platforms`: one row per organisation of the list, a flag per platform;
- `coverage_summary` / `coverage_by`: the counts and shares of the region or per sector or
  municipality (organisations with VK, OK, both, Telegram, any page, missing the second
  mandatory platform);
- `missing_second_platform`: the curators' list, organisations with a page on one of
  VK and OK but not on the other, with the page they have and a link to it.

The moments analyses use: `year_end(year, tz)` (the end of 31 December, local time) and
`week_end(monday, tz)` (the end of the Sunday of a week).
"""

from __future__ import annotations

import pandas as pd

from .dataset import Source, require_source
from .region import PLATFORMS
from .links import page_url
from .wording import count_ru, fmt_int, fmt_share, platform_label, readable, sector_label

MANDATORY = ("vk", "ok")  # the platforms 2523-р names
FIGURES = ("organizations", "with_vk", "with_ok", "with_both", "with_telegram", "with_any", "missing_second")
LABELS = {
    "organizations": "Организации в перечне",
    "with_vk": "Есть страница ВКонтакте",
    "with_ok": "Есть страница в Одноклассниках",
    "with_both": "Есть страницы в обеих обязательных сетях (ВКонтакте и Одноклассники)",
    "with_telegram": "Есть канал в Telegram",
    "with_any": "Есть хотя бы одна страница",
    "missing_second": "Нет страницы во второй обязательной сети",
}
RULE = ("Организация из перечня считается имеющей страницу в сети, если на {moment} у неё есть страница этой "
        "сети: существующая к этому моменту (дата создания, иначе первое свидетельство о странице) и не закрытая. "
        "Обязательные сети — ВКонтакте и Одноклассники (распоряжение 2523-р); Telegram — дополнительно. "
        "«Нет страницы во второй обязательной сети»: есть страница в одной из двух, но нет в другой.")


def year_end(year: int, tz: str) -> pd.Timestamp:
    """The end of 31 December of `year` in local time `tz`, as UTC."""
    return pd.Timestamp(year=int(year) + 1, month=1, day=1, tz=tz).tz_convert("UTC")


def week_end(monday, tz: str) -> pd.Timestamp:
    """The end of the Sunday of the week starting on `monday` (local date), as UTC."""
    return (pd.Timestamp(monday).tz_localize(None).normalize() + pd.Timedelta(days=7)).tz_localize(tz).tz_convert("UTC")


def open_pages(source: Source, at) -> pd.DataFrame:
    """The pages of known organisations that exist at `at` (UTC) and are not closed."""
    at = pd.Timestamp(at)
    pages = require_source(source).pages()
    alive = (pages["exists_from"] <= at) & (pages["closed_at"].isna() | (pages["closed_at"] > at))
    return pages[alive & pages["org_id"].notna()]


def organisation_platforms(source: Source, at) -> pd.DataFrame:
    """One row per organisation of the list at `at` (UTC): org_id, name, sector, municipality, a
    boolean column per platform (vk, ok, telegram: a page open then), `both` (VK and OK),
    `any`, and `missing` (the mandatory platform it lacks while it has the other: 'vk', 'ok' or
    None). Computed once per source and moment; a copy, which the caller may change."""
    source = require_source(source)
    return source.cached(("organisation_platforms", pd.Timestamp(at)), lambda: _organisation_platforms(source, at)).copy()


def _organisation_platforms(source: Source, at) -> pd.DataFrame:
    orgs = source.organizations()[["org_id", "name", "sector", "municipality"]]
    pages = open_pages(source, at)
    flags = (pages.assign(yes=True).pivot_table(index="org_id", columns="platform", values="yes", aggfunc="any")
             .reindex(columns=list(PLATFORMS)))
    frame = orgs.merge(flags, left_on="org_id", right_index=True, how="left")
    frame = frame.assign(**{p: frame[p].eq(True) for p in PLATFORMS})  # no page there: NaN, so False
    missing = pd.Series(None, index=frame.index, dtype="str")
    missing[frame["vk"] & ~frame["ok"]] = "ok"
    missing[frame["ok"] & ~frame["vk"]] = "vk"
    return frame.assign(both=frame["vk"] & frame["ok"], any=frame[list(PLATFORMS)].any(axis=1), missing=missing)


def _counts(frame: pd.DataFrame) -> dict[str, int]:
    return {"organizations": len(frame), "with_vk": int(frame["vk"].sum()), "with_ok": int(frame["ok"].sum()),
            "with_both": int(frame["both"].sum()), "with_telegram": int(frame["telegram"].sum()),
            "with_any": int(frame["any"].sum()), "missing_second": int(frame["missing"].notna().sum())}


def coverage_summary(source: Source, at) -> pd.DataFrame:
    """The region's coverage at `at`: one row per figure (figure, label, organizations, share of the list)."""
    counts = _counts(organisation_platforms(source, at))
    total = counts["organizations"]
    return pd.DataFrame({"figure": list(FIGURES), "label": [LABELS[f] for f in FIGURES],
                         "organizations": [counts[f] for f in FIGURES],
                         "share": [counts[f] / total if total else float("nan") for f in FIGURES]})


def coverage_by(source: Source, at, by: str = "municipality") -> pd.DataFrame:
    """Coverage per sector or municipality at `at`: the counts of `FIGURES` and the shares of the
    list with both mandatory platforms (`both_share`) and missing the second one (`missing_share`)."""
    if by not in ("sector", "municipality"):
        raise ValueError(f"by must be 'sector' or 'municipality', not {by!r}")
    frame = organisation_platforms(source, at)
    rows = [{by: key, **_counts(part)} for key, part in frame.groupby(by, sort=True)]
    out = pd.DataFrame(rows, columns=[by, *FIGURES])
    return out.assign(both_share=out["with_both"] / out["organizations"],
                      missing_share=out["missing_second"] / out["organizations"])


def missing_second_platform(source: Source, at, municipality: str | None = None) -> pd.DataFrame:
    """Organisations with a page on one mandatory platform (VK or OK) but not on the other, at `at`.

    One row per organisation (of `municipality` when given), sorted by municipality, sector and
    name: org_id, name, sector, municipality, has (the platform it runs), missing (the one it
    lacks), page_name, page_url (its open page on `has`, the first by id when it has several).
    The region's list is computed once per source and moment (a district's is a part of it).
    """
    source = require_source(source)
    out = source.cached(("missing_second_platform", pd.Timestamp(at)), lambda: _missing_second_platform(source, at))
    if municipality is not None:
        return out[out["municipality"] == municipality].reset_index(drop=True)
    return out.copy()


def _missing_second_platform(source: Source, at) -> pd.DataFrame:
    frame = organisation_platforms(source, at)
    frame = frame[frame["missing"].notna()]
    frame = frame.assign(has=frame["missing"].map({"ok": "vk", "vk": "ok"}))
    pages = (open_pages(source, at).sort_values("community_id")
             .drop_duplicates(["org_id", "platform"])[["org_id", "platform", "platform_id", "screen_name", "name"]]
             .rename(columns={"platform": "has", "name": "page_name"}))
    out = frame.merge(pages, on=["org_id", "has"], how="left")
    out["page_url"] = [page_url(p, i, s) for p, i, s in zip(out["has"], out["platform_id"], out["screen_name"])]
    columns = ["org_id", "name", "sector", "municipality", "has", "missing", "page_name", "page_url"]
    return out.sort_values(["municipality", "sector", "name", "org_id"], ignore_index=True)[columns]


# --- for readers ---------------------------------------------------------------------------------

MISSING_HEADERS = {"name": "Организация", "sector": "Сфера", "municipality": "Муниципалитет",
                   "has": "Есть страница", "missing": "Нет страницы", "page_url": "Ссылка на страницу"}


def missing_for_reader(frame: pd.DataFrame, with_municipality: bool = True) -> pd.DataFrame:
    """`missing_second_platform` with Russian headers and platform names."""
    columns = {c: (h, None) for c, h in MISSING_HEADERS.items() if with_municipality or c != "municipality"}
    columns["sector"] = ("Сфера", sector_label)
    columns["has"] = ("Есть страница", platform_label)
    columns["missing"] = ("Нет страницы", platform_label)
    return readable(frame, columns)


def summary_for_reader(summary: pd.DataFrame) -> pd.DataFrame:
    """`coverage_summary` for readers: figure, organisations, share of the list."""
    return readable(summary, {"label": ("Показатель", None), "organizations": ("Организаций", fmt_int),
                              "share": ("Доля перечня", lambda v: fmt_share(v, 1))}, index="Показатель")


def missing_text(frame: pd.DataFrame, area: str) -> str:
    """One sentence for the curators: how many organisations of `area` lack the second mandatory platform."""
    if frame.empty:
        return f"{area}: у всех организаций со страницей есть страницы и ВКонтакте, и в Одноклассниках."
    no_ok = int((frame["missing"] == "ok").sum())
    no_vk = int((frame["missing"] == "vk").sum())
    return (f"{area}: у {count_ru(len(frame), 'организации', 'организаций', 'организаций')} нет страницы во второй "
            f"обязательной сети — "
            f"{fmt_int(no_ok)} без Одноклассников, {fmt_int(no_vk)} без ВКонтакте. Список ниже (ссылка — на страницу, "
            f"которая у организации уже есть).")


def rule_text(moment: str) -> str:
    """The counting rule of the coverage figures, for a moment in words («конец 31 декабря 2023 г.»)."""
    return RULE.format(moment=moment)

