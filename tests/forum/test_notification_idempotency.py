"""Notifications carry an idempotency key (issue 12): the bell's handlers run after commit,
and a retried or duplicated delivery of the same event must not tell a member twice."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, transaction

from core import events
from forum import services
from forum.events import AnswerAccepted, AnswerPosted
from forum.models import Notification
from notifications import handlers
from notifications.bell import notify_member
from tests.factories import QuestionFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def emitted():
    """The forum events the services emit during the test (a recorder subscribed
    in the transaction), to deliver them again as a retry or a duplicate would."""
    seen: list[events.DomainEvent] = []

    def record(event: events.DomainEvent) -> None:
        seen.append(event)

    kinds = (AnswerPosted, AnswerAccepted)
    for kind in kinds:
        events.subscribe(kind, record, phase=events.IN_TRANSACTION)
    yield seen
    for kind in kinds:
        events.unsubscribe(kind, record)


def test_a_duplicate_after_commit_delivery_of_an_answer_notifies_once(customer, helper, emitted):
    q = QuestionFactory(author=customer)
    mentioned = UserFactory(username="mara")
    services.post_answer(actor=helper, question=q, body="Ask @mara, she fixed it " * 2)
    # The bell's handler ran once after the commit; deliver the event twice more (a
    # retry after a crash, a duplicated on_commit): in its own transaction, as core.events.
    (event,) = [e for e in emitted if isinstance(e, AnswerPosted)]
    for _ in range(2):
        with transaction.atomic():
            handlers.notify_answer(event)
    rows = Notification.objects.filter(question=q).order_by("recipient_id")
    assert [(n.recipient_id, n.kind) for n in rows] == sorted(
        [(customer.pk, "answer"), (mentioned.pk, "mention")]
    )


def test_a_duplicate_delivery_of_an_acceptance_notifies_once(customer, helper, emitted):
    q = QuestionFactory(author=customer)
    answer = services.post_answer(actor=helper, question=q, body="Restart the phone " * 3)
    services.accept_answer(actor=customer, answer=answer)
    assert Notification.objects.filter(recipient=helper, kind="accepted").count() == 1
    (event,) = [e for e in emitted if isinstance(e, AnswerAccepted)]
    with transaction.atomic():
        handlers.notify_acceptance(event)
    assert Notification.objects.filter(recipient=helper, kind="accepted").count() == 1


def test_notify_member_with_a_key_is_harmless_when_run_again(customer):
    first = notify_member(customer, "badge", "You earned the %(badge)s badge.", key="badge:1")
    again = notify_member(customer, "badge", "You earned the %(badge)s badge.", key="badge:1")
    assert first is not None
    assert again is None
    assert Notification.objects.filter(recipient=customer, key="badge:1").count() == 1
    # Without a key nothing is deduplicated, and another member has keys of their own.
    notify_member(customer, "sla", "SLA alert")
    notify_member(customer, "sla", "SLA alert")
    assert Notification.objects.filter(recipient=customer, kind="sla").count() == 2
    other = UserFactory()
    assert notify_member(other, "badge", "You earned the %(badge)s badge.", key="badge:1")


def test_the_database_refuses_a_second_row_with_the_same_key(customer):
    Notification.objects.create(recipient=customer, kind="badge", key="badge:7")
    with pytest.raises(IntegrityError), transaction.atomic():
        Notification.objects.create(recipient=customer, kind="badge", key="badge:7")
