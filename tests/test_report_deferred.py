"""Imports the report's processes pay only when used: rfc3987-syntax's grammar (`reports.deferred`), pandera."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

pytest.importorskip("rfc3987_syntax")

VALUES = ["http://пример.рф/путь?q=1#x", "http://[bad", "a b", "//vk.com/club1", "mailto:a@b.ru", "", "ok.ru/group/1"]
CHECK = f"""
import json, sys
SETUP
import jsonschema, nbformat
from nbformat.v4 import new_notebook
checker = jsonschema.FormatChecker()
before = "rfc3987_syntax.syntax_helpers" in sys.modules
nbformat.validate(new_notebook())
validated = "rfc3987_syntax.syntax_helpers" in sys.modules
answers = [[checker.conforms(v, kind) for kind in ("iri", "iri-reference")] for v in {VALUES!r}]
print(json.dumps({{"before": before, "validated": validated, "answers": answers}}))
"""


def _run(setup: str) -> dict:
    out = subprocess.run([sys.executable, "-c", CHECK.replace("SETUP", setup)], capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


def test_the_grammar_waits_for_the_first_iri_and_the_answers_are_the_real_modules():
    deferred = _run("import gospub_analysis.reports.build")
    plain = _run("")
    assert plain["before"] is True  # without the stand-in, importing jsonschema compiles the grammar
    assert deferred["before"] is False and deferred["validated"] is False  # a notebook validates without it
    assert deferred["answers"] == plain["answers"]
    assert plain["answers"][0] == [True, True] and plain["answers"][1] == [False, False]


def test_the_kernels_imports_leave_pandera_to_validation():
    """The report's kernels import every notebook's imports and never validate: pandera (0.2 s) waits
    for the first schema built."""
    from gospub_analysis.reports import notebooks
    from gospub_analysis.reports.kernels import notebook_imports

    warm = notebook_imports([nb.path for nb in notebooks.MAIN_NOTEBOOKS] + [notebooks.MUNICIPALITY_NOTEBOOK.path])
    code = (warm + "\nimport sys\nimport gospub_analysis.reports.build\nloaded = 'pandera' in sys.modules\n"
            "from gospub_analysis.schema import pandera_schema\npandera_schema('posts')\n"
            "print(loaded, 'pandera' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "True"]
