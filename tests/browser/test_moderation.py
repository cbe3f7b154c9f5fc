"""An advocate works the moderation queue in a real browser (daphne, so the queue is
live): a member flags a spam answer from the thread (htmx form in place), the flag
appears in the advocate's open queue without a reload, the advocate claims the item,
hides the spam with a canned reason, finds the acts in the audit log, and escalates
the question to staff from the thread."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from advocacy.models import AuditEntry, CannedReason, Flag, QueueClaim
from advocacy.models.desk import Escalation
from forum.models import Answer
from tests.browser.test_live import open_page, shots, site, visit  # noqa: F401 - fixtures
from tests.factories import AnswerFactory, QuestionFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_advocate_works_the_queue_hides_spam_and_escalates(open_page, shots):  # noqa: F811
    asker = UserFactory(username="carla", display_name="Carla Verdi", reputation=1500)
    spammer = UserFactory(username="spam-bot", display_name="Spam Bot", reputation=1)
    flagger = UserFactory(username="anna", display_name="Anna Rossi", reputation=20)
    advocate = UserFactory(
        username="dario", display_name="Dario Advocate", reputation=6000, is_advocate=True
    )
    # Transactional tests may start from an empty database: the seeded canned reasons too.
    CannedReason.objects.get_or_create(
        text="Advertising or spam: removed from view.", defaults={"title": "Spam", "use": "hide"}
    )
    question = QuestionFactory(author=asker, title="My bill doubled this month, who can help?")
    spam = AnswerFactory(
        question=question,
        author=spammer,
        body="CHEAP WATCHES <script>alert(1)</script> at example.com, click now!",
    )

    # The advocate keeps the queue open: it is live on the `moderation` stream.
    moderator = open_page(advocate)
    visit(moderator, "/moderation/")
    expect(moderator.locator("[data-queue-empty]")).to_be_visible()

    # A member flags the spam answer from the thread; the form opens in place.
    member = open_page(flagger)
    visit(member, question.get_absolute_url())
    member.locator(f"#answer-{spam.pk} [data-flag-link]").click()
    form = member.locator(f"#answer-{spam.pk} [data-flag-form]")
    form.get_by_label("Spam").check()
    form.get_by_label("Note for the moderators (optional)").fill("Link farm <b>again</b>")
    form.get_by_role("button", name="Send flag").click()
    expect(member.locator(f"#answer-{spam.pk} [data-flag-done]")).to_contain_text(
        "the moderators will look at this post"
    )
    shots(member, "moderation-1-flagged")
    assert Flag.objects.get().reason == "spam"

    # The queue shows it without a reload.
    item = moderator.locator(f'[data-queue-item="flags:answer:{spam.pk}"]')
    expect(item).to_be_visible()
    expect(item).to_contain_text("Spam × 1")
    expect(item).to_contain_text("Link farm <b>again</b>")  # shown as text, not markup
    assert moderator.evaluate("window.__sameDocument === true")
    shots(moderator, "moderation-2-queue")

    # The advocate opens the item, claims it and hides the spam with a canned reason.
    item.get_by_role("link").click()
    moderator.locator("[data-claim]").click()
    expect(moderator.locator('[data-claimed-by="dario"]')).to_be_visible()
    assert QueueClaim.objects.get().moderator_id == advocate.pk
    resolve = moderator.locator("[data-resolve-form]")
    resolve.get_by_label("Hide the post").check()
    resolve.get_by_label("Canned reason").select_option(
        label="Advertising or spam: removed from view."
    )
    resolve.get_by_role("button", name="Resolve the flags").click()
    expect(moderator.locator(".messages")).to_contain_text("The flags are resolved.")
    expect(moderator.locator("[data-post-hidden]")).to_be_visible()
    shots(moderator, "moderation-3-hidden")
    assert Answer.objects.get(pk=spam.pk).hidden_reason == "moderator"
    assert QueueClaim.objects.count() == 0

    # The spam leaves the member's open thread without a reload; the queue is empty again.
    expect(member.locator(f"#answer-{spam.pk}")).to_have_count(0)
    assert member.evaluate("window.__sameDocument === true")
    member.reload()
    expect(member.locator(f"#answer-{spam.pk}")).to_have_count(0)
    visit(moderator, "/moderation/")
    expect(moderator.locator("[data-queue-empty]")).to_be_visible()

    # The audit log tells the story.
    moderator.goto("/moderation/audit/?actor=dario")
    rows = moderator.locator("[data-audit-entry]")
    expect(rows.first).to_be_visible()
    text = moderator.locator("table.audit-log").inner_text()
    for label in ("post hidden", "flag upheld", "queue item claimed"):
        assert label in text
    assert set(AuditEntry.objects.values_list("action", flat=True)) >= {
        "flag.create",
        "queue.claim",
        "post.hide",
        "flag.uphold",
    }
    shots(moderator, "moderation-4-audit")

    # And the advocate escalates the question to staff from the thread.
    moderator.goto(question.get_absolute_url())
    moderator.locator(".escalate-details summary").click()
    moderator.locator("#escalate-reason").fill("Billing error: the customer was charged twice")
    moderator.locator("#escalate-priority").select_option("high")
    moderator.locator(".escalate-form").get_by_role("button", name="Escalate").click()
    expect(moderator.locator(".escalation-card")).to_contain_text("Escalated to staff")
    escalation = Escalation.objects.get()
    assert (escalation.question_id, escalation.created_by_id, escalation.priority) == (
        question.pk,
        advocate.pk,
        "high",
    )
    shots(moderator, "moderation-5-escalated")
