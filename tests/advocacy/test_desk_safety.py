"""Naughty strings and XSS through everything people type on the desk (reasons, notes,
resolutions, dismissals, canned responses), and internal notes never leaving the desk:
not on the thread page, the profile, the lists, the public API, the notifications or
"my escalations"."""

from __future__ import annotations

import contextlib

import pytest
from django.core.exceptions import ValidationError

from advocacy.models import CannedResponse, DeskNote, Escalation
from advocacy.services import escalations
from forum.models import Notification
from notifications.bell import describe
from tests.advocacy.desk_support import escalate
from tests.factories import QuestionFactory
from tests.naughty import NAUGHTY, NAUGHTY_SAMPLE

pytestmark = pytest.mark.django_db

XSS = [
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "<svg onload=alert(1)>",
    "javascript:alert(1)",
    "</textarea><script>alert(2)</script>",
    "{customer}<script>alert(3)</script>",
]


def test_every_naughty_string_is_taken_or_refused_cleanly(advocate, staff, customer):
    """The services take each string of the list (as a reason, a note, a resolution) or
    refuse it with a ValidationError; nothing else escapes."""
    for index, text in enumerate(NAUGHTY):
        question = QuestionFactory(author=customer, title=f"Naughty case number {index}")
        try:
            case = escalate(advocate, question, reason=text)
        except ValidationError:
            continue
        with contextlib.suppress(ValidationError):
            escalations.add_note(actor=staff, escalation=case, body=text)
        try:
            escalations.resolve_escalation(actor=staff, escalation=case, resolution=text)
        except ValidationError:
            escalations.dismiss_escalation(actor=staff, escalation=case, reason="fine reason")
    assert Escalation.objects.exists()  # some strings were taken, so the loop checked something
    assert Escalation.objects.filter(status__in=["open", "in_progress"]).count() == 0


@pytest.mark.parametrize("text", XSS + NAUGHTY_SAMPLE[:40])
def test_the_desk_pages_escape_what_people_typed(
    text, advocate, staff, staff_client, advocate_client, customer
):
    question = QuestionFactory(author=customer, title="A question about my phone bill")
    try:
        case = escalate(advocate, question, reason=text)
    except ValidationError:
        pytest.skip("refused as a reason")
    escalations.add_note(actor=staff, escalation=case, body=f"note {text}")
    CannedResponse.objects.create(title=f"canned {text}"[:100], body=f"Hi {{customer}} {text}")
    queue = staff_client.get("/desk/").content.decode()
    page = staff_client.get(f"/desk/{case.pk}/").content.decode()
    escalations.dismiss_escalation(actor=staff, escalation=case, reason=f"done {text}")
    closed = staff_client.get(f"/desk/{case.pk}/").content.decode()
    mine = advocate_client.get("/escalations/mine/").content.decode()

    for html in (queue, page, closed, mine):
        # Typed markup arrives as text (&lt;...), never as an element or attribute.
        assert "<script>alert" not in html
        assert "<img src=x" not in html
        assert "<svg onload" not in html
        assert 'href="javascript:' not in html


def test_a_note_never_leaves_the_desk(
    advocate, staff, customer, question, client, customer_client, advocate_client, helper_client
):
    case = escalate(advocate, question)
    escalations.add_note(actor=staff, escalation=case, body="SECRET-NOTE-7781")
    escalations.post_official_answer(
        actor=staff, escalation=case, body="We looked at your account and fixed it."
    )
    escalations.resolve_escalation(actor=staff, escalation=case, resolution="Fixed for good")

    public_pages = [
        question.get_absolute_url(),
        "/",
        f"/users/{customer.username}/",
        f"/api/v1/questions/{question.pk}/",
        "/api/v1/questions/",
        "/notifications/",
        "/api/v1/notifications/",
        "/escalations/mine/",
    ]
    for who in (client, customer_client, advocate_client, helper_client):
        for url in public_pages:
            body = who.get(url).content.decode()
            assert "SECRET-NOTE-7781" not in body, (url, who)
    for notification in Notification.objects.all():
        assert "SECRET-NOTE-7781" not in describe(notification)
        assert "SECRET-NOTE-7781" not in str(notification.data)
    assert DeskNote.objects.get().body == "SECRET-NOTE-7781"


def test_the_reason_is_not_public(advocate, question, client, customer_client):
    escalate(advocate, question, reason="REASON-ONLY-FOR-STAFF")

    for who in (client, customer_client):
        assert "REASON-ONLY-FOR-STAFF" not in who.get(question.get_absolute_url()).content.decode()
        assert (
            "REASON-ONLY-FOR-STAFF"
            not in who.get(f"/api/v1/questions/{question.pk}/").content.decode()
        )
