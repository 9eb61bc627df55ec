"""`gospub import vk`: raw VK API responses (API 5.x) into the canonical dataset.

What a dump holds and how each response is recognised: `vk_shapes` (files and envelopes:
`dump`); the rows of posts, residents' wall posts, comments and groups: `vk_rows`; the
tables built from them: `dump_frames`; the run and its account: `dump_import`.

A response is dated by `--as-of`, else its `fetched_at`, else a YYYY-MM-DD date in its
path, else the file's modification date; the newest response wins when records repeat
(a pinned post on every page counts once). Pages seen only on walls are named «club<id>»
until a groups.getById response names them. The manifest lists every file of the dump
that contributed, with its SHA-256.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from .dump_import import Reader, import_dump
from .pseudonym import Pseudonymizer
from .report import ImportReport
from .vk_rows import VK, VkTables, consume, scrubbed_record
from .vk_shapes import responses_of

PARALLEL_MIN_BYTES = 32 << 20  # below this a second process costs more than it saves
READER = Reader("import vk", VK, responses_of, VkTables, consume, record=scrubbed_record)


def import_vk(dump_dir: Path | str, out_dir: Path | str, as_of: date | None = None, skip_bad_files: bool = False,
              pseudonymize: Pseudonymizer | None = None) -> ImportReport:
    """Import every VK API response under `dump_dir` into the dataset folder `out_dir`."""
    return import_dump(READER, dump_dir, out_dir, as_of, skip_bad_files, pseudonymize, PARALLEL_MIN_BYTES)
