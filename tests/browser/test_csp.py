"""Every main page under the Content-Security-Policy in a real browser: nothing the pages
need is blocked. Served by a real daphne (tests/browser/test_live.py) so the live socket
runs too; any `securitypolicyviolation` event or CSP console message fails the test."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page

from tests.browser.test_live import Daphne, open_page, shots, site, visit  # noqa: F401
from tests.factories import AnswerFactory, QuestionFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WATCH = """
document.addEventListener("securitypolicyviolation", (event) => {
  (window.__csp = window.__csp || []).push(
    event.violatedDirective + " blocked " + (event.blockedURI || "inline") + " at " +
    event.documentURI + ":" + event.lineNumber);
});
"""


def watched(page: Page, found: list[str]) -> Page:
    page.context.add_init_script(WATCH)
    page.on(
        "console",
        lambda message: (
            found.append(f"console: {message.text}")
            if "Content Security Policy" in message.text
            or "Content-Security-Policy" in message.text
            else None
        ),
    )
    return page


def check(page: Page, url: str, found: list[str], *, live: bool = False) -> None:
    if live:
        visit(page, url)
    else:
        page.goto(url)
        page.wait_for_load_state("networkidle")
    violations = page.evaluate("window.__csp || []")
    found.extend(f"{url}: {violation}" for violation in violations)


@pytest.fixture
def content(transactional_db):
    manager = UserFactory(
        username="manager", is_staff=True, is_superuser=True, reputation=400, password="demo"
    )
    customer = UserFactory(username="anna", reputation=200)
    question = QuestionFactory(author=customer, title="The router drops the connection")
    AnswerFactory(question=question, author=manager, body="Restart it, then update it.")
    return {"manager": manager, "customer": customer, "question": question}


def test_main_pages_raise_no_csp_violation(open_page, content, shots):  # noqa: F811
    question = content["question"]
    found: list[str] = []

    anonymous = watched(open_page(), found)
    check(anonymous, question.get_absolute_url(), found, live=True)
    for url in [
        "/",
        "/tags/",
        "/search/?q=router",
        "/leaderboard/",
        "/badges/",
        "/privileges/",
        "/rewards/",
        "/accounts/login/",
        "/accounts/signup/",
        "/accounts/password/reset/",
        f"/users/{content['customer'].username}/",
    ]:
        check(anonymous, url, found)
    check(anonymous, "/api/docs/", found)
    anonymous.wait_for_selector(".swagger-ui .opblock", timeout=15_000)
    found.extend(f"/api/docs/: {v}" for v in anonymous.evaluate("window.__csp || []"))

    member = watched(open_page(content["customer"]), found)
    check(member, question.get_absolute_url(), found, live=True)
    member.locator("#answer-form textarea[name=body]").fill("Did you try another cable?")
    member.wait_for_timeout(500)
    for url in ["/ask/", "/notifications/", "/settings/email/", "/settings/profile/"]:
        check(member, url, found)
    member.goto("/ask/")
    member.fill("input[name=title]", "Router drops the connection every night")
    member.wait_for_timeout(800)  # similar questions arrive through htmx
    found.extend(f"/ask/ typing: {v}" for v in member.evaluate("window.__csp || []"))

    manager = watched(open_page(content["manager"]), found)
    for url in [
        "/desk/",
        "/moderation/",
        "/moderation/audit/",
        "/advocates/candidates/",
        "/admin/",
        "/admin/forum/question/",
        f"/admin/forum/question/{question.pk}/change/",
        "/admin/forum/user/",
    ]:
        check(manager, url, found)
    check(manager, question.get_absolute_url(), found, live=True)
    shots(manager, "csp-thread")

    assert found == []
