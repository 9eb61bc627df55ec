"""The column-wise reader of OK topic pages (for `gospub import ok`): many files parsed at once by Arrow.

A year's dump is mostly `mediatopic.getTopics` pages of the usual shape; reading them
record by record in Python (`ok_rows.topic_page`) costs a Python object per topic and
part. Here the `.jsonl` files that look like topic pages are joined and parsed by
`pyarrow.json` with an explicit schema, and the rows of `OkTables.POSTS` are computed on
the columns, with the same values `ok_rows._usual_topic` gives.

The columnar reader takes a file only when it is sure to give what the Python reader
gives; any other file is handed back (`TopicBulk.files` does not hold it) and read by
the Python path, so its errors, quarantine rows and wall posts stay as they are. A file
is handed back when its bytes are not plain (a BOM, a `null` anywhere, so that an absent
field and a null one cannot be told apart; `NaN` or `Inf`, which Arrow would take; a carriage return, a blank line, an escaped
surrogate, invalid UTF-8), when Arrow refuses it (bad JSON, a field of another type, a
different number of lines), or when any line or topic is not of the usual shape: an
envelope with `response.media_topics` and no `error_code`, a topics method or none; a
topic with a decimal id, `created_ms` in range, `owner_ref` a group, no other author,
non-negative counters, a list of media parts each with a type, text parts with a text.
"""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.json as pj

from .dump import Response, _file_date, parse_time
from .ok_rows import MAX_MS, _content
from .report import ImportReport

_PART = pa.struct([("type", pa.string()), ("text", pa.string()), ("is_live", pa.bool_()), ("is_clip", pa.bool_())])
_TOPIC = pa.struct([
    ("id", pa.string()), ("created_ms", pa.int64()), ("owner_ref", pa.string()), ("author_ref", pa.string()),
    ("media", pa.list_(_PART)), ("like_summary", pa.struct([("count", pa.int64())])),
    ("reshare_summary", pa.struct([("count", pa.int64())])),
    ("discussion_summary", pa.struct([("comments_count", pa.int64())])), ("views_count", pa.int64())])
SCHEMA = pa.schema([
    ("request", pa.struct([("method", pa.string())])), ("fetched_at", pa.string()),
    ("response", pa.struct([("media_topics", pa.list_(_TOPIC)), ("error_code", pa.int64())]))])
_PARSE = pj.ParseOptions(explicit_schema=SCHEMA, unexpected_field_behavior="ignore")
_METHODS = ("mediatopic.getTopics", "mediatopic.getByIds")
_NOT_PLAIN = (b"null", b"NaN", b"Inf")
_LOOKS_LIKE_TOPICS = b'"media_topics"'

# kinds of non-text parts as bits (`ok_rows._PART_KIND`); a topic's content follows from the set of its kinds
_BITS = {"photo": 1, "video": 2, "clip": 4, "live": 8, "link": 16, "poll": 32, "repost": 64, "other": 128}
_PART_BIT = {"photo": 1, "movie": 2, "video": 2, "clip": 4, "live": 8, "link": 16, "poll": 32, "topic": 64,
             "reshare": 64}
_NAMES = [name for name, _ in sorted(_BITS.items(), key=lambda kv: kv[1])]


def _flags_table() -> tuple[np.ndarray, ...]:
    """(photo, video, live, repost, content) for each of the 256 sets of kinds, by `ok_rows._content`."""
    rows = [_content(tuple(name for b, name in enumerate(_NAMES) if mask >> b & 1)) for mask in range(256)]
    return tuple(np.array([r[k] for r in rows], dtype=bool) for k in range(4)) + (
        pa.array([r[4] for r in rows], type=pa.large_string()),)


_FLAGS = _flags_table()


@dataclass
class _File:
    path: Path
    digest: str
    responses: list[Response]  # one per line, without a body
    counts: list[int]  # topics per line
    first_line: int  # index of its first line among all lines read


