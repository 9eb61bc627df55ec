"""The yearly report: notebooks executed with papermill, pages without code, one command.

`gospub report --year YYYY` (see `commands`) runs `build.build_report`: the shared
inputs once, the main notebooks (`notebooks.MAIN_NOTEBOOKS`), one municipality notebook
per district in parallel, HTML pages (`html`), the index (`index`) and `build.json`, all
into a temporary folder that replaces `reports/<year>` only when every notebook
succeeded. This package holds the build machinery only; the numbers come from the
analysis modules.
"""

from .deferred import defer_iri_grammar

defer_iri_grammar()  # before nbformat brings jsonschema in (see `deferred`)
