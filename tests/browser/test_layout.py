"""Every role's pages on a phone and on a desktop, in English and Italian, on the demo data
served by a real daphne (issue 15):

- no page scrolls sideways at 360 px or 1280 px (the document is exactly as wide as the
  viewport), and at 1280 px the header is a single row;
- axe-core (tests/browser/vendor/axe.min.js, see its README line) finds no serious or
  critical violation on any of them, at both widths, in both languages, light and dark
  (`AXE_PASSES`).

The pages are every page of each role, listed explicitly (`ROLE_PAGES`, from the URL
patterns: each must answer 200, so the list cannot rot), plus whatever the header, the
user menu and the footer link to.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model

from advocacy.models import Escalation
from demo.seeding import seed_demo
from forum.models import Question
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


# Every HTML page a role has (GET), by role; each includes the pages of the role before it
# but the anonymous visitor's sign-in pages. {thread}, {mine}... are filled by `targets`.
ANONYMOUS_PAGES = [
    "/", "/tags/", "/tags/sim/", "/categories/billing/", "/search/?q=sim", "{thread}",
    "{thread}revisions/", "/u/demo-helper/", "/badges/", "/privileges/", "/leaderboard/",
    "/rewards/", "/advocates/",
]  # fmt: skip
SIGN_IN_PAGES = ["/accounts/login/", "/accounts/signup/", "/accounts/password/reset/"]
MEMBER_PAGES = [
    "/ask/", "/notifications/", "/following/", "/settings/profile/", "/settings/email/",
    "/settings/privacy/", "/rewards/mine/", "/escalations/mine/", "/suggestions/mine/",
    "/accounts/email/", "/accounts/password/change/",
]  # fmt: skip
HELPER_PAGES = ["/suggestions/", "/moderation/", "/flag/question/{thread_id}/", "/moderation/question/{thread_id}/"]  # fmt: skip
ADVOCATE_PAGES = ["/moderation/audit/", "/lounge/", "{thread}close-vote/", "{thread}close/"]
STAFF_PAGES = [
    "/desk/", "/desk/{case}/", "/advocates/candidates/", "/rewards/redemptions/", "/fair-play/",
    "/community/health/", "/community/automation/",
]  # fmt: skip
ROLE_PAGES = {
    None: ANONYMOUS_PAGES + SIGN_IN_PAGES,
    "demo-customer": ANONYMOUS_PAGES + MEMBER_PAGES + ["{mine}edit/"],
    "demo-helper": ANONYMOUS_PAGES + MEMBER_PAGES + HELPER_PAGES,
    "demo-advocate": ANONYMOUS_PAGES + MEMBER_PAGES + HELPER_PAGES + ADVOCATE_PAGES,
    "demo-staff": ANONYMOUS_PAGES + MEMBER_PAGES + HELPER_PAGES + ADVOCATE_PAGES + STAFF_PAGES,
    "demo-manager": ANONYMOUS_PAGES + MEMBER_PAGES + HELPER_PAGES + ADVOCATE_PAGES + STAFF_PAGES,
}
NOT_FOUND = "/no-such-page/"  # the 404 page, for every role


def targets() -> dict[str, object]:
    thread = (
        Question.objects.filter(
            category__is_private=False, deleted_at__isnull=True, hidden_at__isnull=True
        )
        .order_by("-answer_count", "pk")
        .first()
    )
    mine = Question.objects.filter(author__username="demo-customer").order_by("pk").first()
    return {
        "thread": thread.get_absolute_url(),
        "thread_id": thread.pk,
        "mine": mine.get_absolute_url(),
        "case": Escalation.objects.order_by("pk").first().pk,
    }


def pages_of(page, username) -> list[str]:  # noqa: ANN001
    """The role's pages (ROLE_PAGES), then the header, user menu and footer links and
    the first desk and moderation items not listed; each once, in order."""
    filled = targets()
    listed = [path.format(**filled) for path in ROLE_PAGES[username]]
    page.goto("/")
    links = page.evaluate(LINKS)[:40]
    if page.locator("header a[href='/desk/']").count():
        page.goto("/desk/")
        links += [h for h in page.evaluate(LINKS) if h.startswith("/desk/")][-1:]
    if page.locator("header a[href='/moderation/']").count():
        page.goto("/moderation/")
        items = page.evaluate(
            "() => [...document.querySelectorAll('[data-queue-item] h2 a')].map(a => a.getAttribute('href'))"
        )
        links += items[:1]  # a queue item, with its flaggers
    paths = []
    for href in listed + [h for h in links if not h.startswith("/q/")] + [NOT_FOUND]:
        path = href.split("?next=")[0]
        if path.startswith("/") and not path.startswith(SKIPPED) and path not in paths:
            paths.append(path)
    return paths


def visit(page, path: str) -> str:  # noqa: ANN001
    """Open `path`; a problem when a page of the list does not answer as it should."""
    response = page.goto(path)
    expected = 404 if path == NOT_FOUND else 200
    if response is None or response.status != expected:
        return f"{path} answered {response and response.status}, not {expected}"
    return ""


def user(username):  # noqa: ANN001, ANN201
    return get_user_model().objects.get(username=username) if username else None


def test_no_page_of_any_role_scrolls_sideways_on_a_phone_or_a_desktop(site, open_page):  # noqa: F811
    seeded()
    problems, visited = [], set()
    for username in ROLES:
        for locale in ("en-GB", "it-IT"):
            page = open_page(user(username), locale=locale)
            for path in pages_of(page, username):
                visited.add(path)
                page.set_viewport_size({"width": 1280, "height": 800})
                if wrong := visit(page, path):
                    problems.append(f"{username} {locale} {wrong}")
                    continue
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
        "/community/health/",
        "/community/automation/",
        "/fair-play/",
        "/advocates/candidates/",
        "/settings/privacy/",
        "/escalations/mine/",
        "/following/",
        NOT_FOUND,
    } <= visited
    assert len(visited) >= 45


# Axe runs each page four times, in one browser context per role and language, re-running
# on the loaded page after a resize and a colour-scheme switch: every pair of (language,
# width), (language, scheme) and (width, scheme) is checked once on every page.
AXE_PASSES = {
    "en-GB": [(1280, "light"), (360, "dark")],
    "it-IT": [(1280, "dark"), (360, "light")],
}


def test_axe_finds_nothing_serious_at_every_width_language_and_scheme(site, open_page):  # noqa: F811
    seeded()
    problems, runs = [], 0
    for username in ROLES:
        for locale, passes in AXE_PASSES.items():
            page = open_page(user(username), locale=locale)
            for path in pages_of(page, username):
                (width, scheme), *_ = passes
                page.set_viewport_size({"width": width, "height": 800})
                page.emulate_media(color_scheme=scheme)
                if wrong := visit(page, path):
                    problems.append(f"{username} {locale} {wrong}")
                    continue
                page.evaluate(AXE_LOAD)
                for width, scheme in passes:
                    page.set_viewport_size({"width": width, "height": 800})
                    page.emulate_media(color_scheme=scheme)
                    where = f"{username} {locale} {path} {width}px {scheme}"
                    problems += [f"{where}: {found}" for found in page.evaluate(AXE_RUN)]
                    runs += 1
            # and the phone layout with the menu open
            page.set_viewport_size({"width": 360, "height": 800})
            page.emulate_media(color_scheme=passes[1][1])
            page.goto("/")
            page.locator(".nav-toggle").click()
            page.evaluate(AXE_LOAD)
            where = f"{username} {locale} / (phone menu, {passes[1][1]})"
            problems += [f"{where}: {found}" for found in page.evaluate(AXE_RUN)]
            page.close()
    assert problems == []
    assert runs >= 4 * 45
