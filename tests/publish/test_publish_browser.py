"""The pages in a real browser: headless Chromium from Debian's packages, driven by Playwright.

Nothing is downloaded at run time: Playwright launches the system's /usr/bin/chromium (scripts/install-browser.sh
installs it). Where it is missing the tests skip, saying why, except under CI=true, where they fail. Screenshots of the
home page and of a meeting's page are kept in tests/artifacts/.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("JPMG_CHROMIUM", "/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def _missing() -> str | None:
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "Playwright for Python is not installed (pip install playwright; never `playwright install`)"
    if not Path(CHROMIUM).is_file():
        return f"no Chromium at {CHROMIUM}: run scripts/install-browser.sh (Debian's chromium package) as root"
    return None


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    reason = _missing()
    if reason:
        if os.environ.get("CI") == "true":
            pytest.fail(f"browser tests cannot run in CI: {reason}")
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    profile = tempfile.mkdtemp(prefix="jpmg-chromium-")
    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            profile, executable_path=CHROMIUM, headless=True, args=ARGS, viewport={"width": 1280, "height": 900}
        )
        try:
            yield context
        finally:
            context.close()
            shutil.rmtree(profile, ignore_errors=True)


def test_home_page(browser, server_url: str) -> None:
    page = browser.new_page()
    page.goto(server_url)
    assert page.locator("h1").first.inner_text() == "The JPMG knowledge graph"
    counts = page.locator("table.counts").inner_text()
    assert "sessions" in counts and "506" in counts
    assert page.locator("#model svg .box").count() >= 15
    assert page.locator("#timeline svg .mark").count() >= 40
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "home.png"), full_page=True)
    page.close()


def test_a_meeting_page_shows_its_facts(browser, server_url: str) -> None:
    page = browser.new_page()
    response = page.goto(server_url + "id/session/jpmg-48")  # the IRI's path: 303 to the page
    assert response is not None and response.url.endswith("/id/session/jpmg-48.html")
    assert page.locator("h1").inner_text() == "48th JPMG session"
    facts = page.locator("table.facts").first.inner_text()
    assert "Washington, D.C." in facts and "2022-10-25" in facts and "Joint Political-Military Group" in facts
    sources = page.locator("table.sources").inner_text()
    assert "F050" in sources and "high" in sources
    incoming = page.locator("#incoming + table").inner_text()
    assert "Israeli delegation at the 48th JPMG session" in incoming
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "meeting.png"), full_page=True)
    page.click("text=Joint Political-Military Group")
    assert page.locator("h1").inner_text() == "Joint Political-Military Group"
    page.close()


def test_the_query_page_runs_a_query(browser, server_url: str) -> None:
    page = browser.new_page()
    page.goto(server_url + "sparql")
    page.click("a.example[data-name='jpmg-sessions']")
    assert "jpmg:sessionOf" in page.locator("#query").input_value()
    page.click("#run")
    page.wait_for_selector("table.results tbody tr")
    rows = page.locator("table.results tbody tr")
    assert rows.count() == 5
    assert "session/jpmg-48" in page.locator("table.results").inner_text()
    assert "Amir Eshel" in page.locator("table.results").inner_text()
    page.close()


def test_the_static_queries_page_knows_it_is_live(browser, server_url: str) -> None:
    page = browser.new_page()
    page.goto(server_url + "queries.html")
    page.wait_for_function("document.body.classList.contains('live')")
    page.locator("#jpmg-sessions .run button").click()
    page.wait_for_selector("#query")
    assert "jpmg:sessionOf" in page.locator("#query").input_value()
    page.close()
