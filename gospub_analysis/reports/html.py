"""Executed notebook -> reader's HTML page: no code, no parameters, works offline.

This module owns the one HTML exporter of the project. It renders with nbconvert's
`lab` template but
* leaves out every code input and prompt (`exclude_input`, `exclude_*_prompt`),
* drops the cells tagged `parameters` and `injected-parameters` entirely (readers must
  not see parameter values, and papermill writes them into both cells),
* drops stderr streams (warnings are for the build log, not for readers),
* loads nothing from the network: the template's require.js, MathJax, Mermaid and
  widget scripts (all from CDNs) are removed, images in markdown are embedded as data
  URIs (figures in outputs already are), and an empty icon spares the favicon request,
* writes a figure's text for readers (`plots.show`'s `alt`, kept in the output's metadata) as
  the image's `alt`, and its width as shown in the notebook,
* styles the long tables `gospub_analysis.show` draws with DataTables (itables' offline mode
  embeds the library's script in the page itself): page names in a wide column, text left,
  numbers right,
* shows a banner with the data label ("СИНТЕТИЧЕСКИЕ ДАННЫЕ") on top of every page
  built from synthetic data.
"""

from __future__ import annotations

import functools
import re
from pathlib import Path

import jinja2
import nbformat
from nbconvert import HTMLExporter
from nbconvert.preprocessors import Preprocessor, TagRemovePreprocessor

HIDDEN_TAGS = ("parameters", "injected-parameters")
# The inlined JupyterLab CSS credits its sources in comments with URLs; they load nothing
# but would make "no http in the page" unverifiable by grep, so comments are dropped.
_STYLE = re.compile(r"<style[^>]*>.*?</style>", re.S)
_CSS_COMMENT = re.compile(r"/\*.*?\*/", re.S)

_TEMPLATE = (
    r"""
{%- extends 'index.html.j2' -%}
{%- block html_head_js -%}{%- endblock html_head_js -%}
{%- block jupyter_widgets -%}{%- endblock jupyter_widgets -%}
{%- block html_head_js_mathjax -%}{%- endblock html_head_js_mathjax -%}
{%- block html_head_js_mermaidjs -%}{%- endblock html_head_js_mermaidjs -%}
{%- block extra_css -%}
<link rel="icon" href="data:,">
<style type="text/css">
"""
    + "{{ resources.gospub_css }}"
    + r"""
</style>
{%- endblock extra_css -%}
{%- block body_header -%}
{{ super() }}
{{ resources.gospub_header }}
{%- endblock body_header -%}
{%- block body_footer -%}
{{ resources.gospub_footer }}
{{ super() }}
{%- endblock body_footer -%}
{%- block data_png scoped -%}
<div class="jp-RenderedImage jp-OutputArea-output {{ extra_class }}">
<img src="data:image/png;base64,{{ output.data['image/png'] | escape_html }}"
{%- set alt=output | get_metadata('alt', 'image/png') -%}
{%- if alt %} alt="{{ alt | escape_html }}"{%- endif -%}
{%- set width=output | get_metadata('width', 'image/png') -%}
{%- if width is not none %} width={{ width | escape_html }}{%- endif -%}
{%- set height=output | get_metadata('height', 'image/png') -%}
{%- if height is not none %} height={{ height | escape_html }}{%- endif -%}
>
</div>
{%- endblock data_png -%}
"""
)