@dataclass
class TopicBulk:
    """The topic pages read column-wise: `files` those taken, `consume` numbers their responses in file order."""
    files: dict[Path, _File] = field(default_factory=dict)
    columns: dict = field(default_factory=dict)  # POSTS columns but seq, one row per topic of every line
    topic_line: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    line_seq: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))

    def consume(self, path: Path, tables, report: ImportReport) -> None:
        """The responses of one taken file, as `ok_rows.consume` counts them; the rows come with `finish`."""
        f = self.files[path]
        for k, (resp, n) in enumerate(zip(f.responses, f.counts)):
            tables.start(resp)
            self.line_seq[f.first_line + k] = tables.seq
            report.read("post", n)

    def finish(self, tables) -> None:
        """Hand the rows of the consumed lines to `tables` (`OkTables.bulk_posts`)."""
        if not len(self.topic_line):
            return
        seq = self.line_seq[self.topic_line]
        kept = seq >= 0
        if not kept.all():
            keep = np.flatnonzero(kept)
            cols = {k: v.take(pa.array(keep)) if isinstance(v, pa.Array) else v[keep] for k, v in self.columns.items()}
            seq = seq[keep]
        else:
            cols = self.columns
        tables.bulk_posts.append({"seq": seq, **cols})


def _plain(path: Path) -> tuple[bytes, str, int] | None:
    """The bytes, SHA-256 and lines of a file the columnar reader may take, else None: every line starts an
    object (no blank lines, which Arrow would skip), and no `null`, `NaN` or `Inf` anywhere."""
    if path.suffix != ".jsonl":
        return None
    try:
        data = path.read_bytes()
    except OSError:
        return None
    if not data.startswith(b"{") or _LOOKS_LIKE_TOPICS not in data or any(m in data for m in _NOT_PLAIN):
        return None
    lines = _lines(data)
    if data.count(b"\n{") != lines - 1:
        return None
    return data, hashlib.sha256(data).hexdigest(), lines


def _utf8(data: bytes) -> bool:
    """Whether `data` is valid UTF-8 (Arrow does not check the texts of the fields it ignores; orjson does)."""
    try:
        pa.Array.from_buffers(pa.binary(), 1, [None, pa.array([0, len(data)], pa.int32()).buffers()[1],
                                               pa.py_buffer(data)]).cast(pa.string())
    except pa.ArrowInvalid:
        return False
    return True


def _parse(data: bytes) -> pa.Table | None:
    if not _utf8(data):
        return None
    try:
        return pj.read_json(io.BytesIO(data), parse_options=_PARSE, read_options=pj.ReadOptions(block_size=1 << 24))
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError, pa.ArrowTypeError):
        return None


def _lines(data: bytes) -> int:
    return data.count(b"\n") + (not data.endswith(b"\n"))


def _parsed(candidates: list[tuple[Path, bytes, int]]) -> tuple[list[tuple[Path, int]], pa.Table | None]:
    """(path, lines) of the files Arrow parsed, and their lines as one table: all files at once, else one by one
    (a file Arrow refuses, or where it finds another number of lines, is left out)."""
    chunks = [d if d.endswith(b"\n") else d + b"\n" for _, d, _ in candidates]
    table = _parse(b"".join(chunks)) if chunks else None
    if table is not None and table.num_rows == sum(n for _, _, n in candidates):
        return [(path, n) for path, _, n in candidates], table
    kept, tables = [], []
    for (path, _, n), chunk in zip(candidates, chunks):
        one = _parse(chunk)
        if one is not None and one.num_rows == n:
            kept.append((path, n))
            tables.append(one)
    return kept, pa.concat_tables(tables) if tables else None


