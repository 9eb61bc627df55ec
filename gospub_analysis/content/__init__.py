"""Content and engagement: what the pages publish, how residents react, which posts work.

Modules: `posts` (the year's posts with their page and audience), `engagement` (ER,
ERR, reach rate per page, sector, municipality, month), `types` (content-type mix and
engagement by type with bootstrap intervals), `rubrics` (the text classifier and its
held-out evaluation), `top` (top posts with links), `timing` (weekday × hour), `copies`
(reposts of regional sources, identical texts across pages), `year` (all of them for a
year, once), `page` (the content part of a page's card), `tables` (Russian tables and the
Excel workbook).

    >>> from gospub_analysis import content, open_source
    >>> c = content.content_year(open_source("data/nso-synthetic"), 2023)
    >>> c.pages, c.type_engagement, c.top_year, c.copy_groups
"""

from . import copies, engagement, rubrics, tables, timing, top, types
from .page import PageContent, page_content
from .posts import year_posts
from .year import ContentYear, content_year

__all__ = ["ContentYear", "PageContent", "content_year", "copies", "engagement", "page_content", "rubrics", "tables",
           "timing", "top", "types", "year_posts"]
