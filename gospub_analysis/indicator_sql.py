"""The DuckDB query behind the page indicators: posts and replies summed per page-week-month cell.

This module owns the SQL of `metrics`. `CELL_SUMS` runs over the dataset's `posts` view
(reading only the columns and the year it needs) and the frames `metrics.YearData`
registers: `pages` (`exists_from`, `closed_at` and `pn`, the page's row number: a cell is
keyed by one integer, pn * 1024 + (week + 1) * 16 + month, cheaper to group and join on
than the page id), `cal` (the year's (week, month) cells
with their bounds in UTC) and `replies` (residents' comments with week, month and reply
times). A cell is one page in one (week, month) of the local year in which the page
existed; weeks follow `localtime` (complete ISO weeks, `NO_WEEK` for the days of the
year outside them). Parameters: $start, $end, $until (UTC), $tz, $n_weeks and the local
days of `metrics._local_days` ($first_day, $first_day_us, $offset_us, $monday_day, $months). Its result, one row per cell, is computed once per year and registered as
`cells` for `MONTHS` and `SUMS` (with `replies` and, for the year sums, `weights`:
replicate, week, weight), so that any number of replicates scans the posts once.
"""

from __future__ import annotations

from .localtime import NO_WEEK
from .replies import REPLY_WITHIN_HOURS
from .workcalendar import WORKDAY_HOURS, WORKDAY_START_HOUR

POSTS_PER_WEEK_NORM = 3
SUMMED = ("posts", "original_posts", "live_streams", "posts_with_views", "views", "interactions",
          "resident_comments", "answered", "answered_24h")

CELLS = f"""
    WITH active AS (
        SELECT p.community_id, c.week, c.month, p.pn * 1024 + (c.week + 1) * 16 + c.month AS k
        FROM pages p JOIN cal c
          ON p.exists_from < c.end_utc AND (p.closed_at IS NULL OR p.closed_at > c.start_utc)
         AND ($until IS NULL OR c.start_utc < $until)
    ),
    posts_days AS (
        SELECT pg.pn, kind, is_live, views, likes, comments, reposts,
               CASE WHEN $offset_us IS NULL
                    THEN date_diff('day', $first_day, CAST(timezone($tz, published_at) AS DATE))
                    ELSE (epoch_us(published_at) + $offset_us - $first_day_us) // 86400000000 END AS day_y
        FROM posts JOIN pages pg USING (community_id)
        WHERE published_at >= $start AND published_at < $end
          AND ($until IS NULL OR published_at < $until)
    ),
    posts_local AS (
        SELECT *, day_y - $monday_day AS day_n, list_extract($months, day_y + 1) AS month
        FROM posts_days
    ),
    post_cells AS (
        SELECT pn * 1024 + (CASE WHEN day_n < 0 OR day_n // 7 >= $n_weeks THEN {NO_WEEK} ELSE day_n // 7 END + 1) * 16
                  + month AS k,
               count(*) AS posts,
               count(*) FILTER (WHERE kind = 'original') AS original_posts,
               count(*) FILTER (WHERE is_live) AS live_streams,
               count(views) AS posts_with_views,
               CAST(coalesce(sum(views), 0) AS BIGINT) AS views,
               CAST(coalesce(sum(likes + comments + reposts) FILTER (WHERE views IS NOT NULL), 0) AS BIGINT) AS interactions
        FROM posts_local GROUP BY ALL
    ),
    reply_cells AS (
        SELECT pg.pn * 1024 + (r.week + 1) * 16 + r.month AS k,
               count(*) AS resident_comments,
               count(*) FILTER (WHERE answered) AS answered,
               count(*) FILTER (WHERE answered_within_24h) AS answered_24h
        FROM replies r JOIN pages pg USING (community_id) GROUP BY ALL
    ),
    cells AS (
        SELECT a.community_id, a.week, a.month,
               {", ".join(f"coalesce({'pc' if c not in ('resident_comments', 'answered', 'answered_24h') else 'rc'}.{c}, 0) AS {c}"
                          for c in SUMMED)}
        FROM active a
        LEFT JOIN post_cells pc USING (k)
        LEFT JOIN reply_cells rc USING (k)
    )
"""

# One row per cell: the sums of its posts and residents' comments.
CELL_SUMS = CELLS + "SELECT * FROM cells"