CSS = """
body.jp-Notebook main { max-width: 1280px; margin: 0 auto; }
.jp-OutputArea-output { overflow-x: auto; }
.jp-RenderedHTMLCommon table { font-size: 0.85em; table-layout: auto; }
.jp-RenderedHTMLCommon td, .jp-RenderedHTMLCommon th { max-width: 28em; }
.jp-RenderedHTMLCommon th { vertical-align: bottom; }
/* long tables (gospub_analysis.show, DataTables): page names in a wide column, numbers to the right */
.jp-RenderedHTMLCommon table.dataTable { margin: 0; }
.jp-RenderedHTMLCommon table.dataTable td, .jp-RenderedHTMLCommon table.dataTable th { text-align: left; }
.jp-RenderedHTMLCommon table.dataTable td.dt-right, .jp-RenderedHTMLCommon table.dataTable th.dt-right {
  text-align: right; }
.jp-RenderedHTMLCommon table.dataTable td.gospub-name { width: 20em; white-space: normal; }
.jp-RenderedHTMLCommon .dt-container { margin-bottom: 1.2em; }
.gospub-banner { background: #fff3cd; border: 2px solid #d39e00; color: #5c4400; padding: 0.6em 1em;
  margin: 0.8em auto; max-width: 1280px; font: bold 1.1em sans-serif; text-align: center; }
.gospub-nav { max-width: 1280px; margin: 0.5em auto; font: 0.95em sans-serif; }
.gospub-footer { max-width: 1280px; margin: 2em auto 1em; color: #555; font: 0.85em sans-serif; }
"""


class DropStderr(Preprocessor):
    """Remove stderr stream outputs (warnings, progress bars) from every cell."""

    def preprocess_cell(self, cell, resources, index):
        if cell.cell_type == "code":
            cell.outputs = [o for o in cell.outputs if not (o.output_type == "stream" and o.get("name") == "stderr")]
        return cell, resources


SYNTHETIC_NOTE = "набор сгенерирован для разработки и обучения; его цифры не являются фактами о реальном регионе"


def banner(label: str | None) -> str:
    """The data banner shown on top of a page; empty for non-synthetic data."""
    if not label:
        return ""
    return f'<div class="gospub-banner" role="note"><strong>{label}</strong>: {SYNTHETIC_NOTE}</div>'



@functools.lru_cache(maxsize=1)
def exporter() -> HTMLExporter:
    """An HTMLExporter configured for reader pages (see the module docstring).

    One per process: loading and compiling the templates costs about a quarter of a
    second, as much as rendering a page; a build renders dozens of pages per worker."""
    exp = HTMLExporter(
        template_name="lab",
        template_file="gospub.html.j2",
        extra_loaders=[jinja2.DictLoader({"gospub.html.j2": _TEMPLATE})],
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
        embed_images=True,
        exclude_anchor_links=True,
        # The notebook is validated once, after the last preprocessor, rather than after each
        # of the exporter's fourteen (13 of them disabled): the same page, a tenth of its time.
        optimistic_validation=True,
    )
    exp.register_preprocessor(TagRemovePreprocessor(remove_cell_tags=set(HIDDEN_TAGS), enabled=True), enabled=True)
    exp.register_preprocessor(DropStderr(enabled=True), enabled=True)
    return exp


def notebook_to_html(
    notebook: Path | str,
    html: Path | str,
    title: str,
    *,
    banner_label: str | None = None,
    nav_html: str = "",
    footer_html: str = "",
) -> Path:
    """Render an executed notebook to a self-contained HTML page and return its path.

    `banner_label`: text of the data banner (None: no banner). `nav_html` goes right
    under it (e.g. a link back to the index), `footer_html` at the bottom.
    """
    notebook, html = Path(notebook), Path(html)
    nb = nbformat.read(notebook, as_version=4)
    nb.metadata["title"] = title
    resources = {
        "metadata": {"name": title, "path": str(notebook.parent)},
        "gospub_css": CSS,
        "gospub_header": banner(banner_label) + (f'<nav class="gospub-nav">{nav_html}</nav>' if nav_html else ""),
        "gospub_footer": f'<footer class="gospub-footer">{footer_html}</footer>' if footer_html else "",
    }
    body, _ = exporter().from_notebook_node(nb, resources=resources)
    html.write_text(_STYLE.sub(lambda m: _CSS_COMMENT.sub("", m.group(0)), body), encoding="utf-8")
    return html
