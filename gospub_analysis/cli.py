"""The `gospub` command line: one sub-command per capability.

Each capability module exposes `register(subparsers)` adding its commands; this module
only assembles them and turns expected failures into one readable message and exit 2.
"""

from __future__ import annotations

import argparse
import importlib
import sys

from .dataset import DatasetError

# Modules that contribute sub-commands, in the order `gospub --help` lists them.
COMMAND_MODULES = (
    "gospub_analysis.synthetic.commands",
    "gospub_analysis.commands",
    "gospub_analysis.importers.commands",
    "gospub_analysis.collector.commands",
    "gospub_analysis.reports.commands",
    "gospub_analysis.reports.weekly_commands",
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="gospub", description="Official pages of state institutions: data, ranking, reports.")
    subparsers = parser.add_subparsers(dest="command", required=True)
    for module in COMMAND_MODULES:
        importlib.import_module(module).register(subparsers)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except (DatasetError, FileNotFoundError, KeyError, ValueError) as exc:
        message = exc.args[0] if isinstance(exc, KeyError) and exc.args else exc
        print(f"gospub {args.command}: error: {message}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
