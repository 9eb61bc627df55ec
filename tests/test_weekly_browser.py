"""One weekly municipality page (and the week's index) in headless Chromium, served on 127.0.0.1.

The page must load with no console error, no failed or off-host request (links to VK pages
are there to be clicked, never fetched), every image decoded, no code input area, the data
label and the methodology shown, the traffic-light colours in Russian. A screenshot of the
municipality page is kept in reports/test-artefacts/. Chromium and Playwright as in
tests/test_report_browser.py (skipped outside CI when missing).
"""

from __future__ import annotations

import functools
import threading
from http.server import ThreadingHTTPServer

import pytest
from test_report_browser import CHROMIUM_ARGS, QuietHandler, chromium_or_skip, page_problems
from test_weekly_report import SLUGS, build_small_weekly

from gospub_analysis import config

pytestmark = [pytest.mark.browser, pytest.mark.slow]

SCREENSHOT = config.REPORTS_DIR / "test-artefacts" / "weekly-municipality.png"


@pytest.fixture(scope="module")
def served_week(tmp_path_factory, small_dataset_dir):
    result = build_small_weekly(tmp_path_factory.mktemp("weekly-browser"), small_dataset_dir)
    assert result.ok
    handler = functools.partial(QuietHandler, directory=str(result.report_dir))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield result.report_dir, f"http://127.0.0.1:{server.server_port}/"
    server.shutdown()
    server.server_close()


def test_a_weekly_municipality_page_loads_offline_in_chromium(served_week):
    executable = chromium_or_skip()
    from playwright.sync_api import sync_playwright

    report_dir, base = served_week
    name = f"municipalities/{SLUGS['Болотнинский']}.html"
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=executable, headless=True, args=CHROMIUM_ARGS)
        try:
            problems = page_problems(browser, base, name, "weekly") + page_problems(browser, base, "index.html", "weekly")
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.goto(base + name, wait_until="load")
            text = page.inner_text("body")
            images = page.evaluate("document.images.length")
            vk_links = page.evaluate("Array.from(document.links).filter(a => a.href.startsWith('https://vk.com/')).length")
            SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(SCREENSHOT), full_page=False)
            page.close()
        finally:
            browser.close()
    assert not problems, "\n".join(problems)
    assert images >= 1, "the trend chart is missing"
    assert vk_links > 0, "no link to the place to act"
    for words in ("weekly_monitoring.toml", "версия 1.0.0", "Что сделать на этой неделе", "красный"):
        assert words in text
    assert SCREENSHOT.stat().st_size > 10_000
