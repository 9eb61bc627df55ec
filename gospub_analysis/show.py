"""Tables on a reader's page: short ones as plain HTML, long ones sortable, searchable and paged.

This module owns how a notebook shows a table to readers. Every table goes through
`table(frame)`: no pandas index (a named index becomes the first column), headers and
values as `wording.readable` made them. A table longer than `SHORT` rows is rendered by
`itables` (DataTables) in its offline mode: the library's script and style are embedded
once per page (`init_notebook_mode(connected=False)`), nothing is loaded from a CDN, and
the page keeps working from a file or a USB stick. Numbers stay in the project's style
(«12 345,6», «55 %», «—»): a column `wording.readable` formatted from numbers is sorted by
those numbers, held in a hidden column (DataTables' `orderData`), never by its text.
"""

from __future__ import annotations

import functools
import re

import pandas as pd
from IPython.display import HTML, display

SHORT = 15  # rows: up to this many, a plain table; more, an interactive one
PAGE_LENGTH = 25
NAME_HEADERS = ("Страница", "Организация", "Страница (организация)")  # kept readable: a wide column
SORT_PREFIX = "порядок: "  # header of a hidden sort column (never shown; Russian all the same)

# DataTables' own words, in Russian (https://datatables.net/reference/option/language).
LANGUAGE = {
    "search": "Поиск:", "lengthMenu": "Показывать по _MENU_", "info": "Строки с _START_ по _END_ из _TOTAL_",
    "infoEmpty": "Строк нет", "infoFiltered": "(отобрано из _MAX_)", "zeroRecords": "Ничего не найдено",
    "emptyTable": "Строк нет", "decimal": ",", "thousands": "\u202f",
    "paginate": {"first": "«", "last": "»", "next": "›", "previous": "‹"},
    "aria": {"orderable": "Упорядочить по столбцу", "orderableReverse": "Упорядочить в обратном порядке"},
    "lengthLabels": {"-1": "все"},
}

LOADING = "Таблица загружается…"

_STATE_KEY = "_gospub_show_state"  # in the kernel's namespace: a report run resets it (%reset -f), modules stay
_fallback_state: dict = {}
# itables' own scaffolding that readers must not see: an English loading message with a logo
# and links, a static copy of the table for viewers that run no scripts (a report page always
# runs them), and the notice shown when scripts are blocked.
_LOADING_BODY = re.compile(r"<tbody>.*?</tbody>", re.S)
_FALLBACK = re.compile(r'<div id="[^"]+_fallback">.*?</div><script>[^<]*_fallback[^<]*</script>', re.S)
_NOSCRIPT = re.compile(r"<div[^>]*>\s*<noscript>.*?</noscript>\s*</div>", re.S)


def _state() -> dict:
    """This notebook run's state (next table id, DataTables embedded yet?): kept in the kernel's namespace,
    so that every run in a shared kernel starts afresh and numbers its tables from 1, like a fresh kernel."""
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover - IPython comes with the notebooks' dependencies
        shell = None
    else:
        shell = get_ipython()
    namespace = shell.user_ns if shell is not None else _fallback_state
    return namespace.setdefault(_STATE_KEY, {"next_id": 1, "ready": False})


def _next_id() -> int:
    state = _state()
    state["next_id"] += 1
    return state["next_id"] - 1


def _flat(frame: pd.DataFrame) -> tuple[pd.DataFrame, dict]:
    """The frame without a pandas index (a named index or MultiIndex becomes leading columns) and
    without `attrs`, and the numbers behind its formatted columns (`attrs["sort_keys"]`, see
    `wording.readable`), apart: pandas deep-copies a frame's `attrs` into every column and row it
    hands out, and a reader's table goes through thousands of such steps on its way to HTML."""
    keys = frame.attrs.get("sort_keys") or {}
    if any(name is not None for name in frame.index.names):
        frame = frame.reset_index()
    else:
        frame = frame.reset_index(drop=True)
    frame.attrs = {}
    frame.columns = [" · ".join(str(p) for p in c if str(p)) if isinstance(c, tuple) else str(c)
                     for c in frame.columns]
    return frame, keys


