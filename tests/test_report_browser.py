"""The small yearly report in headless Chromium, served on 127.0.0.1.

Every page (index.html, the notebook pages, the municipality pages) must load with no
console error, no failed or off-host request, every image decoded, no code input area
and no "Traceback". A full-page screenshot of every top-level page (index.html and each
notebook page) and of one municipality page is kept in reports/test-artefacts/
(report-<page>.png). On the pages with long tables, the interactive table (itables,
embedded offline) must work: clicking a header reorders the rows, by the numbers behind
formatted columns.

Chromium is Debian's package (`.ci/run` installs it); Playwright drives it through its
own driver, without downloading a browser. Outside CI a machine without Chromium skips
this test; in CI (CI=true) that is a failure.
"""

from __future__ import annotations

import functools
import os
import re
import shutil
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import quote, urlparse

import pytest
from test_report import DISTRICTS, LABEL, build_small_report, main_names

from gospub_analysis import config, show

pytestmark = [pytest.mark.browser, pytest.mark.slow]

ARTEFACTS = config.REPORTS_DIR / "test-artefacts"
SCREENSHOT = ARTEFACTS / "report-index.png"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def chromium_or_skip() -> str:
    path = shutil.which("chromium")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        path, why = None, "the Python package playwright is not installed (pip install -e '.[dev]')"
    else:
        why = "Debian's chromium is not installed (apt-get install chromium; .ci/run installs it)"
    if path is None:
        if os.environ.get("CI"):
            pytest.fail(f"browser test cannot run in CI: {why}")
        pytest.skip(why)
    return path


class QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def served_report(tmp_path_factory, small_dataset_dir):
    result = build_small_report(tmp_path_factory.mktemp("reports-browser"), small_dataset_dir)
    assert result.ok
    handler = functools.partial(QuietHandler, directory=str(result.report_dir))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield result.report_dir, f"http://127.0.0.1:{server.server_port}/"
    server.shutdown()
    server.server_close()