# Unit sums per (page, month), for `metrics.page_month`.
MONTHS = f"""
    WITH med AS (
        SELECT community_id, month, median(reply_working_hours) AS median_reply_working_hours
        FROM replies WHERE answered GROUP BY ALL
    )
    SELECT community_id, month, {", ".join(f"sum({c}) AS {c}" for c in SUMMED)},
           any_value(med.median_reply_working_hours) AS median_reply_working_hours
    FROM cells LEFT JOIN med USING (community_id, month)
    GROUP BY community_id, month ORDER BY community_id, month
"""

# Weighted sums per (replicate, page), for `metrics.page_year_replicates`. The weights of
# NO_WEEK are 1 in every replicate: those days are in the year but in none of its weeks.
SUMS = f"""
    WITH wcells AS (
        SELECT w.replicate, w.weight, c.* FROM cells c JOIN weights w USING (week) WHERE w.weight > 0
    ),
    totals AS (
        SELECT replicate, community_id, {", ".join(f"sum(weight * {c}) AS {c}" for c in SUMMED)}
        FROM wcells GROUP BY ALL
    ),
    weekly AS (
        SELECT replicate, community_id, week, any_value(weight) AS weight, sum(posts) AS posts
        FROM wcells WHERE week <> {NO_WEEK} GROUP BY ALL
    ),
    by_week AS (
        SELECT replicate, community_id, sum(weight) AS weeks_active,
               sum(weight * CAST(posts >= {POSTS_PER_WEEK_NORM} AS INTEGER)) AS weeks_3plus
        FROM weekly GROUP BY ALL
    ),
    monthly AS (
        SELECT replicate, community_id, month, sum(posts) AS posts, sum(live_streams) AS live_streams
        FROM wcells GROUP BY ALL
    ),
    by_month AS (
        SELECT replicate, community_id, count(*) AS months_drawn,
               count(*) FILTER (WHERE posts = 0) AS months_no_posts,
               count(*) FILTER (WHERE live_streams > 0) AS months_live
        FROM monthly GROUP BY ALL
    ),
    months_active AS (
        SELECT community_id, count(DISTINCT month) AS months_active FROM cells GROUP BY ALL
    ),
    med AS (
        SELECT replicate, community_id, median(reply_working_hours) AS median_reply_working_hours,
               median(reply_hours) AS median_reply_hours
        FROM (
            SELECT w.replicate, r.community_id, r.reply_working_hours, r.reply_hours, unnest(range(w.weight))
            FROM replies r JOIN weights w USING (week) WHERE r.answered AND w.weight > 0
        ) GROUP BY ALL
    )
    SELECT t.*, coalesce(bw.weeks_active, 0) AS weeks_active, coalesce(bw.weeks_3plus, 0) AS weeks_3plus,
           bm.months_drawn, bm.months_no_posts, bm.months_live,
           ma.months_active, med.median_reply_working_hours, med.median_reply_hours
    FROM totals t
    LEFT JOIN by_week bw USING (replicate, community_id)
    JOIN by_month bm USING (replicate, community_id)
    JOIN months_active ma USING (community_id)
    LEFT JOIN med USING (replicate, community_id)
    ORDER BY replicate, community_id
"""