def plain_html(frame: pd.DataFrame) -> str:
    """A short table as plain HTML, without an index, text to the left and numbers to the right; no cell is
    cut short."""
    flat, keys = _flat(frame)
    numeric = [i for i, c in enumerate(flat.columns) if c in keys or pd.api.types.is_numeric_dtype(flat[c])]
    names = [i for i, c in enumerate(flat.columns) if c in NAME_HEADERS]
    styles = [{"selector": "td, th", "props": "text-align: left; vertical-align: top;"}] + [
        {"selector": f"td.col{i}, th.col{i}", "props": "text-align: right;"} for i in numeric] + [
        {"selector": f"td.col{i}", "props": "white-space: nowrap;"} for i in names]  # a page name on one line
    styler = (flat.style.hide(axis="index").set_uuid(f"gospub{_next_id()}").set_table_styles(styles)
              .set_table_attributes('class="gospub-table"').format(na_rep="—", escape="html"))
    return styler.to_html()


def interactive_html(frame: pd.DataFrame, *, page_length: int = PAGE_LENGTH, order: list | None = None) -> str:
    """A long table as an offline DataTable: sortable (by the numbers behind formatted columns), searchable, paged."""
    from itables import to_html_datatable

    flat, keys = _flat(frame)
    data = flat.copy()
    column_defs = []
    for header, values in keys.items():
        if header not in flat.columns:
            continue
        hidden = f"{SORT_PREFIX}{header}"
        data[hidden] = pd.Series(values, index=flat.index, dtype="float64")
        column_defs.append({"targets": flat.columns.get_loc(header), "orderData": [data.columns.get_loc(hidden)],
                            "className": "dt-right"})
        column_defs.append({"targets": data.columns.get_loc(hidden), "visible": False, "searchable": False})
    names = [i for i, c in enumerate(flat.columns) if c in NAME_HEADERS]
    if names:
        column_defs.append({"targets": names, "className": "gospub-name", "width": "20em"})
    html = to_html_datatable(
        data, table_id=f"gospub-table-{_next_id()}", connected=False, showIndex=False, maxBytes=0,
        pageLength=page_length, lengthMenu=[*sorted({10, 25, 50, 100, page_length}), -1], language=LANGUAGE,
        columnDefs=column_defs, order=order or [], classes="display compact", style="table-layout:auto;width:auto;margin:0",
        scrollX=True, allow_html=False, display_logo_when_loading=False, format_floats_in_python=False,
        text_in_header_can_be_selected=False,  # a click anywhere on a header sorts, as readers expect
        warn_on_unexpected_option_type=False,
    )
    html = _FALLBACK.sub("", html, count=1).replace(' hidden="hidden"', "", 1)
    return _LOADING_BODY.sub(f"<tbody><tr><td>{LOADING}</td></tr></tbody>", html, count=1)


@functools.lru_cache(maxsize=1)
def init_html() -> str:
    """The HTML that embeds DataTables' script and style in a page (what itables' `init_notebook_mode`
    shows with `connected=False`, without its dark-mode helper, which imports from a CDN, and without
    its English notice for viewers that block scripts)."""
    from itables import options
    from itables.javascript import generate_init_offline_itables_html

    return _NOSCRIPT.sub("", generate_init_offline_itables_html(options.dt_bundle))


def _init() -> None:
    """Embed DataTables (script and style) once in the page, before its first interactive table."""
    state = _state()
    if not state["ready"]:
        display(HTML(init_html()))
        state["ready"] = True


def table(frame: pd.DataFrame, *, page_length: int = PAGE_LENGTH, interactive: bool | None = None) -> None:
    """Show a reader's table: plain when short, sortable, searchable and paged when long (or when asked)."""
    long = len(frame) > SHORT if interactive is None else interactive
    if long:
        _init()
        display(HTML(interactive_html(frame, page_length=page_length)))
    else:
        display(HTML(plain_html(frame)))
