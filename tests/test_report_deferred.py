"""The report machinery defers rfc3987-syntax's grammar (`reports.deferred`) and jsonschema still checks IRIs."""

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
