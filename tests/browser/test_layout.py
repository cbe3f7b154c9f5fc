"""Every role's pages on a phone and on a desktop, in English and Italian, on the demo data
served by a real daphne (issue 15):

- no page scrolls sideways at 360 px or 1280 px (the document is exactly as wide as the
  viewport), and at 1280 px the header is a single row;
- axe-core (tests/browser/vendor/axe.min.js, see its README line) finds no serious or
  critical violation on any of them.

The pages are the ones a person of each role reaches from the header, the user menu and
the footer, plus a thread, a profile, search results, and the ask page, desk case and
audit log where the role has them.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model

from demo.seeding import seed_demo
from tests.browser.test_live import (  # noqa: F401 - fixtures and helpers shared with test_live
    in_thread,
    open_page,
    site,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AXE = (Path(__file__).parent / "vendor" / "axe.min.js").read_text()
# Run through the DevTools protocol, as a function body: the site's Content-Security-Policy
# (rightly) refuses an inline <script> without its nonce, which add_script_tag would add.
AXE_LOAD = "() => {\n" + AXE + "\n}"
ROLES = [None, "demo-customer", "demo-helper", "demo-advocate", "demo-staff", "demo-manager"]
SKIPPED = ("/accounts/logout", "/admin/", "/api/")

LINKS = """() => [...document.querySelectorAll(
    'header a[href], footer a[href], .question-row h3 a, .question-row h2 a, #desk-queue .desk-title a')]
  .map(a => a.getAttribute('href'))"""
AXE_RUN = """async () => {
  const result = await axe.run(document, {resultTypes: ['violations']});
  return result.violations.filter(v => ['serious', 'critical'].includes(v.impact))
    .map(v => `${v.id}: ${v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(', ')}`);
}"""


def seeded() -> None:
    in_thread(
        seed_demo,
        users=12,
        questions=24,
        answers_per_question=3,
        seed=1,
        anchor=datetime(2026, 11, 2, 9, tzinfo=UTC),
    )


def pages_of(page) -> list[str]:  # noqa: ANN001
    """The role's pages: header, user menu and footer links, the first thread, a profile,
    search, and the first desk case for staff; each once, in order."""
    page.goto("/")
    links = page.evaluate(LINKS)[:40]
    first_thread = next(h for h in links if h.startswith("/q/"))
    extra = [first_thread, "/u/demo-helper/", "/search/?q=sim", "/ask/", "/accounts/login/"]
    if page.locator("header a[href='/desk/']").count():
        page.goto("/desk/")
        extra += [h for h in page.evaluate(LINKS) if h.startswith("/desk/")][-1:]
        extra.append("/moderation/audit/")
    if page.locator("header a[href='/moderation/']").count():
        page.goto("/moderation/")
        items = page.evaluate(
            "() => [...document.querySelectorAll('[data-queue-item] h2 a')].map(a => a.getAttribute('href'))"
        )
        extra += items[:1]  # a queue item, with its flaggers
    extra.append("/tags/")
    paths = []
    for href in [h for h in links if not h.startswith("/q/")] + extra:
        path = href.split("?next=")[0]
        if path.startswith("/") and not path.startswith(SKIPPED) and path not in paths:
            paths.append(path)
    return paths


def user(username):  # noqa: ANN001, ANN201
    return get_user_model().objects.get(username=username) if username else None


def test_no_page_of_any_role_scrolls_sideways_on_a_phone_or_a_desktop(site, open_page):  # noqa: F811
    seeded()
    problems, visited = [], set()
    for username in ROLES:
        for locale in ("en-GB", "it-IT"):
            page = open_page(user(username), locale=locale)
            for path in pages_of(page):
                visited.add(path)
                page.set_viewport_size({"width": 1280, "height": 800})
                page.goto(path)
                for width in (1280, 360):
                    page.set_viewport_size({"width": width, "height": 800})
                    scroll_width = page.evaluate("document.documentElement.scrollWidth")
                    if scroll_width != width:
                        problems.append(
                            f"{username} {locale} {path} at {width}px: {scroll_width}px"
                        )
                    if width == 1280:
                        header = page.evaluate(
                            "document.querySelector('.header-row').getBoundingClientRect().height"
                        )
                        if header > 72:
                            problems.append(f"{username} {locale} {path}: header {header}px tall")
    assert problems == []
    # the walk reached every role's own pages
    assert {
        "/desk/",
        "/moderation/",
        "/moderation/audit/",
        "/lounge/",
        "/rewards/",
        "/ask/",
        "/rewards/mine/",
        "/settings/email/",
    } <= visited
    assert len(visited) >= 20


def test_axe_finds_nothing_serious_on_any_page_of_any_role(site, open_page):  # noqa: F811
    seeded()
    problems = []
    for username in ROLES:
        page = open_page(user(username), viewport={"width": 1280, "height": 800})
        for path in pages_of(page):
            page.goto(path)
            page.evaluate(AXE_LOAD)
            problems += [f"{username} {path} {found}" for found in page.evaluate(AXE_RUN)]
        # and the phone layout with the menu open
        page.set_viewport_size({"width": 360, "height": 800})
        page.goto("/")
        page.locator(".nav-toggle").click()
        page.evaluate(AXE_LOAD)
        problems += [f"{username} / (phone menu) {found}" for found in page.evaluate(AXE_RUN)]
    assert problems == []
