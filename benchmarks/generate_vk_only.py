"""A dataset for measuring the analyses at a country's size: the generator with the OK/Telegram step and the
post-text step skipped (VK pages only, as the issue's measurements; the analyses measured never
read texts). Same draws for the VK tables as `gospub generate`.

Usage: python benchmarks/generate_vk_only.py generate --scale 50.5 --years 2023-2023 --posts-per-page 290 --out DIR
(the arguments of `gospub generate`). Not for reports: the dataset lacks the OK and Telegram pages and the texts.
"""
import sys
from gospub_analysis.synthetic import platforms, texts
texts.add_texts = lambda seed, posts, communities, organizations, tz: posts
platforms.add_platforms = lambda rng, tables, *rest: tables
from gospub_analysis.cli import main
sys.exit(main(sys.argv[1:]))
