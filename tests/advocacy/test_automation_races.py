"""Two workers running the automation rules at the same moment on PostgreSQL: each
step is done once (one log row, one notification, one e-mail)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail

from advocacy.automation.engine import run_rule
from advocacy.models import AutomationAction, AutomationRule
from forum.models import Notification, Vote
from tests.factories import AnswerFactory, QuestionFactory, UserFactory
from tests.pg import POSTGRES_MARKS, race

pytestmark = [*POSTGRES_MARKS, pytest.mark.django_db(transaction=True)]

T0 = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
DAY = dt.timedelta(days=1)


def test_two_workers_remind_and_welcome_once(time_machine):
    time_machine.move_to(T0, tick=False)
    for key in ("remind_accept", "welcome"):
        AutomationRule.objects.create(key=key, enabled=True)
    askers = [UserFactory() for _ in range(5)]
    for asker in askers:
        answer = AnswerFactory(question=QuestionFactory(author=asker), created_at=T0)
        Vote.objects.create(voter=UserFactory(), answer=answer, value=Vote.UP)
    newcomers = [UserFactory(date_joined=T0 + 3 * DAY) for _ in range(3)]
    time_machine.move_to(T0 + 3 * DAY, tick=False)

    def worker() -> int:
        return len(run_rule("remind_accept")) + len(run_rule("welcome"))

    results = race(worker, worker)

    assert not [r for r in results if isinstance(r, Exception)], results
    assert sum(results) == len(askers) + len(newcomers)
    assert AutomationAction.objects.filter(rule="remind_accept").count() == len(askers)
    assert AutomationAction.objects.filter(rule="welcome").count() == len(newcomers)
    assert Notification.objects.filter(recipient__in=askers).count() == len(askers)
    assert Notification.objects.filter(recipient__in=newcomers).count() == len(newcomers)
    # One welcome e-mail each (the reminders go by the members' e-mail preferences).
    welcomes = sorted(m.to[0] for m in mail.outbox if "Welcome" in m.subject)
    assert welcomes == sorted(u.email for u in newcomers)
    reminded = sorted(m.to[0] for m in mail.outbox if m.to[0] in {a.email for a in askers})
    assert reminded == sorted(a.email for a in askers)
