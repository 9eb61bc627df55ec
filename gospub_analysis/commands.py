"""Dataset commands that belong to no single capability: `gospub validate`, `gospub info`."""

from __future__ import annotations

import json
import sys

from .dataset import validate_folder


def _validate(args) -> int:
    """The folder validated as a stream (`dataset.stream`: bounded memory for any size), a progress bar
    of the rows read on stderr, the rows of each table at the end."""
    from tqdm.auto import tqdm

    with tqdm(desc="Проверка", unit="строка", unit_scale=True, disable=args.quiet, file=sys.stderr,
              leave=False) as bar:
        def progress(table: str, rows: int, total: int) -> None:
            bar.total = total
            bar.set_postfix_str(table, refresh=False)
            bar.update(rows)

        manifest, counts = validate_folder(args.dataset, progress=progress)
    rows = ", ".join(f"{name} {n:,}" for name, n in counts.items())
    print(f"{args.dataset}: valid ({manifest.get('provenance', {}).get('kind', '?')} data). Rows: {rows}")
    return 0


def _info(args) -> int:
    manifest, _ = validate_folder(args.dataset)  # validated as `gospub validate` does, in bounded memory
    print(json.dumps(manifest, ensure_ascii=False, indent=2))
    return 0


def _schema(args) -> int:
    from .schema import schema_markdown

    print(schema_markdown())
    return 0


def register(subparsers) -> None:
    p = subparsers.add_parser("validate", help="check a dataset folder against the schema; non-zero exit on failure")
    p.add_argument("dataset", help="dataset folder (its Parquet tables and manifest)")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.set_defaults(func=_validate)
    p = subparsers.add_parser("info", help="print a dataset's manifest")
    p.add_argument("dataset")
    p.set_defaults(func=_info)
    p = subparsers.add_parser("schema", help="print the canonical tables and columns as Markdown")
    p.set_defaults(func=_schema)
