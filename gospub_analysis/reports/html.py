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

nbconvert's HTML exporter ends by parsing the whole page with BeautifulSoup to mark outputs
focusable and give images without a text one, then writes the page out again: three
quarters of a district page's conversion. `ReaderExporter` makes those marks on the
template's text instead (`accessible`); the page, parsed, is the tree the stock exporter
writes (tested on every page of a build).
"""

from __future__ import annotations

import functools
import html as html_text
import re
from pathlib import Path

import jinja2
import nbconvert
import nbformat
from nbconvert import HTMLExporter
from nbconvert.exporters.templateexporter import TemplateExporter
from nbconvert.filters.highlight import Highlight2HTML
from nbconvert.filters.widgetsdatatypefilter import WidgetsDataTypeFilter
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
{%- if width is not none %} width="{{ width | escape_html }}"{%- endif -%}
{%- set height=output | get_metadata('height', 'image/png') -%}
{%- if height is not none %} height="{{ height | escape_html }}"{%- endif -%}
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



# The stock exporter's closing pass (nbconvert 7's `HTMLExporter.from_notebook_node`), made on the text.
NO_ALT = "No description has been provided for this image"
FOCUSABLE = ("jp-OutputArea-output", "jp-Cell-inputWrapper")  # divs within `.jp-Notebook` get tabindex="0"
REPRODUCED = nbconvert.__version__.startswith("7.")  # the version whose closing pass `accessible` makes
# What Python's HTML parser (BeautifulSoup's "html.parser") reads as text: script and style contents, comments.
_RAW = re.compile(r"<(script|style)\b(?:[^>\"']|\"[^\"]*\"|'[^']*')*>.*?</\s*\1\s*>|<!--.*?-->", re.S | re.I)
_TAG = re.compile(r"<(div|img|body|main)\b((?:[^>\"']|\"[^\"]*\"|'[^']*')*)>", re.I)
_ATTR = re.compile(r"""\s([^\s=/>"']+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>"']+)))?""")


class Unsure(Exception):
    """A page `accessible` does not mark as the parser would be sure to: the stock pass takes it."""


def _attributes(text: str) -> dict[str, str]:
    """A start tag's attributes, names in lower case; a name given twice is `Unsure`."""
    found: dict[str, str] = {}
    for m in _ATTR.finditer(text):
        name = m.group(1).lower()
        if name in found:
            raise Unsure(name)
        found[name] = html_text.unescape(next((v for v in m.groups()[1:] if v is not None), ""))
    return found


def accessible(page: str) -> tuple[str, int]:
    """`page` with the marks nbconvert's HTML exporter adds in its BeautifulSoup pass: `tabindex="0"` on
    the output and input divs after the `body` or `main` of class `jp-Notebook` (nbconvert's templates
    put every cell inside it), and `NO_ALT` as the text of an image that has none; (page, images
    without a text). Tags inside scripts, styles and comments are text, as for the parser. Raises
    `Unsure` for what it does not reproduce: a repeated attribute, a focusable div with a tabindex of
    its own, one before the notebook's element."""
    pieces, at, missing, inside = [], 0, 0, False

    def mark(m: re.Match) -> str:
        nonlocal missing, inside
        name, rest = m.group(1).lower(), m.group(2)
        attrs = _attributes(rest)
        classes = attrs.get("class", "").split()
        if name in ("body", "main"):
            inside = inside or "jp-Notebook" in classes
            return m.group(0)
        if name == "img" and "alt" not in attrs:
            missing += 1
            return "<img" + _closed(rest, f' alt="{NO_ALT}"') + ">"
        if name == "div" and any(c in classes for c in FOCUSABLE):
            if not inside or "tabindex" in attrs:
                raise Unsure(m.group(0))
            return "<div" + _closed(rest, ' tabindex="0"') + ">"
        return m.group(0)

    for raw in _RAW.finditer(page):
        pieces.append(_TAG.sub(mark, page[at:raw.start()]))
        pieces.append(raw.group(0))
        at = raw.end()
    pieces.append(_TAG.sub(mark, page[at:]))
    return "".join(pieces), missing


def _closed(rest: str, added: str) -> str:
    """A start tag's attributes with `added` after them (before a self-closing slash)."""
    stripped = rest.rstrip()
    return f"{stripped[:-1].rstrip()}{added}/" if stripped.endswith("/") else f"{rest}{added}"


class ReaderExporter(HTMLExporter):
    """nbconvert's HTML exporter with its closing BeautifulSoup pass made on the text (`accessible`).

    The steps before that pass are `HTMLExporter.from_notebook_node`'s own (nbconvert 7); under
    another nbconvert version the stock method runs."""

    def from_notebook_node(self, nb, resources=None, **kw):
        if not REPRODUCED:
            return super().from_notebook_node(nb, resources, **kw)
        langinfo = nb.metadata.get("language_info", {})
        lexer = langinfo.get("pygments_lexer", langinfo.get("name", None))
        highlight_code = self.filters.get("highlight_code", Highlight2HTML(pygments_lexer=lexer, parent=self))
        resources = self._init_resources(resources)
        filter_data_type = WidgetsDataTypeFilter(notebook_metadata=self._nb_metadata, parent=self, resources=resources)
        self.register_filter("highlight_code", highlight_code)
        self.register_filter("filter_data_type", filter_data_type)
        page, resources = TemplateExporter.from_notebook_node(self, nb, resources, **kw)
        try:
            page, missing = accessible(page)
        except Unsure:
            return stock_pass(self, page), resources
        if missing:
            self.log.warning("Alternative text is missing on %s image(s).", missing)
        return page, resources


def stock_pass(exp: HTMLExporter, page: str) -> str:
    """nbconvert 7's closing pass itself (`HTMLExporter.from_notebook_node`), for a page `accessible`
    is unsure of."""
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(page, features="html.parser")
    missing = 0
    for elem in soup.select("img:not([alt])"):
        elem.attrs["alt"] = NO_ALT
        missing += 1
    if missing:
        exp.log.warning("Alternative text is missing on %s image(s).", missing)
    for elem in soup.select(".jp-Notebook div.jp-Cell-inputWrapper"):
        elem.attrs["tabindex"] = "0"
    for elem in soup.select(".jp-Notebook div.jp-OutputArea-output"):
        elem.attrs["tabindex"] = "0"
    return str(soup)


def configured(cls: type[HTMLExporter]) -> HTMLExporter:
    """An exporter of class `cls` configured for reader pages (see the module docstring)."""
    exp = cls(
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


@functools.lru_cache(maxsize=1)
def exporter() -> HTMLExporter:
    """The exporter of reader pages: one per process, because loading and compiling the templates
    costs about a quarter of a second, as much as rendering a page; a build renders dozens of pages
    per worker."""
    return configured(ReaderExporter)


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
