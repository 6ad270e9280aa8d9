"""Real-browser fixtures for every app's tests: a pytest plugin in ``hireproof/conftest.py``.

Playwright's sync API drives Debian's Chromium (``make test`` installs it); a test that asks for
a browser is skipped, with the reason, when it is missing. Fixtures:

- ``chromium``: one Chromium per test;
- ``new_page()``: a page in a browser context of its own (its own cookies), one per person when
  a test has a recruiter and a candidate side by side;
- ``page``: the first such page, for tests with one person.

Every page so opened records what the browser reports breaking the Content-Security-Policy
(its console's "Refused to ..." messages); a test that saw any fails at teardown, naming them.

Playwright is imported inside the fixtures: it is a dev dependency, and this module is imported
by every test run, browser or not.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
DEFAULT_TIMEOUT_MS = 15_000
"""How long any Playwright action or ``expect`` waits for the page before failing."""

NewPage = Callable[[], "Page"]


@pytest.fixture
def chromium(monkeypatch: pytest.MonkeyPatch) -> Iterator[Browser]:
    """Debian's Chromium, launched headless for this test and closed after it."""
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is missing: `make test` installs Debian's chromium")
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is a dev dependency")
    # Playwright's sync API keeps an event loop in this thread; the test's own database calls
    # are ordinary blocking calls made between its steps.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


def is_csp_violation(text: str) -> bool:
    """True for Chromium's console report of a Content-Security-Policy violation."""
    return "Content Security Policy" in text and "Refused to" in text


@pytest.fixture
def new_page(chromium: Browser) -> Iterator[NewPage]:
    """``new_page()``: a fresh page in a context of its own, so each person has their cookies.
    At teardown, no page may have reported a Content-Security-Policy violation."""
    violations: list[str] = []

    def open_page() -> Page:
        context = chromium.new_context()
        context.set_default_timeout(DEFAULT_TIMEOUT_MS)
        opened = context.new_page()
        opened.on(
            "console",
            lambda message: (
                violations.append(f"{opened.url}: {message.text}")
                if is_csp_violation(message.text)
                else None
            ),
        )
        return opened

    yield open_page
    assert violations == [], "the Content-Security-Policy refused: " + "; ".join(violations)


@pytest.fixture
def page(new_page: NewPage) -> Page:
    """A fresh Chromium page (Playwright's sync API)."""
    return new_page()
