"""The reader's page (`reports.html`): validated once, the same page as validated after every step."""

from __future__ import annotations

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from gospub_analysis.reports import html

PNG = ("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==")


def _notebook(path):
    nb = new_notebook(cells=[
        new_code_cell("year = 2023", metadata={"tags": ["parameters"]}),
        new_markdown_cell("# Заголовок\n\nТекст **жирный**."),
        new_code_cell("show()", outputs=[
            new_output("display_data", {"text/html": "<table><tr><td>1</td></tr></table>", "text/plain": "t"}),
            new_output("stream", name="stderr", text="stderr-предупреждение\n"),
            new_output("display_data", {"image/png": PNG, "text/plain": "<Figure>"},
                       metadata={"image/png": {"width": 1}, "alt": "подпись"}),
        ], execution_count=1),
    ])
    nbformat.write(nb, path)
    return path


@pytest.fixture
def validations(monkeypatch):
    """How many times the exporter validated the notebook during a render."""
    exporter = html.exporter()
    calls = []
    original = type(exporter)._validate_preprocessor

    def counted(self, nb, preprocessor):
        calls.append(preprocessor)
        return original(self, nb, preprocessor)

    monkeypatch.setattr(type(exporter), "_validate_preprocessor", counted)
    return calls


def test_the_page_is_validated_once_and_equals_the_page_validated_after_every_preprocessor(
        tmp_path, validations, monkeypatch):
    source = _notebook(tmp_path / "page.ipynb")
    once = html.notebook_to_html(source, tmp_path / "once.html", "Страница", banner_label="СИНТЕТИЧЕСКИЕ ДАННЫЕ")
    assert len(validations) == 1
    monkeypatch.setattr(html.exporter(), "optimistic_validation", False)
    every = html.notebook_to_html(source, tmp_path / "every.html", "Страница", banner_label="СИНТЕТИЧЕСКИЕ ДАННЫЕ")
    assert len(validations) > 2
    text = once.read_text(encoding="utf-8")
    assert text == every.read_text(encoding="utf-8")
    assert 'alt="подпись"' in text and "stderr-предупреждение" not in text and "year = 2023" not in text


def test_a_notebook_made_invalid_still_fails_the_render(tmp_path, monkeypatch):
    source = _notebook(tmp_path / "page.ipynb")

    class Break(html.Preprocessor):
        def preprocess(self, nb, resources):
            nb.cells[1]["outputs"] = "not a list"
            return nb, resources

    exporter = html.exporter()
    monkeypatch.setattr(exporter, "_preprocessors", [*exporter._preprocessors, Break(enabled=True)])
    with pytest.raises(nbformat.ValidationError):
        html.notebook_to_html(source, tmp_path / "bad.html", "Страница")


# --- the closing pass without BeautifulSoup ------------------------------------------------

def _stock(page: str) -> str:
    """What nbconvert's own closing pass makes of a rendered page (`html.stock_pass`, its code)."""
    return html.stock_pass(html.exporter(), page)


def _parsed(page: str) -> str:
    from bs4 import BeautifulSoup

    return str(BeautifulSoup(page, features="html.parser"))


PAGE = ('<html><head><title>Страница</title>'
        '<script>var s = \'<img src="x"><div class="jp-OutputArea-output">\';</script>'
        '<style>div.jp-OutputArea-output > img {}</style></head>\n'
        '<body class="jp-Notebook" data-x="1">\n<main>\n'
        '<!-- <img src="c"> <div class="jp-OutputArea-output"> -->\n'
        '<div class="jp-Cell jp-CodeCell"><div class="jp-OutputArea-output jp-RenderedHTML" data-mime-type="text/html">'
        '<img src="data:image/png;base64,AA"><img alt="есть" src="y"/><IMG SRC=z><img src="basalt.png">'
        "<div class='jp-OutputArea-output'>одинарные</div>"
        '<div class="jp-OutputArea-output-wide">не тот класс</div>'
        '<div data-note="a > b" class="x jp-Cell-inputWrapper">вход</div>'
        '</div></div>\n</main></body></html>')


def test_the_marks_are_the_stock_passes_once_parsed():
    fast, missing = html.accessible(PAGE)
    assert missing == 3  # the images without alt (one named «basalt»), not the ones in the script and the comment
    assert _parsed(fast) == _stock(PAGE)
    # the marks themselves, where a reader's screen reader finds them
    assert '<img src="data:image/png;base64,AA" alt="No description has been provided for this image">' in fast
    assert ' SRC=z alt="No description' in fast and '<img alt="есть" src="y"/>' in fast
    assert fast.count('tabindex="0"') == 3  # two outputs and the input wrapper; not the «-wide» class
    assert "<script>var s = '<img src=\"x\"><div class=\"jp-OutputArea-output\">';</script>" in fast
    assert '<!-- <img src="c"> <div class="jp-OutputArea-output"> -->' in fast


@pytest.mark.parametrize("odd", [
    '<div class="jp-OutputArea-output" tabindex="-1">свой</div>',   # the stock pass sets it to 0
    '<div class="jp-OutputArea-output" class="x">дважды</div>',     # a repeated attribute
])
def test_what_the_marks_do_not_reproduce_goes_through_the_stock_pass(odd, monkeypatch):
    page = PAGE.replace("<main>", f"<main>{odd}")
    with pytest.raises(html.Unsure):
        html.accessible(page)
    passes, stock = [], html.stock_pass
    monkeypatch.setattr(html, "stock_pass", lambda exp, text: passes.append(text) or stock(exp, text))
    nb = new_notebook(cells=[new_code_cell("x", outputs=[new_output("display_data", {"text/html": odd})],
                                           execution_count=1)])
    page_out, _ = html.exporter().from_notebook_node(nb)
    assert len(passes) == 1 and 'tabindex="0"' in page_out


def test_a_focusable_div_before_the_notebook_is_unsure():
    with pytest.raises(html.Unsure):
        html.accessible('<html><body><div class="jp-OutputArea-output">x</div></body></html>')