def _usual_lines(table: pa.Table) -> np.ndarray:
    """Whether each line is a topics page of the usual envelope (module docstring)."""
    method = table.column("request").combine_chunks().field("method")
    response = table.column("response").combine_chunks()
    ok = ~response.is_null().to_numpy(zero_copy_only=False)
    ok &= response.field("error_code").is_null().to_numpy(zero_copy_only=False)
    ok &= ~response.field("media_topics").is_null().to_numpy(zero_copy_only=False)
    ok &= pc.fill_null(pc.or_kleene(pc.is_null(method), pc.is_in(method, pa.array(_METHODS, pa.string()))),
                       False).to_numpy(zero_copy_only=False)
    return ok


def _regex(values: pa.Array, pattern: str) -> np.ndarray:
    return pc.fill_null(pc.match_substring_regex(values, pattern), False).to_numpy(zero_copy_only=False)


def _bool(values: pa.Array) -> np.ndarray:
    return values.to_numpy(zero_copy_only=False).astype(bool)


def _topic_columns(topics: pa.StructArray) -> tuple[dict, np.ndarray]:
    """The POSTS columns (but seq and item) of topics, and whether each is of the usual shape (module
    docstring); the values of the others are meaningless."""
    ids, owners, authors = topics.field("id"), topics.field("owner_ref"), topics.field("author_ref")
    created = topics.field("created_ms")
    counters = [topics.field(name).field(sub) for name, sub in
                (("like_summary", "count"), ("reshare_summary", "count"), ("discussion_summary", "comments_count"))]
    views, media = topics.field("views_count"), topics.field("media")
    ok = _regex(ids, r"^[0-9]{1,18}$") & _regex(owners, r"^group:[0-9]{1,18}$")
    ok &= _bool(pc.fill_null(pc.or_kleene(pc.is_null(authors), pc.equal(authors, owners)), False))
    for values in (created, *counters, media):
        ok &= ~_bool(values.is_null())
    created_ms = pc.fill_null(created, 0).to_numpy()
    counts = [pc.fill_null(c, 0).to_numpy() for c in counters]
    views_ms = pc.fill_null(views, -1).to_numpy()
    ok &= (created_ms >= 0) & (created_ms < MAX_MS) & (pc.fill_null(views, 0).to_numpy() >= 0)
    for c in counts:
        ok &= c >= 0
    n = len(topics)
    parts = media.flatten()
    owner_of = pc.list_parent_indices(media).to_numpy()
    kinds, texts = parts.field("type"), parts.field("text")
    is_text = _bool(pc.fill_null(pc.equal(kinds, "text"), False))
    bad_part = _bool(kinds.is_null()) | (is_text & _bool(texts.is_null()))
    ok[owner_of[bad_part]] = False
    unique = pc.unique(kinds)
    codes = pc.fill_null(pc.index_in(kinds, unique), len(unique)).to_numpy()
    bits = np.array([0 if k == "text" else _PART_BIT.get(k, 128) for k in unique.to_pylist()] + [0],
                    dtype=np.int64)[codes]
    video = bits == 2
    live = _bool(pc.fill_null(parts.field("is_live"), False))
    clip = _bool(pc.fill_null(parts.field("is_clip"), False))
    bits = np.where(video & live, 8, np.where(video & clip, 4, bits))
    mask = np.zeros(n, dtype=np.int64)
    np.bitwise_or.at(mask, owner_of, bits)
    photo, has_video, is_live, repost, content = (f[mask] if isinstance(f, np.ndarray) else f.take(pa.array(mask))
                                                  for f in _FLAGS)
    text = _joined_texts(texts, is_text & ~bad_part, owner_of, n)
    lengths = pc.fill_null(pc.utf8_length(text), 0).to_numpy().astype(np.int64)
    digits = pc.if_else(pa.array(ok), ids, "0"), pc.if_else(pa.array(ok), pc.utf8_slice_codeunits(owners, 6), "0")
    return {"gid": pc.cast(digits[1], pa.int64()).to_numpy(), "post_id": pc.cast(digits[0], pa.int64()).to_numpy(),
            "published": created_ms, "repost": repost, "text_length": lengths, "has_photo": photo,
            "has_video": has_video, "is_live": is_live, "views": views_ms, "likes": counts[0], "reposts": counts[1],
            "comments": counts[2], "ads": np.full(n, -1, dtype=np.int64), "text": text, "content_type": content}, ok


