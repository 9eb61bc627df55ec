"""Records set aside only because what they refer to is missing, retried at every import.

A comment whose post is not in the dataset, an award or a snapshot whose page is not,
a monitoring row or an award that names its page only by a screen name no imported page
has yet: each goes to the quarantine with `waits_for` (post, page or page_id) and, in
`raw`, the rows it will become, as JSON:

    {"rows": {"<table>": {<column>: value, ...}, ...}, "screen_name": "...", "cells": {...}}

(`screen_name` only for page_id; `cells`: the input record as read, for the analyst).
Every import, of whatever kind and in whatever order, calls `resolve` after merging: a
record whose post, page or page id the dataset now has joins its table(s) and its
quarantine row is removed, so the quarantine always describes the dataset as it is. A
comment whose post turns out to be a resident's wall post joins `wall_messages`.
"""

from __future__ import annotations

import json
from collections import Counter

import pandas as pd

from ..schema import DATE, TABLES, UTC_TS
from .report import RAW_MAX_CHARS

POST, PAGE, PAGE_ID = "post", "page", "page_id"


def _plain(value: object) -> object:
    if value is None or (not isinstance(value, (list, dict, str)) and pd.isna(value)):
        return None
    if isinstance(value, pd.Timestamp):
        return value.isoformat()
    if hasattr(value, "item"):  # numpy scalars
        return value.item()
    return value


def json_rows(frame: pd.DataFrame) -> list[dict]:
    """Rows of a typed frame as JSON-safe dicts (timestamps in ISO form, nulls as None)."""
    return [{k: _plain(v) for k, v in row.items()} for row in frame.to_dict("records")]


def raw_row(record: dict) -> str:
    return json.dumps(record, ensure_ascii=False, sort_keys=True)


def pending_raw(rows: dict[str, dict], **extra) -> str:
    text = json.dumps({"rows": rows, **extra}, ensure_ascii=False, sort_keys=True)
    if len(text) > RAW_MAX_CHARS:  # never cut a pending record: keep its rows, drop what is only for reading
        text = json.dumps({"rows": rows, **{k: v for k, v in extra.items() if k != "cells"}}, ensure_ascii=False,
                          sort_keys=True)
    return text


def frame_of(table: str, records: list[dict]) -> pd.DataFrame:
    """A typed frame of `table` from JSON rows (see `json_rows`)."""
    from .merge import typed_frame

    frame = pd.DataFrame(records, columns=TABLES[table].column_names)
    columns = {}
    for col in TABLES[table].columns:
        values = frame[col.name]
        if col.dtype == UTC_TS:
            values = pd.to_datetime(values, utc=True, format="ISO8601")
        elif col.dtype == DATE:
            values = pd.to_datetime(values, format="ISO8601")
        elif col.dtype in ("boolean", "Int64", "Int8", "Float64"):
            values = pd.Series(values.tolist(), dtype=object)
        columns[col.name] = values
    return typed_frame(table, columns)


def _keys(frame: pd.DataFrame | None, columns: list[str]) -> set[tuple]:
    if frame is None or not len(frame):
        return set()
    return set(frame[columns].itertuples(index=False, name=None))


def resolve(quarantine: pd.DataFrame, tables: dict[str, pd.DataFrame]
            ) -> tuple[dict[str, pd.DataFrame], pd.Series, Counter]:
    """(rows to add per table, mask of the quarantine rows that stay, resolved count per record type)."""
    stays = pd.Series(True, index=quarantine.index)
    resolved: Counter = Counter()
    if "waits_for" not in quarantine.columns or not quarantine["waits_for"].notna().any():
        return {}, stays, resolved
    posts = _keys(tables.get("posts"), ["community_id", "post_id"])
    walls = tables.get("wall_messages")
    wall_posts = _keys(walls[walls["kind"] == "post"] if walls is not None and len(walls) else None,
                       ["community_id", "message_id"])
    pages = set(tables["communities"]["community_id"])
    comms = tables["communities"]
    named = comms[comms["platform"].isin(["vk", "ok"]) & comms["screen_name"].notna()]
    screens = dict(zip(zip(named["platform"], named["screen_name"].str.lower()), named["community_id"]))
    out: dict[str, list[dict]] = {}
    for index, row in quarantine[quarantine["waits_for"].notna()].iterrows():
        try:
            raw = json.loads(row["raw"])
            rows = raw["rows"]
        except (TypeError, ValueError, KeyError):
            continue
        joined = _joined(row["waits_for"], raw, rows, posts, wall_posts, pages, screens)
        if joined is None:
            continue
        for table, record in joined.items():
            out.setdefault(table, []).append(record)
        stays[index] = False
        resolved[row["record_type"]] += 1
    return {table: frame_of(table, records) for table, records in out.items()}, stays, resolved


def _joined(waits_for: str, raw: dict, rows: dict, posts: set, wall_posts: set, pages: set,
            screens: dict) -> dict[str, dict] | None:
    """The rows a pending record becomes now, or None while what it waits for is still missing."""
    if waits_for == POST:
        comment = rows.get("comments")
        if comment is None and "wall_messages" in rows:  # a comment on a wall post not in the dataset
            message = rows["wall_messages"]
            comment = {**{k: v for k, v in message.items() if k not in ("message_id", "kind")},
                       "comment_id": message["message_id"]}
        if comment is None:
            return None
        key = (comment["community_id"], comment["post_id"])
        if key in posts:
            return {"comments": comment}
        if key in wall_posts:
            return {"wall_messages": {**{k: v for k, v in comment.items() if k != "comment_id"},
                                      "message_id": comment["comment_id"], "kind": "comment",
                                      "deleted": bool(comment.get("deleted"))}}
        return None
    if waits_for == PAGE:
        if all(r.get("community_id") in pages for r in rows.values()):
            return rows
        return None
    if waits_for == PAGE_ID:
        platform = (rows.get("communities") or {}).get("platform") or "vk"
        community = screens.get((platform, str(raw.get("screen_name", "")).lower()))
        if community is None:
            return None
        filled = {table: {**record, "community_id": community} for table, record in rows.items()}
        if "communities" in filled:
            filled["communities"]["platform_id"] = community.split(":", 1)[1]
        return filled
    return None
