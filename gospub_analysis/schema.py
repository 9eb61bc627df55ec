"""The canonical dataset's schema: tables, columns, dtypes, keys and relations.

One declaration (`TABLES`) is the single source of truth: `dataset.load_dataset`
casts and validates against it, the pandera schemas are built from it, and
`data/README.md` documents the same columns (a test keeps the two in step).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import pandas as pd

from .region import MUNICIPALITY_NAMES, PLATFORMS, SECTORS, UNKNOWN_MUNICIPALITY, LEVELS

if TYPE_CHECKING:
    import pandera.pandas as pa

SCHEMA_VERSION = "1.2"  # 1.1: wall_messages, marked_as_ads, first_seen_at, waits_for; created_at nullable
# 1.2: posts.text and posts.content_type (optional)

UTC_TS = "datetime64[us, UTC]"
DATE = "datetime64[us]"


@dataclass(frozen=True)
class Col:
    name: str
    dtype: str
    description: str
    nullable: bool = False
    required: bool = True  # optional columns are added as all-null when a source lacks them
    isin: tuple[str, ...] | None = None
    min_value: float | None = None


@dataclass(frozen=True)
class Table:
    name: str
    description: str
    columns: tuple[Col, ...]
    key: tuple[str, ...]
    # (column(s) here, table, column(s) there): every non-null value must exist there
    references: tuple[tuple[tuple[str, ...], str, tuple[str, ...]], ...] = field(default=())
    required: bool = True

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]

    def col(self, name: str) -> Col:
        return next(c for c in self.columns if c.name == name)


_MUNICIPALITIES = (*MUNICIPALITY_NAMES, UNKNOWN_MUNICIPALITY)
AUTHOR_KINDS = ("resident", "page", "community")
# What a post carries, one code per post: the only kind of attachment it has, "text" when it has none,
# "repost" for a share of another page's post, "several" when it mixes kinds.
CONTENT_TYPES = ("text", "photo", "video", "clip", "live", "link", "poll", "repost", "several")
WAITS_FOR = ("post", "page", "page_id")

TABLES: dict[str, Table] = {
    t.name: t
    for t in (
        Table(
            "organizations",
            "Every institution under oversight, with or without an official page.",
            (
                Col("org_id", "str", "Stable identifier of the organisation (ОГРН-based where known)."),
                Col("name", "str", "Full name as in the monitoring list."),
                Col("level", "str", "regional or municipal (founder's level).", isin=tuple(LEVELS)),
                Col("founder", "str", "Founder (учредитель), e.g. «Администрация Болотнинского района».", nullable=True),
                Col("sector", "str", "Project sector code.", isin=tuple(SECTORS)),
                Col("municipality", "str", f"One of the 35 municipalities, or «{UNKNOWN_MUNICIPALITY}».", isin=_MUNICIPALITIES),
                Col("ogrn", "str", "ОГРН, 13 digits.", nullable=True),
                Col("no_page_reason", "str", "Legal reason why no page is run; null when the organisation has a page.", nullable=True),
            ),
            key=("org_id",),
        ),
        Table(
            "communities",
            "One row per official page on one platform.",
            (
                Col("community_id", "str", "Stable id '<platform>:<platform_id>', e.g. 'vk:123456'."),
                Col("platform", "str", "vk, ok or telegram.", isin=tuple(PLATFORMS)),
                Col("platform_id", "str", "The platform's own id of the page (VK group id without minus)."),
                Col("screen_name", "str", "Short address (vk.com/<screen_name>).", nullable=True),
                Col("name", "str", "Page title."),
                Col("org_id", "str", "Owning organisation; null when an import could not match one.", nullable=True),
                Col("created_at", UTC_TS, "When the page was created (UTC); null when no source says (VK and the "
                    "monitoring export never do; a Telegram export does through its «create_channel» message, OK through group.getInfo's created_ms).",
                    nullable=True),
                Col("closed_at", UTC_TS, "When the page was closed or deactivated; null while it runs. VK does not "
                    "date a closure: this is the first response that showed the page deactivated (it closed then or "
                    "before).", nullable=True),
                Col("first_seen_at", UTC_TS, "Earliest evidence that the page existed (its first post or wall message, "
                    "or the first response that showed it); not its creation date. Null when no import saw it.",
                    nullable=True, required=False),
            ),
            key=("community_id",),
            references=((("org_id",), "organizations", ("org_id",)),),
        ),
        Table(
            "snapshots",
            "Page state over time: monthly at least, weekly where a source has it.",
            (
                Col("community_id", "str", "Page."),
                Col("as_of", DATE, "Date of the observation, in the region's local calendar."),
                Col("members_count", "Int64", "Subscribers.", nullable=True, min_value=0),
                Col("gov_mark", "boolean", "Verified state organisation (госметка).", nullable=True),
                Col("gospublic_component", "boolean", "Connected to the «Госпаблики» component.", nullable=True),
                Col("has_avatar", "boolean", "Has an avatar.", nullable=True),
                Col("has_cover", "boolean", "Has a cover image.", nullable=True),
                Col("has_description", "boolean", "Has a description.", nullable=True),
                Col("has_contacts", "boolean", "Lists contacts (phone, e-mail or a contact person).", nullable=True),
                Col("has_address", "boolean", "Shows the institution's address.", nullable=True),
                Col("widgets", "Int8", "Feedback widgets (ПОС) installed: 0, 1 or 2.", nullable=True, min_value=0),
                Col("design_pct", "Float64", "Monitoring export: design score, percent.", nullable=True, required=False),
                Col("activity_pct", "Float64", "Monitoring export: activity score, percent.", nullable=True, required=False),
                Col("weekly_reach", "Int64", "Monitoring export: total audience reach over the week.", nullable=True, required=False),
                Col("avg_post_reach", "Int64", "Monitoring export: average reach of one post.", nullable=True, required=False),
                Col("source", "str", "Where the observation comes from: synthetic, vk_api, ok_api, monitoring.", nullable=True, required=False),
            ),
            key=("community_id", "as_of"),
            references=((("community_id",), "communities", ("community_id",)),),
        ),
        Table(
            "posts",
            "The pages' own wall posts (written by the page). Posts by residents or other communities on a "
            "page's wall are in `wall_messages`.",
            (
                Col("community_id", "str", "Page."),
                Col("post_id", "int64", "The platform's post id, unique within the page."),
                Col("published_at", UTC_TS, "Publication time (UTC)."),
                Col("kind", "str", "original or repost.", isin=("original", "repost")),
                Col("text_length", "int64", "Characters of text.", min_value=0),
                Col("has_photo", "bool", "Has a photo attachment."),
                Col("has_video", "bool", "Has a video attachment."),
                Col("is_live", "bool", "Is (or carries) a live stream."),
                Col("views", "Int64", "Views; null when unknown (not zero).", nullable=True, min_value=0),
                Col("likes", "int64", "Likes.", min_value=0),
                Col("reposts", "int64", "Reposts.", min_value=0),
                Col("comments", "int64", "Comments count as reported by the platform.", min_value=0),
                Col("marked_as_ads", "boolean", "Marked by the platform as an advertisement (VK `marked_as_ads`); "
                    "null when the source does not say.", nullable=True, required=False),
                Col("text", "str", "The post's own text as the page published it (official pages' public posts "
                    "only, never residents' texts); null when the source has no text.", nullable=True, required=False),
                Col("content_type", "str", "What the post carries: " + ", ".join(CONTENT_TYPES) + " (the one kind "
                    "of attachment, text when none, several when mixed); null when unknown.",
                    nullable=True, required=False, isin=CONTENT_TYPES),
            ),
            key=("community_id", "post_id"),
            references=((("community_id",), "communities", ("community_id",)),),
        ),
        Table(
            "comments",
            "Comments under the pages' own posts, threads flattened.",
            (
                Col("community_id", "str", "Page."),
                Col("post_id", "int64", "Post the comment belongs to."),
                Col("comment_id", "int64", "The platform's comment id, unique within the page."),
                Col("created_at", UTC_TS, "Time written (UTC)."),
                Col("author_kind", "str", "Who wrote it: a resident, the page itself, or another community "
                    "(neither a resident waiting for an answer nor the page's reply).", isin=AUTHOR_KINDS),
                Col("author_key", "str", "Pseudonymised resident (keyed hash); null for the page and for other "
                    "communities.", nullable=True),
                Col("reply_to_comment_id", "Int64", "Comment this one answers; null for a top-level comment.", nullable=True),
                Col("deleted", "bool", "Deleted by its author or the page (kept, text not stored).", required=False),
            ),
            key=("community_id", "comment_id"),
            references=(
                (("community_id",), "communities", ("community_id",)),
                (("community_id", "post_id"), "posts", ("community_id", "post_id")),
            ),
        ),
        Table(
            "wall_messages",
            "Messages on a page's wall that are not the page's own posts: posts by residents or other communities "
            "(kind post) and every comment under them (kind comment, threads flattened). A resident's wall post is "
            "a resident's message the page may answer, like a comment; activity figures never count it.",
            (
                Col("community_id", "str", "Page whose wall it is."),
                Col("post_id", "int64", "The wall post the message belongs to (for the wall post itself, its own id)."),
                Col("message_id", "int64", "The platform's id: the post id for kind post, the comment id for kind "
                    "comment."),
                Col("kind", "str", "post (the wall post) or comment (a comment under it).", isin=("post", "comment")),
                Col("created_at", UTC_TS, "Time written (UTC)."),
                Col("author_kind", "str", "Who wrote it (as in `comments`).", isin=AUTHOR_KINDS),
                Col("author_key", "str", "Pseudonymised resident (keyed hash); null for the page and for other "
                    "communities.", nullable=True),
                Col("reply_to_comment_id", "Int64", "Comment this one answers; null for the wall post and for a "
                    "top-level comment, which answers the wall post.", nullable=True),
                Col("deleted", "bool", "Deleted by its author or the page (kept, text not stored)."),
            ),
            key=("community_id", "kind", "message_id"),
            references=(
                (("community_id",), "communities", ("community_id",)),
                (("community_id", "post_id"), "wall_messages", ("community_id", "message_id")),
            ),
            required=False,
        ),
        Table(
            "awards",
            "Awards given to pages (the quality mark and others).",
            (
                Col("year", "int64", "Year the award is for."),
                Col("community_id", "str", "Awarded page."),
                Col("award", "str", "Award code, e.g. quality_mark."),
                Col("category", "str", "Category or nomination, where the award has them.", nullable=True),
            ),
            key=("year", "community_id", "award"),
            references=((("community_id",), "communities", ("community_id",)),),
        ),
        Table(
            "quarantine",
            "Input records an importer set aside, with the reason. Synthetic data has none.",
            (
                Col("source_file", "str", "File the record came from, relative to the dataset folder (as in the "
                    "manifest)."),
                Col("position", "str", "Where in the file: line, row, sheet, JSON path of the item."),
                Col("record_type", "str", "What the record was meant to be: post, comment, group, row..."),
                Col("reason", "str", "Why it was set aside."),
                Col("raw", "str", "The record as JSON text: user ids pseudonymised, names, texts and contacts "
                    "left out.", nullable=True),
                Col("waits_for", "str", "Set for a record set aside only because what it refers to is missing: its "
                    "post, its page, or the page id of a screen name. Every import retries these and removes the "
                    "row once the record joins the dataset. Null for records no import will take.", nullable=True,
                    required=False, isin=WAITS_FOR),
            ),
            key=(),
            required=False,
        ),
    )
}


def _column_schema(col: Col) -> pa.Column:
    import pandera.pandas as pa  # imported when a schema is built (validation), not by every process

    checks = []
    if col.isin is not None:
        allowed = ", ".join(col.isin) if len(col.isin) <= 10 else f"{', '.join(col.isin[:3])}, ... ({len(col.isin)} names, see gospub_analysis.region)"
        checks.append(pa.Check.isin(list(col.isin), error=f"value must be one of: {allowed}"))
    if col.min_value is not None:
        checks.append(pa.Check.ge(col.min_value))
    return pa.Column(col.dtype, nullable=col.nullable, checks=checks, required=True, name=col.name)


def pandera_schema(table: str) -> pa.DataFrameSchema:
    """The pandera schema of one table (columns and dtypes; keys checked separately)."""
    import pandera.pandas as pa

    spec = TABLES[table]
    return pa.DataFrameSchema(
        {c.name: _column_schema(c) for c in spec.columns},
        strict=False,
        name=table,
    )


def empty_table(table: str) -> pd.DataFrame:
    """An empty frame with the table's columns and dtypes."""
    spec = TABLES[table]
    return pd.DataFrame({c.name: pd.Series([], dtype=c.dtype) for c in spec.columns})


def schema_markdown() -> str:
    """The tables and columns as Markdown (the body of data/README.md)."""
    lines = []
    for spec in TABLES.values():
        lines += [f"### `{spec.name}`", "", spec.description + ("" if spec.required else " Optional table."), ""]
        if spec.key:
            lines += [f"Key: {', '.join(f'`{k}`' for k in spec.key)}."]
        for cols, other, other_cols in spec.references:
            lines += [f"Every {', '.join(f'`{c}`' for c in cols)} exists in `{other}` ({', '.join(other_cols)})."]
        lines += ["", "| column | dtype | null | meaning |", "|---|---|---|---|"]
        for c in spec.columns:
            null = "yes" if c.nullable else "no"
            optional = " Optional column: added as null when a source lacks it." if not c.required else ""
            allowed = f" Values: {', '.join(c.isin)}." if c.isin and len(c.isin) <= 10 else ""
            lines.append(f"| `{c.name}` | {c.dtype} | {null} | {c.description}{allowed}{optional} |")
        lines.append("")
    return "\n".join(lines)
