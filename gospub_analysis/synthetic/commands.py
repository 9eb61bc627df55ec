"""`gospub generate`: build the synthetic region."""

from __future__ import annotations

from ..config import DEFAULT_DATASET, DEFAULT_SEED


def _generate(args) -> int:
    from .generator import generate

    from ..wording import fmt_num

    posts = "" if args.posts_per_page is None else f", публикаций на страницу в 2023 году: {fmt_num(args.posts_per_page, 0)}"
    scale = fmt_num(args.scale, 2).rstrip("0").rstrip(",")
    print(f"Генерация синтетического региона (зерно {args.seed}, годы {args.years}, масштаб {scale}{posts}) -> {args.out}")
    generate(args.out, seed=args.seed, years=args.years, scale=args.scale, posts_per_page=args.posts_per_page,
             processes=args.processes)
    return 0


def register(subparsers) -> None:
    p = subparsers.add_parser("generate", help="build the synthetic Novosibirsk oblast (labelled synthetic)")
    p.add_argument("--out", default=str(DEFAULT_DATASET), help=f"dataset folder (default {DEFAULT_DATASET})")
    p.add_argument("--seed", type=int, default=DEFAULT_SEED, help="random seed: same seed, same bytes")
    p.add_argument("--years", default="2023-2025", help="first-last year, starting at 2023 (default 2023-2025)")
    p.add_argument("--scale", type=float, default=1.0, help="multiply the network (about 50 for the whole country)")
    p.add_argument("--posts-per-page", type=float, default=None,
                   help="posts in 2023 per page active at its end, independently of --scale "
                        "(default: the calibration, about 81; the whole country: about 290)")
    p.add_argument("--processes", type=int, default=None,
                   help="worker processes making the posts' pieces at once (default: the cores, at most 2); "
                        "the same bytes for any number")
    p.set_defaults(func=_generate)