# The same sums for the observed year alone (every week once: replicate 0 of
# `metrics.unit_weights`), without the weights join: what `metrics.page_year` runs. With unit
# weights every cell is drawn, so months_drawn is months_active. A week's posts are summed
# over its cells only for the weeks that straddle two months (`split`, from `cal`): in every
# other week a page has one cell, so the costly grouping by (page, week) runs on a fifth of
# the cells.
UNIT_SUMS = f"""
    WITH totals AS (
        SELECT community_id, {", ".join(f"sum({c}) AS {c}" for c in SUMMED)}
        FROM cells GROUP BY ALL
    ),
    split AS (
        SELECT week FROM cal WHERE week <> {NO_WEEK} GROUP BY week HAVING count(*) > 1
    ),
    weekly AS (
        SELECT community_id, week, sum(posts) AS posts
        FROM cells SEMI JOIN split USING (week) GROUP BY ALL
        UNION ALL
        SELECT community_id, week, posts
        FROM cells ANTI JOIN split USING (week) WHERE week <> {NO_WEEK}
    ),
    by_week AS (
        SELECT community_id, count(*) AS weeks_active,
               count(*) FILTER (WHERE posts >= {POSTS_PER_WEEK_NORM}) AS weeks_3plus
        FROM weekly GROUP BY ALL
    ),
    by_month AS (
        SELECT community_id, count(*) AS months_active, count(*) FILTER (WHERE posts = 0) AS months_no_posts,
               count(*) FILTER (WHERE live_streams > 0) AS months_live
        FROM (SELECT community_id, month, sum(posts) AS posts, sum(live_streams) AS live_streams
              FROM cells GROUP BY ALL)
        GROUP BY ALL
    ),
    med AS (
        SELECT community_id, median(reply_working_hours) AS median_reply_working_hours,
               median(reply_hours) AS median_reply_hours
        FROM replies WHERE answered GROUP BY ALL
    )
    SELECT 0 AS replicate, t.*,
           coalesce(bw.weeks_active, 0) AS weeks_active, coalesce(bw.weeks_3plus, 0) AS weeks_3plus,
           bm.months_active AS months_drawn, bm.months_no_posts, bm.months_live,
           bm.months_active, med.median_reply_working_hours, med.median_reply_hours
    FROM totals t
    LEFT JOIN by_week bw USING (community_id)
    JOIN by_month bm USING (community_id)
    LEFT JOIN med USING (community_id)
    ORDER BY community_id
"""

# --- the observed year straight from the posts and comments (`metrics.page_year`) ----------------
# The same numbers as UNIT_SUMS over CELL_SUMS, without building the cells of every page: the
# frame `spans` (community_id, pn, lo, hi, weeks_active, months_active) holds, per page with at
# least one cell, the range [lo, hi] of the cells it existed in (cells numbered in time order:
# they tile the year, so a page's cells are contiguous) and their distinct weeks and months. A
# post or comment counts when its cell (`$cell_of_day` of its local day) lies in its page's
# range, as the LEFT JOIN of `CELLS` keeps it. The posts kept are summed per page (a small
# table), and counted per (page, week) only for the weeks with 3 posts or more: one grouping by
# the large (page, week) key with a single count is cheaper than every sum grouped by it. The reply
# figures come from `replies.resident_comments_sql` (the clause this text is appended to) with
# the working hours of `workcalendar.day_table` (frame `workdays`: day, working, before) joined
# on the local days of the comment and its reply, the arithmetic of
# `workcalendar.working_hours_between` with its origin (the earliest answered comment's day), so
# the medians are the same to the last bit. Parameters: those of `CELLS`' posts ($start, $end,
# $until, $tz, $first_day, $first_day_us, $offset_us), the lists $cell_of_day, $cell_week,
# $cell_month, $cell_split (1-based by day_y and cell), $first_epoch_day (1 January as days since
# 1970) and $comment_offset_us (the fixed offset over the comments' days, or NULL).
CELL_KEY = 128  # more than the cells of a year (about 66)


def _local_us(column: str) -> str:
    return (f"CASE WHEN $comment_offset_us IS NULL THEN epoch_us(timezone($tz, {column})) "
            f"ELSE epoch_us({column}) + $comment_offset_us END")


def _elapsed(alias: str, local: str) -> str:
    hour = f"CAST({local} - {alias}.day * 86400000000 AS DOUBLE) / 3600000000.0"
    return (f"(({alias}.before - o.before) + least(greatest({hour} - {float(WORKDAY_START_HOUR)}, 0.0), "
            f"{float(WORKDAY_HOURS)}) * {alias}.working)")