def page_problems(browser, base: str, name: str, report: str = "report") -> list[str]:
    """Load one page; everything a reader would see go wrong, as messages (`report`: the screenshots' prefix)."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    page = browser.new_page(viewport={"width": 1280, "height": 900})
    seen: list[str] = []

    def off_host(route):
        seen.append(f"{name}: request to another host {route.request.url[:100]}")
        route.abort()

    page.route(
        lambda url: urlparse(url).scheme in ("http", "https") and urlparse(url).hostname != "127.0.0.1", off_host
    )
    page.on("console", lambda m: seen.append(f"{name}: console {m.type}: {m.text}") if m.type == "error" else None)
    page.on("pageerror", lambda e: seen.append(f"{name}: page error {e}"))
    page.on("requestfailed", lambda r: seen.append(f"{name}: failed request {r.url[:100]}"))
    page.on("response", lambda r: seen.append(f"{name}: HTTP {r.status} {r.url}") if r.status >= 400 else None)
    response = page.goto(base + quote(name), wait_until="load")
    if response is None or not response.ok:
        seen.append(f"{name}: not served")
    broken = page.evaluate(
        "Array.from(document.images).filter(i => !(i.complete && i.naturalWidth > 0)).map(i => i.src.slice(0, 80))"
    )
    seen += [f"{name}: image not loaded {src}" for src in broken]
    code = page.evaluate(
        "document.querySelectorAll('.jp-CodeCell .jp-InputArea, .jp-InputArea-editor, "
        ".jp-InputPrompt, .CodeMirror, .cm-editor').length"
    )
    if code:
        seen.append(f"{name}: {code} code input areas")
    try:  # interactive tables are drawn once DataTables' embedded module has loaded
        page.wait_for_function(f"!document.body.innerText.includes('{show.LOADING}')", timeout=15_000)
    except PlaywrightTimeout:
        seen.append(f"{name}: an interactive table never loaded ({show.LOADING!r} still shown)")
    lines = page.evaluate(
        "Math.max(0, ...Array.from(document.querySelectorAll('td.gospub-name')).map(td => "
        "td.getBoundingClientRect().height / parseFloat(getComputedStyle(td).lineHeight || 16)))"
    )
    if lines > 6.5:
        seen.append(f"{name}: a page name wraps over {lines:.0f} lines")
    text = page.inner_text("body")
    if "Traceback" in text:
        seen.append(f"{name}: 'Traceback' on the page")
    if LABEL not in text:
        seen.append(f"{name}: no synthetic-data label")
    with_figures = name.endswith(("growth.html", "ranking.html")) or name.startswith("municipalities/")
    if with_figures and not page.evaluate("document.images.length"):
        seen.append(f"{name}: no figure")
    if "/" not in name or name == f"municipalities/{SLUG}.html":
        ARTEFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(screenshot_path(name, report)), full_page=True)
    page.close()
    return seen


SLUG = "bolotnoe"  # the municipality page kept as a screenshot (Болотнинский)


def screenshot_path(name: str, report: str = "report"):
    return ARTEFACTS / f"{report}-{name.removesuffix('.html').replace('/', '-')}.png"


def _number(text: str) -> float:
    """A cell as the project writes numbers («1 234,5», «−3», «—») back to a float (−inf for «—»)."""
    cleaned = text.replace("\u202f", "").replace("\u00a0", "").replace("−", "-").replace(",", ".").strip()
    try:
        return float(cleaned)
    except ValueError:
        return float("-inf")


def sort_by_header(browser, base: str, name: str, header: str) -> tuple[list[str], list[str], list[str]]:
    """Open a page, read the first column of `header`'s interactive table, click the header twice;
    the column's visible cells before, after one click and after two. Console errors fail the test."""
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(base + quote(name), wait_until="load")
    exact = re.compile(f"^{re.escape(header)}$")
    table = page.locator("div.dt-container").filter(has=page.locator("th", has_text=exact)).first
    table.wait_for(timeout=20_000)
    head = table.locator("thead th").filter(has_text=exact).first
    index = head.evaluate("th => Array.from(th.parentNode.children).indexOf(th)")

    def column() -> list[str]:
        return table.locator(f"tbody tr td:nth-child({index + 1})").all_inner_texts()

    def click_and_read(previous: list[str]) -> list[str]:
        """Click the header, then read the column once the table has redrawn (up to 5 s): a redraw
        can land a moment after the click returns, and a second click before it would be lost."""
        head.click()
        for _ in range(50):
            now = column()
            if now != previous:
                return now
            page.wait_for_timeout(100)
        return now

    before = column()
    first = click_and_read(before)
    second = click_and_read(first)
    page.close()
    assert not errors, errors
    return before, first, second


def test_every_page_loads_offline_in_chromium(served_report):
    executable = chromium_or_skip()
    from playwright.sync_api import sync_playwright

    report_dir, base = served_report
    pages = ["index.html"] + sorted(
        str(p.relative_to(report_dir)) for p in report_dir.rglob("*.html") if p.name != "index.html"
    )
    assert len(pages) == 1 + len(main_names()) + len(DISTRICTS)
    problems: list[str] = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=executable, headless=True, args=CHROMIUM_ARGS)
        try:
            for name in pages:
                problems += page_problems(browser, base, name)
        finally:
            browser.close()
    assert not problems, "\n".join(problems)
    assert SCREENSHOT.stat().st_size > 10_000
    for name in pages:
        if "/" not in name:
            assert screenshot_path(name).stat().st_size > 10_000, name


@pytest.mark.parametrize("name, header", [("growth.html", "Население"),
                                          ("growth.html", "Страниц на 1 000 жителей")])
def test_long_tables_sort_when_a_header_is_clicked(served_report, name, header):
    executable = chromium_or_skip()
    from playwright.sync_api import sync_playwright

    _, base = served_report
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=executable, headless=True, args=CHROMIUM_ARGS)
        try:
            before, first, second = sort_by_header(browser, base, name, header)
        finally:
            browser.close()
    assert len(before) > 1 and before != first != second, (before[:5], first[:5], second[:5])
    for shown in (first, second):
        numbers = [_number(v) for v in shown]
        assert numbers in (sorted(numbers), sorted(numbers, reverse=True)), shown[:10]
    assert [_number(v) for v in first] != [_number(v) for v in second]