def _joined_texts(texts: pa.Array, is_text: np.ndarray, owner_of: np.ndarray, n: int) -> pa.Array:
    """Each topic's text parts joined by line breaks, null without any (as `ok_rows._usual_topic`)."""
    where = np.flatnonzero(is_text)
    owners = owner_of[where]
    per_topic = np.bincount(owners, minlength=n)
    at = np.full(n, -1, dtype=np.int64)
    at[owners[::-1]] = where[::-1]  # the first text part of each topic
    text = texts.take(pa.array(at, mask=at < 0)).cast(pa.large_string())
    several = np.flatnonzero(per_topic > 1)
    if not len(several):
        return text
    values = text.to_pylist()
    for topic in several.tolist():
        values[topic] = "\n".join(texts.take(pa.array(where[owners == topic])).to_pylist())
    return pa.array(values, type=pa.large_string())


def read_topic_files(files: list[tuple[int, Path]], as_of) -> TopicBulk:
    """The topic pages among `files` (index, path) that the columnar reader takes (module docstring)."""
    candidates, digests = [], {}
    for _, path in files:
        plain = _plain(path)
        if plain is not None:
            candidates.append((path, plain[0], plain[2]))
            digests[path] = plain[1]
    bulk = TopicBulk()
    parsed, table = _parsed(candidates)
    if table is None or not table.num_rows:
        return bulk
    file_of_line = np.repeat(np.arange(len(parsed)), [n for _, n in parsed])
    topic_lists = table.column("response").combine_chunks().field("media_topics")
    per_line = np.diff(topic_lists.offsets.to_numpy())
    per_line[topic_lists.is_null().to_numpy(zero_copy_only=False)] = 0
    columns, ok = _topic_columns(topic_lists.flatten())
    line_of_topic = np.repeat(np.arange(len(per_line)), per_line)
    bad_file = np.zeros(len(parsed), dtype=bool)
    bad_file[file_of_line[~_usual_lines(table)]] = True
    bad_file[file_of_line[line_of_topic[~ok]]] = True
    good_line = ~bad_file[file_of_line]
    keep = good_line[line_of_topic]
    index_of = {path: index for index, path in files}
    fetched_at = table.column("fetched_at").to_pylist()
    lines_taken = np.cumsum(good_line) - good_line  # the index of each kept line among the kept ones
    first = 0
    for f, (path, n) in enumerate(parsed):
        if not bad_file[f]:
            responses, default_time = [], None
            for k in range(n):
                when = as_of or parse_time(fetched_at[first + k])
                if when is None:
                    default_time = default_time or _file_date(path)
                    when = default_time
                responses.append(Response(str(path), f"line {k + 1}", (when, index_of[path], k), when, "topics",
                                          None, {}, {}))
            bulk.files[path] = _File(path, digests[path], responses, per_line[first:first + n].tolist(),
                                     int(lines_taken[first]))
        first += n
    kept_lines = line_of_topic[keep]
    starts = np.cumsum(per_line) - per_line
    columns["item"] = (np.arange(len(line_of_topic), dtype=np.int64) - starts[line_of_topic])[keep]
    if keep.all():
        bulk.columns = columns
    else:
        bulk.columns = {name: values.filter(pa.array(keep)) if isinstance(values, pa.Array) else
                        (values if name == "item" else values[keep]) for name, values in columns.items()}
    bulk.topic_line = lines_taken[kept_lines]
    bulk.line_seq = np.full(int(good_line.sum()), -1, dtype=np.int64)
    return bulk
