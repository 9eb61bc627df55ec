"""A dataset for measuring the analyses at a country's size: the generator with the OK/Telegram step and the
post-text step skipped (VK pages only, as the issue's measurements; the analyses measured never
read texts). Same draws for the VK tables as `gospub generate` (the posts written in its pieces of whole
pages, so the row groups are not those of the datasets made before the pieces, the rows are).

Usage: python benchmarks/generate_vk_only.py generate --scale 50.5 --years 2023-2023 --posts-per-page 290 --out DIR
(the arguments of `gospub generate`). Not for reports: the dataset lacks the OK and Telegram pages and the texts.
"""
import sys
from gospub_analysis.synthetic import platforms, texts
texts.add_texts = lambda seed, posts, communities, organizations, tz, rng=None: posts
platforms.platform_tables = lambda rng, tables, *rest: (tables["organizations"], {
    table: tables[table].iloc[:0] for table in ("communities", "snapshots", "posts", "comments")})
from gospub_analysis.cli import main
sys.exit(main(sys.argv[1:]))