YEAR_SUMS = f"""
    , posts_days AS (
        SELECT community_id, kind, is_live, views, likes, comments, reposts,
               1 + CASE WHEN $offset_us IS NULL
                        THEN date_diff('day', $first_day, CAST(timezone($tz, published_at) AS DATE))
                        ELSE (epoch_us(published_at) + $offset_us - $first_day_us) // 86400000000 END AS d
        FROM posts
        WHERE published_at >= $start AND published_at < $end
          AND ($until IS NULL OR published_at < $until)
    ),
    post_in AS (
        SELECT s.pn, list_extract($week_of_day, p.d) AS g, list_extract($months, p.d) AS m,
               kind, is_live, views, likes, comments, reposts
        FROM posts_days p JOIN spans s USING (community_id)
        WHERE list_extract($cell_of_day, p.d) BETWEEN s.lo AND s.hi
    ),
    post_sums AS (
        SELECT pn, count(*) AS posts,
               count(*) FILTER (WHERE kind = 'original') AS original_posts,
               count(*) FILTER (WHERE is_live) AS live_streams,
               count(views) AS posts_with_views,
               CAST(coalesce(sum(views), 0) AS BIGINT) AS views,
               CAST(coalesce(sum(likes + comments + reposts) FILTER (WHERE views IS NOT NULL), 0) AS BIGINT) AS interactions,
               bit_count(bit_or(1 << m)) AS months_with_posts,
               bit_count(bit_or(CASE WHEN is_live THEN 1 << m ELSE 0 END)) AS months_live
        FROM post_in GROUP BY ALL
    ),
    weeks_3plus AS (
        SELECT k // {CELL_KEY} AS pn, count(*) AS weeks_3plus
        FROM (SELECT pn * {CELL_KEY} + g AS k, count(*) AS posts FROM post_in GROUP BY ALL)
        WHERE k % {CELL_KEY} < $n_weeks AND posts >= {POSTS_PER_WEEK_NORM}
        GROUP BY ALL
    ),
    post_pages AS (
        SELECT ps.*, coalesce(w.weeks_3plus, 0) AS weeks_3plus FROM post_sums ps LEFT JOIN weeks_3plus w USING (pn)
    ),
    comments_local AS (
        SELECT community_id, replied_at IS NOT NULL AS answered,
               CAST(epoch_us(replied_at) - epoch_us(created_at) AS DOUBLE) / 3600000000.0 AS reply_hours,
               {_local_us("created_at")} AS start_us, {_local_us("replied_at")} AS end_us
        FROM residents
    ),
    comment_days AS (
        SELECT *, start_us // 86400000000 AS start_day, end_us // 86400000000 AS end_day FROM comments_local
    ),
    origin AS (
        SELECT w.before FROM workdays w WHERE w.day = (SELECT min(start_day) FROM comment_days WHERE answered)
    ),
    reply_times AS (
        SELECT r.community_id, r.answered, r.reply_hours,
               list_extract($cell_of_day, r.start_day - $first_epoch_day + 1) AS c,
               CASE WHEN r.answered THEN {_elapsed("e", "r.end_us")} - {_elapsed("b", "r.start_us")} END
                   AS reply_working_hours
        FROM comment_days r
        JOIN workdays b ON b.day = r.start_day
        LEFT JOIN workdays e ON e.day = r.end_day
        LEFT JOIN origin o ON true
    ),
    reply_pages AS (
        SELECT s.pn,
               count(*) FILTER (WHERE r.c BETWEEN s.lo AND s.hi) AS resident_comments,
               count(*) FILTER (WHERE r.c BETWEEN s.lo AND s.hi AND r.answered) AS answered,
               count(*) FILTER (WHERE r.c BETWEEN s.lo AND s.hi AND r.answered
                                AND r.reply_hours <= {REPLY_WITHIN_HOURS}) AS answered_24h,
               median(r.reply_working_hours) FILTER (WHERE r.answered) AS median_reply_working_hours,
               median(r.reply_hours) FILTER (WHERE r.answered) AS median_reply_hours
        FROM reply_times r JOIN spans s USING (community_id)
        GROUP BY ALL
    )
    SELECT 0 AS replicate, s.community_id,
           {", ".join(f"coalesce(pp.{c}, 0) AS {c}" for c in SUMMED[:6])},
           {", ".join(f"coalesce(rp.{c}, 0) AS {c}" for c in SUMMED[6:])},
           s.weeks_active, coalesce(pp.weeks_3plus, 0) AS weeks_3plus,
           s.months_active AS months_drawn, s.months_active - coalesce(pp.months_with_posts, 0) AS months_no_posts,
           coalesce(pp.months_live, 0) AS months_live, s.months_active,
           rp.median_reply_working_hours, rp.median_reply_hours
    FROM spans s
    LEFT JOIN post_pages pp USING (pn)
    LEFT JOIN reply_pages rp USING (pn)
    ORDER BY s.community_id
"""
