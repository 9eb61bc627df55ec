"""The yearly report: notebooks executed with papermill, pages without code, one command.

`gospub report --year YYYY` (see `commands`) runs `build.build_report`: the main
notebooks (`notebooks.MAIN_NOTEBOOKS`), one municipality notebook per district in
parallel, HTML pages (`html`), the index (`index`) and `build.json`, all into a
temporary folder that replaces `reports/<year>` only when every notebook succeeded.

Importing this package is cheap (notebooks import `reports.municipality`); the build
machinery is imported by the command.
"""
