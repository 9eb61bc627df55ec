"""A slow import deferred until it is used: rfc3987-syntax's grammar.

nbformat validates notebooks with jsonschema, and jsonschema, installed with its
`format-nongpl` extra (jupyterlab needs it, through jupyter-events), imports
`rfc3987_syntax` to check the `iri` formats; rfc3987-syntax 1.1 compiles its Lark grammar
at import: about 1.6 s of CPU before a build can start its workers, for a check that no
notebook schema uses (python-jsonschema/jsonschema#1392; the lazily loading fork
rfc3987-syntax2 is not what jsonschema imports). `defer_iri_grammar()` puts a stand-in
module in its place whose `is_valid_syntax`, the one name jsonschema takes, and any other
name import the real module on first use: jsonschema checks `iri` values exactly as before.
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
import types

NAME = "rfc3987_syntax"


def defer_iri_grammar() -> bool:
    """Install the stand-in unless the module is loaded, jsonschema already took it, or it is not
    installed; whether it was installed."""
    if NAME in sys.modules or "jsonschema._format" in sys.modules or importlib.util.find_spec(NAME) is None:
        return False
    stand_in = types.ModuleType(NAME, "stand-in for rfc3987_syntax, loaded on first use (gospub_analysis.reports.deferred)")

    def real() -> types.ModuleType:
        if sys.modules.get(NAME) is stand_in:
            del sys.modules[NAME]
        return importlib.import_module(NAME)

    def is_valid_syntax(term: str, value: str) -> bool:
        return real().is_valid_syntax(term, value)

    def forward(name: str):
        if name.startswith("__"):  # what the import system asks of any module (`__path__`...): not ours to load
            raise AttributeError(name)
        return getattr(real(), name)

    stand_in.is_valid_syntax = is_valid_syntax
    stand_in.__getattr__ = forward
    sys.modules[NAME] = stand_in
    return True
