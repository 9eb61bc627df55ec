"""Cross-posting between the two mandatory platforms: how many of an organisation's OK posts
repeat its VK posts.

The figure: the share of an organisation's OK posts published within an hour (`WINDOW`,
either side) of a VK post of the same organisation (any of its VK pages). It counts the
OK posts published in [start, end) of organisations that have at least one VK page in the
dataset (an organisation without one cannot cross-post); the region's share pools their
posts. Posts of pages without a known organisation are left out. DuckDB finds, for each OK
post, the organisation's nearest VK post before and after it (two ASOF joins), so a year of
the region reads only the posts' ids and times.
"""

from __future__ import annotations

import pandas as pd

from .dataset import Source, require_source
from .localtime import year_bounds
from .replies import py, utc
from .wording import fmt_int, fmt_share

WINDOW = pd.Timedelta(hours=1)
RULE = ("Доля публикаций организации в Одноклассниках, вышедших не раньше чем за час и не позже чем через час "
        "после публикации ВКонтакте той же организации (на любой её странице ВКонтакте). Считаются публикации "
        "в Одноклассниках за {period} организаций, у которых есть страница ВКонтакте; доля по области — по всем "
        "их публикациям вместе.")

QUERY = """
    WITH vk AS (
        SELECT p.org_id, posts.published_at
        FROM posts JOIN pages p USING (community_id)
        WHERE p.platform = 'vk'
    ),
    ok AS (
        SELECT p.org_id, posts.community_id, posts.post_id, posts.published_at
        FROM posts JOIN pages p USING (community_id)
        WHERE p.platform = 'ok' AND p.org_id IN (SELECT org_id FROM vk)
          AND posts.published_at >= $start AND posts.published_at < $end
    ),
    before AS (
        SELECT ok.*, vk.published_at AS vk_before
        FROM ok ASOF LEFT JOIN vk ON ok.org_id = vk.org_id AND ok.published_at >= vk.published_at
    ),
    around AS (
        SELECT b.*, vk.published_at AS vk_after
        FROM before b ASOF LEFT JOIN vk ON b.org_id = vk.org_id AND b.published_at <= vk.published_at
    )
    SELECT org_id, count(*) AS ok_posts,
           count(*) FILTER (WHERE published_at - vk_before <= $window OR vk_after - published_at <= $window)
               AS within_hour
    FROM around GROUP BY org_id ORDER BY org_id
"""


def by_organisation(source: Source, start, end) -> pd.DataFrame:
    """Per organisation with a VK page and OK posts in [start, end) (UTC): org_id, name, sector,
    municipality, ok_posts, within_hour (OK posts within an hour of one of its VK posts), share."""
    source = require_source(source)
    pages = source.pages()[["community_id", "platform", "org_id"]].dropna(subset=["org_id"])
    counts = source.sql(QUERY, {"start": py(utc(start)), "end": py(utc(end)), "window": WINDOW.to_pytimedelta()},
                        {"pages": pages})
    counts = counts.astype({"ok_posts": "int64", "within_hour": "int64"})
    orgs = source.organizations()[["org_id", "name", "sector", "municipality"]]
    out = orgs.merge(counts, on="org_id", how="inner")
    return out.assign(share=out["within_hour"] / out["ok_posts"])


def summary(per_org: pd.DataFrame) -> dict[str, float]:
    """The region's figure from `by_organisation`: organisations, OK posts, within an hour, share (pooled)."""
    posts = int(per_org["ok_posts"].sum())
    within = int(per_org["within_hour"].sum())
    return {"organizations": len(per_org), "ok_posts": posts, "within_hour": within,
            "share": within / posts if posts else float("nan")}


def year_summary(source: Source, year: int) -> dict[str, float]:
    """`summary` of the OK posts of a local calendar year."""
    return summary(by_organisation(source, *year_bounds(year, require_source(source).timezone)))


def summary_text(figures: dict[str, float], year: int) -> str:
    """The figure in one sentence for readers."""
    if not figures["ok_posts"]:
        return (f"В {year} году у организаций со страницей ВКонтакте нет публикаций в Одноклассниках: "
                "доля повторённых публикаций не считается.")
    return (f"В {year} году {fmt_share(figures['share'])} публикаций в Одноклассниках "
            f"({fmt_int(figures['within_hour'])} из {fmt_int(figures['ok_posts'])}) вышли в пределах часа от "
            f"публикации ВКонтакте той же организации; организаций со страницей ВКонтакте и публикациями в "
            f"Одноклассниках: "
            f"{fmt_int(figures['organizations'])}.")


def rule_text(year: int) -> str:
    return RULE.format(period=f"{year} г.")
