"""The escalation desk end to end, in real browsers against a real daphne: an advocate
escalates a question, staff see it arrive live on the desk, claim it, post the official
answer (pinned in the customer's thread as it happens), judge the community's answer and
resolve; the customer's bell lights up for the answer and the resolution."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from advocacy.models import AnswerVerdict, Escalation
from gamification.models import PointEvent
from tests.browser.test_live import (  # noqa: F401 - fixtures and helpers shared with test_live
    member,
    not_reloaded,
    open_page,
    shots,
    site,
    visit,
)
from tests.factories import AnswerFactory, QuestionFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_advocate_escalates_staff_resolve_live_and_the_customer_hears(site, open_page, shots):  # noqa: F811
    anna = member("anna", "Anna Rossi", reputation=20)
    carla = member("carla", "Carla Verdi", reputation=1500)
    dario = member("dario", "Dario Advocate", reputation=6000, is_advocate=True)
    sofia = member("sofia", "Sofia (Support)", is_staff=True)
    question = QuestionFactory(
        author=anna,
        title="I was charged twice for my monthly plan",
        body="My card shows two charges of 9.99 for November. How do I get one back?",
        tags=["billing"],
    )
    community = AnswerFactory(
        question=question, author=carla, body="Open the app, Billing, and report the charge."
    )
    url = question.get_absolute_url()

    # given Sofia on the desk, Anna on her question, Dario (an advocate) on it too
    desk = open_page(sofia)
    visit(desk, "/desk/")
    expect(desk.locator("#desk-queue")).to_contain_text("Nothing here")
    customer = open_page(anna)
    visit(customer, url)
    expect(customer.locator(".bell .bell-count")).to_be_hidden()
    advocate = open_page(dario)
    visit(advocate, url)

    # when Dario escalates it as urgent
    advocate.locator(".escalation-card summary").click()
    advocate.locator("#escalate-reason").fill("Double charge: the community cannot refund it.")
    advocate.locator("#escalate-priority").select_option("urgent")
    advocate.locator(".escalate-form button[type=submit]").click()
    expect(advocate.locator(".messages")).to_contain_text("Escalated to staff")
    expect(advocate.locator(".escalation-card")).to_contain_text("Escalated to staff: Open")

    # then it arrives on Sofia's desk without a reload, urgent, with its countdown
    row = desk.locator("#desk-queue tbody tr").first
    expect(row).to_contain_text("I was charged twice for my monthly plan")
    expect(row).to_contain_text("Urgent")
    expect(row.locator(".countdown")).to_contain_text(re.compile(r"\d+ min left"))
    not_reloaded(desk)
    shots(desk, "desk-01-arrived")

    # when she claims it, she lands on the case with the customer's history
    row.get_by_role("button", name="Claim").click()
    escalation = Escalation.objects.get()
    expect(desk).to_have_url(re.compile(rf"/desk/{escalation.pk}/$"))
    expect(desk.locator(".messages")).to_contain_text("You claimed this escalation.")
    expect(desk.locator(".desk-customer")).to_contain_text("Anna Rossi")
    expect(desk.locator(".desk-history")).to_contain_text("claimed the case")

    # and writes an internal note
    desk.locator("#note_body").fill("Checked the payment provider: two captures, one to refund.")
    desk.locator("#note-form button[type=submit]").click()
    expect(desk.locator(".desk-note")).to_contain_text("two captures")

    # and posts the official answer
    visit(desk, f"/desk/{escalation.pk}/")
    desk.locator("#answer_body").fill(
        "Hi Anna, we refunded the second charge today; it shows on your card in 3 days."
    )
    desk.locator("#official-answer button[type=submit]").click()
    expect(desk.locator(".messages")).to_contain_text("official answer is posted")

    # then Anna sees it pinned below her question, marked Staff, and her bell lights up
    official = customer.locator("#answer-list .answer-post.official")
    expect(official).to_contain_text("we refunded the second charge today")
    expect(official).to_contain_text("Staff")
    expect(customer.locator("#answer-list .answer-post").first).to_have_class(
        re.compile(r"\bofficial\b")
    )
    expect(customer.locator(".bell .bell-count")).to_have_text("1")
    not_reloaded(customer)
    shots(customer, "desk-02-official-answer")

    # when Sofia judges Carla's answer correct and resolves
    desk.locator(f"input[name=verdict_{community.pk}][value=correct]").check()
    desk.locator("#resolve_resolution").fill("Refunded the duplicate charge.")
    desk.get_by_role("button", name="Resolve", exact=True).click()
    expect(desk.locator(".messages")).to_contain_text("Escalation resolved.")
    expect(desk.locator(".status-pill").first).to_have_text("Resolved")
    shots(desk, "desk-03-resolved")

    # then Anna's bell counts the resolution too, with a toast that says so
    expect(customer.locator(".bell .bell-count")).to_have_text("2")
    expect(customer.locator(".toast").last).to_contain_text(
        "Support staff resolved your question “I was charged twice for my monthly plan”"
    )
    not_reloaded(customer)
    # and Carla earned the staff-verified points; Dario's list shows the outcome
    assert AnswerVerdict.objects.get(answer=community).verdict == "correct"
    assert PointEvent.objects.filter(recipient=carla, rule="staff_verified").count() == 1
    visit(advocate, "/escalations/mine/")
    expect(advocate.locator(".escalation-row")).to_contain_text("Resolved")
    expect(advocate.locator(".escalation-row")).to_contain_text("Refunded the duplicate charge.")
    # and the note stayed on the desk
    visit(customer, url)
    expect(customer.locator("body")).not_to_contain_text("two captures")
