"""Dataset commands that belong to no single capability: `gospub validate`, `gospub info`."""

from __future__ import annotations

import json

from .dataset import load_dataset


def _validate(args) -> int:
    ds = load_dataset(args.dataset)
    counts = ", ".join(f"{name} {len(frame):,}" for name, frame in ds.tables.items())
    print(f"{args.dataset}: valid ({ds.manifest.get('provenance', {}).get('kind', '?')} data). Rows: {counts}")
    return 0


def _info(args) -> int:
    ds = load_dataset(args.dataset)
    print(json.dumps(ds.manifest, ensure_ascii=False, indent=2))
    return 0


def _schema(args) -> int:
    from .schema import schema_markdown

    print(schema_markdown())
    return 0


def register(subparsers) -> None:
    p = subparsers.add_parser("validate", help="check a dataset folder against the schema; non-zero exit on failure")
    p.add_argument("dataset", help="dataset folder (its Parquet tables and manifest)")
    p.set_defaults(func=_validate)
    p = subparsers.add_parser("info", help="print a dataset's manifest")
    p.add_argument("dataset")
    p.set_defaults(func=_info)
    p = subparsers.add_parser("schema", help="print the canonical tables and columns as Markdown")
    p.set_defaults(func=_schema)
