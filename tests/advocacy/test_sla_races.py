"""The SLA sweep and the e-mail tasks racing each other on PostgreSQL (two workers):
every rule step fires once, every breach is alerted once, every e-mail goes once."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.core import mail
from django.db import connection

from advocacy.models import Escalation, SlaRule, SlaRuleFiring
from advocacy.services import escalations
from advocacy.sla.sweep import sweep_sla
from forum import services as forum_services
from forum.models import Notification
from notifications.mail.sending import send_daily_digests, send_instant_emails
from notifications.models import NotificationEmail
from tests.factories import AnswerFactory, QuestionFactory, UserFactory
from tests.pg import POSTGRES_MARKS

pytestmark = [*POSTGRES_MARKS, pytest.mark.django_db(transaction=True)]

T0 = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


def _race(call: Callable[[], Any], times: int = 4) -> list[Any]:
    barrier = threading.Barrier(times)
    results: list[Any] = [None] * times

    def run(index: int) -> None:
        try:
            barrier.wait(timeout=30)
            results[index] = call()
        except Exception as exc:  # noqa: BLE001 - handed back to the test
            results[index] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(times)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads)
    return results


@pytest.fixture(autouse=True)
def _seeded_defaults():
    """Transactional tests flush the tables, seeded rows included: seed them again."""
    from importlib import import_module

    from django.apps import apps

    import_module("advocacy.migrations.0008_seed_sla_defaults").seed(apps, None)


def test_racing_sweeps_alert_escalate_and_breach_once():
    SlaRule.objects.update(active_since=dt.datetime(2020, 1, 1, tzinfo=dt.UTC))
    UserFactory(username="boss", is_staff=True, is_superuser=True)
    customer = UserFactory(username="anna")
    advocate = UserFactory(username="dario", is_advocate=True, reputation=6000)
    advocate.last_login = T0 + dt.timedelta(minutes=55)
    advocate.save(update_fields=["last_login"])
    AnswerFactory(
        question=QuestionFactory(tags=["sim"], created_at=T0, closed_at=T0), author=advocate
    )
    waiting = [QuestionFactory(author=customer, tags=["sim"], created_at=T0) for _ in range(3)]
    late = escalations.escalate_question(
        actor=advocate, question=QuestionFactory(author=customer), reason="x", priority="urgent"
    )
    Escalation.objects.filter(pk=late.pk).update(
        first_response_due_at=T0, resolve_due_at=T0 + dt.timedelta(hours=3)
    )

    now = T0 + dt.timedelta(minutes=61)
    results = _race(lambda: sweep_sla(now=now))

    assert not [r for r in results if isinstance(r, Exception)]
    assert SlaRuleFiring.objects.filter(action="escalate").count() == 3
    assert SlaRuleFiring.objects.filter(action="notify_advocates").count() == 3
    assert Escalation.objects.filter(source="sla").count() == 3
    assert Notification.objects.filter(kind="sla", recipient=advocate).count() == 3
    assert Notification.objects.filter(kind="sla", recipient__username="boss").count() == 1
    assert sorted(q for r in results for q in r.escalated) == sorted(q.pk for q in waiting)


def test_racing_email_tasks_send_each_email_once():
    customer = UserFactory(username="anna")
    helper = UserFactory(username="carla", reputation=1500)
    question = QuestionFactory(author=customer)
    forum_services.post_answer(actor=helper, question=question, body="Restart the phone first.")
    forum_services.post_comment(actor=helper, post=question, body="Which plan do you have?")
    ids = list(Notification.objects.values_list("pk", flat=True))
    # The test backend already sent them after commit (ImmediateBackend): start over.
    NotificationEmail.objects.all().delete()
    mail.outbox = []

    results = _race(lambda: send_instant_emails(ids))
    digests = _race(lambda: send_daily_digests(now=dt.datetime.now(dt.UTC)))

    instant = Notification.objects.filter(kind__in=["answer", "mention", "accepted"]).count()
    assert instant >= 1
    assert sum(results) == instant  # each sent once, by whichever worker got there first
    assert NotificationEmail.objects.count() == instant
    assert sum(digests) == 2  # anna's (the comment) and carla's (her first-answer badge)
    assert len(mail.outbox) == instant + 2
