"""`gospub import ok`: raw Odnoklassniki REST API responses into the canonical dataset.

What a dump holds and how each response is recognised: `ok_shapes` (files and envelopes:
`dump`); the rows of topics, residents' topics, comments and groups: `ok_rows`; the
tables: `dump_frames`; the run and its account: `dump_import` (the same as for VK).

Pages are `ok:<group id>`. Topic times (`created_ms`) are milliseconds; comment dates
are local date-time strings without an offset, read in `comment_timezone` (default: the
time zone of the dataset imported into, from its manifest, else the region's,
`region.TIMEZONE`). A page's creation date comes from
group.getInfo's `created_ms`; pages seen only in topics or comments are named
«ok.ru/group/<id>» until a group.getInfo response names them. The newest response wins
when records repeat (a pinned topic on every page counts once).
"""

from __future__ import annotations

from datetime import date
from functools import partial
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from ..dataset import MANIFEST, Source
from ..region import TIMEZONE
from .dump_import import Reader, import_dump
from .ok_rows import OK, OkTables, consume, scrubbed_record, settle
from .ok_shapes import responses_of
from .pseudonym import Pseudonymizer
from .report import ImportReport

PARALLEL_MIN_BYTES = 32 << 20  # below this a second process costs more than it saves


def comment_zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"comment time zone {name!r} is not an IANA time zone name (e.g. {TIMEZONE})") from None


def default_zone(out_dir: Path | str) -> str:
    """The time zone of the dataset in `out_dir`, else the region's."""
    out = Path(out_dir)
    return Source(out).timezone if (out / MANIFEST).exists() else TIMEZONE


def import_ok(dump_dir: Path | str, out_dir: Path | str, as_of: date | None = None, skip_bad_files: bool = False,
              pseudonymize: Pseudonymizer | None = None, comment_timezone: str | None = None) -> ImportReport:
    """Import every OK API response under `dump_dir` into the dataset folder `out_dir`."""
    comment_timezone = comment_timezone or default_zone(out_dir)
    reader = Reader("import ok", OK, responses_of, OkTables, partial(consume, zone=comment_zone(comment_timezone)),
                    settle, scrubbed_record)
    return import_dump(reader, dump_dir, out_dir, as_of, skip_bad_files, pseudonymize, PARALLEL_MIN_BYTES,
                       notes={"comment_timezone": comment_timezone})
