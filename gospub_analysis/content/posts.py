"""The posts of a year as the content analyses read them: one row per post, with its page and audience.

`year_posts(source, year, municipality)` returns the posts published in the local
`year` with their page (name, sector, municipality, platform ids for links), the local
time of publication, the page's subscribers at the time (its latest snapshot on or
before the post's local day; null when no snapshot precedes it), and the interactions
(likes + comments + reposts). Text and content type are optional columns of a dataset:
where `text` is absent it is null; where `content_type` is absent it is derived from the
flags by the importers' rule (repost, else live, video, photo, several, text).
`distinct_texts` encodes a text column once for the analyses that work on distinct texts.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from ..dataset import Source, require_source
from ..localtime import year_bounds
from ..replies import py

PAGE_COLUMNS = ["community_id", "name", "sector", "municipality", "platform", "platform_id", "screen_name"]
_NULLABLE_INTEGERS = {t: pd.Int64Dtype() for t in (pa.int8(), pa.int16(), pa.int32(), pa.int64(), pa.uint8(),
                                                    pa.uint16(), pa.uint32())}
_DERIVED_TYPE = """CASE WHEN kind = 'repost' THEN 'repost' WHEN has_photo AND has_video THEN 'several'
    WHEN is_live THEN 'live' WHEN has_video THEN 'video' WHEN has_photo THEN 'photo' ELSE 'text' END"""


def _query(source: Source, where: str = "") -> str:
    text = "text" if source.has_column("posts", "text") else "CAST(NULL AS VARCHAR)"
    ctype = (f"coalesce(content_type, {_DERIVED_TYPE})" if source.has_column("posts", "content_type")
             else _DERIVED_TYPE)
    return f"""
        WITH p AS (
            SELECT community_id, post_id, published_at, timezone($tz, published_at) AS local_time, kind,
                   is_live, views, likes, comments, reposts, likes + comments + reposts AS interactions,
                   {text} AS text, {ctype} AS content_type
            FROM posts WHERE published_at >= $lo AND published_at < $hi {where}),
        s AS (SELECT community_id, CAST(as_of AS TIMESTAMP) AS as_of, members_count FROM snapshots
              WHERE members_count IS NOT NULL AND CAST(as_of AS TIMESTAMP) < CAST($hi AS TIMESTAMP) + INTERVAL 1 DAY)
        SELECT p.*, s.members_count AS subscribers, {", ".join(f"g.{c}" for c in PAGE_COLUMNS[1:])}
        FROM p ASOF LEFT JOIN s ON p.community_id = s.community_id AND p.local_time >= s.as_of
        LEFT JOIN page_frame g ON g.community_id = p.community_id
        ORDER BY p.community_id, p.post_id"""


def _load(source: Source, lo: pd.Timestamp, hi: pd.Timestamp, community_id: str | None = None) -> pd.DataFrame:
    params = {"tz": source.timezone, "lo": py(lo), "hi": py(hi)}
    if community_id is not None:
        params["id"] = community_id
    # fetched as Arrow: the texts become pandas strings without a detour through Python objects (DuckDB's
    # own pandas conversion makes one Python string per text); the columns with nulls are made Int64 from
    # Arrow directly, not through float
    table = source.sql(_query(source, "AND community_id = $id" if community_id is not None else ""), params,
                       frames={"page_frame": source.pages()[PAGE_COLUMNS]}, arrow=True)
    posts = table.drop_columns(["views", "subscribers"]).to_pandas()
    for column in ("views", "subscribers"):
        posts.insert(table.schema.get_field_index(column), column,
                     table.column(column).to_pandas(types_mapper=_NULLABLE_INTEGERS.get))
    return posts.astype({"views": "Int64", "subscribers": "Int64", "interactions": "int64", "text": "str",
                         "content_type": "str"})


def distinct_texts(text: pd.Series) -> tuple[np.ndarray, pa.Array]:
    """Each row's position among the distinct texts (-1 for a missing text) and the distinct texts,
    encoded by Arrow from the column's own storage (no Python string per text)."""
    array = pa.array(text.array) if len(text) else pa.array([], type=pa.string())
    if isinstance(array, pa.ChunkedArray):
        array = array.combine_chunks()
    if not (pa.types.is_string(array.type) or pa.types.is_large_string(array.type)):
        array = array.cast(pa.string())
    encoded = pc.dictionary_encode(array)
    return pc.fill_null(encoded.indices, -1).to_numpy(zero_copy_only=False).astype(np.int64), encoded.dictionary


def year_posts(source: Source, year: int, municipality: str | None = None) -> pd.DataFrame:
    """The year's posts (module docstring); `municipality` keeps one municipality's pages."""
    source = require_source(source)
    posts = source.cached(("content_posts", year), lambda: _load(source, *year_bounds(year, source.timezone)))
    if municipality:
        known = set(source.pages()["municipality"].dropna())
        if municipality not in known:
            raise ValueError(f"municipality {municipality!r} is not in the dataset {source.path}; "
                             f"known: {', '.join(sorted(known))}")
        posts = posts[posts["municipality"] == municipality].reset_index(drop=True)
    return posts


def page_posts(source: Source, community_id: str, start_utc: pd.Timestamp, end_utc: pd.Timestamp) -> pd.DataFrame:
    """One page's posts in [start_utc, end_utc), in the same shape as `year_posts`."""
    return _load(require_source(source), start_utc, end_utc, community_id)


def type_counts(source: Source, community_ids: list[str], start_utc: pd.Timestamp, end_utc: pd.Timestamp
                ) -> pd.DataFrame:
    """Posts per content type of a set of pages in [start_utc, end_utc) (counted in DuckDB)."""
    ctype = (f"coalesce(content_type, {_DERIVED_TYPE})" if source.has_column("posts", "content_type")
             else _DERIVED_TYPE)
    return source.sql(f"""
        SELECT {ctype} AS content_type, count(*) AS posts FROM posts
        WHERE published_at >= $lo AND published_at < $hi AND community_id IN (SELECT community_id FROM ids)
        GROUP BY ALL""", {"lo": py(start_utc), "hi": py(end_utc)},
        frames={"ids": pd.DataFrame({"community_id": pd.Series(community_ids, dtype="str")})})
