"""Browser tests: Playwright driving Debian's Chromium against pytest-django's live server.

Run in their own pytest invocation (`make test-browser`): the sync Playwright API runs an
event loop that cannot share a process with pytest-asyncio.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator

import pytest

# Playwright's sync API keeps an event loop in the main thread; the ORM calls that the
# tests make to set up and check state are still plain synchronous code.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("CHROMIUM", shutil.which("chromium") or "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix) -> None:
    """On SQLite the test database is a file, not pytest-django's in-memory default, so
    that a daphne subprocess (test_live.py: WebSockets need a real ASGI server) opens
    the same database as the test."""
    from django.conf import settings

    database = settings.DATABASES["default"]
    if database["ENGINE"] == "django.db.backends.sqlite3":
        test = database.setdefault("TEST", {})
        if not test.get("NAME"):
            test["NAME"] = os.path.join(
                tempfile.gettempdir(), f"circolo_browser_{os.getpid()}.sqlite3"
            )


@pytest.fixture(scope="session")
def browser() -> Iterator:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


@pytest.fixture
def new_page(browser, live_server):
    """Factory of pages in fresh browser contexts (one per person in the scenario)."""
    contexts = []

    def make(locale: str = "en-GB"):
        context = browser.new_context(base_url=live_server.url, locale=locale)
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def screenshots_dir() -> str:
    path = os.environ.get("SCREENSHOTS_DIR", "")
    if path:
        os.makedirs(path, exist_ok=True)
    return path
