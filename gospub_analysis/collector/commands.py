"""`gospub collect vk|ok --groups FILE --since DATE --out DUMP_DIR`."""

from __future__ import annotations

import argparse
from datetime import date


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"expected a date YYYY-MM-DD, got {text!r}") from exc


def _collect_vk(args) -> int:
    from .vk import collect_from_environment
    summary = collect_from_environment(args.groups, args.since, args.out, rate=args.rate)
    print(summary)
    return 0


def _collect_ok(args) -> int:
    from .ok import collect_from_environment
    print(collect_from_environment(args.groups, args.since, args.out, rate=args.rate))
    return 0


def register(subparsers) -> None:
    collect = subparsers.add_parser("collect", help="download raw data from a platform's API")
    platforms = collect.add_subparsers(dest="platform", required=True)
    p = platforms.add_parser("vk", help="VK API: groups.getById, wall.get, wall.getComments (token from VK_TOKEN)")
    p.add_argument("--groups", required=True, help="text file: one page a line (id, link or screen name)")
    p.add_argument("--since", type=_date, required=True, help="first day of posts to collect (YYYY-MM-DD)")
    p.add_argument("--out", required=True, help="dump folder; a second run resumes where the first stopped")
    p.add_argument("--rate", type=float, default=3.0, help="requests a second, at most 3 (the VK limit)")
    p.set_defaults(func=_collect_vk)
    p = platforms.add_parser("ok", help="OK REST API (fb.do): group.getInfo, mediatopic.getTopics, "
                                        "discussions.getComments (OK_APPLICATION_KEY, OK_APPLICATION_SECRET_KEY, "
                                        "OK_ACCESS_TOKEN from the environment)")
    p.add_argument("--groups", required=True, help="text file: one group a line (id, ok.ru link or short name)")
    p.add_argument("--since", type=_date, required=True, help="first day of topics to collect (YYYY-MM-DD)")
    p.add_argument("--out", required=True, help="dump folder; a second run resumes where the first stopped")
    p.add_argument("--rate", type=float, default=3.0, help="requests a second, at most 3")
    p.set_defaults(func=_collect_ok)
