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
