"""Races on PostgreSQL with real threads (own connection each, released by a barrier):
flags from many members hide a post exactly once, a member's double click opens one
flag, two moderators claiming one item get one claim, resolving twice at once resolves
once and pays each flagger once.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from advocacy.models import AuditEntry, Flag, ModerationSettings, QueueClaim
from advocacy.services import flags as flag_services
from advocacy.services import moderation as services
from forum.models import Question
from gamification.models import PointEvent
from gamification.selectors import reputation_drift
from tests.factories import AnswerFactory, QuestionFactory, UserFactory
from tests.pg import POSTGRES_MARKS

pytestmark = [*POSTGRES_MARKS, pytest.mark.django_db(transaction=True)]


def _race(*calls: Callable[[], Any]) -> list[Any]:
    barrier = threading.Barrier(len(calls))
    results: list[Any] = [None] * len(calls)

    def run(index: int, call: Callable[[], Any]) -> None:
        try:
            barrier.wait(timeout=30)
            results[index] = call()
        except Exception as exc:  # noqa: BLE001 - handed back to the test
            results[index] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads)
    return results


@pytest.fixture(autouse=True)
def _ledger_matches():
    yield
    assert reputation_drift() == []


def _flaggers(n: int) -> list:
    return [UserFactory(username=f"racer{i:02d}", reputation=40) for i in range(n)]


@pytest.mark.parametrize("kind", ["question", "answer"])
def test_eight_members_flagging_at_once_hide_the_post_once(kind):
    ModerationSettings.objects.update_or_create(pk=1, defaults={"auto_hide_threshold": 3})
    author = UserFactory(username="spammer", reputation=10)
    question = QuestionFactory(author=author)
    post = question if kind == "question" else AnswerFactory(question=question, author=author)
    members = _flaggers(8)
    model = type(post)
    results = _race(
        *[
            (
                lambda m=m: flag_services.raise_flag(
                    actor=m, post=model.objects.get(pk=post.pk), reason="spam"
                )
            )
            for m in members
        ]
    )
    assert [r for r in results if isinstance(r, Exception)] == []
    assert Flag.objects.filter(status="open").count() == 8
    post.refresh_from_db()
    assert post.hidden_reason == "flags"
    assert AuditEntry.objects.filter(action="post.auto_hide").count() == 1
    assert AuditEntry.objects.filter(action="flag.create").count() == 8


def test_a_double_click_opens_one_flag():
    question = QuestionFactory(author=UserFactory(username="author1"))
    member = _flaggers(1)[0]
    results = _race(
        *[
            (
                lambda: flag_services.raise_flag(
                    actor=member, post=Question.objects.get(pk=question.pk), reason="rude"
                )
            )
            for _ in range(4)
        ]
    )
    errors = [r for r in results if isinstance(r, Exception)]
    assert len(errors) == 3
    assert all(isinstance(e, ValidationError) for e in errors)
    assert Flag.objects.count() == 1
    assert AuditEntry.objects.filter(action="flag.create").count() == 1


def test_two_moderators_claiming_one_item_get_one_claim():
    question = QuestionFactory(author=UserFactory(username="author2"))
    moderators = [UserFactory(username=f"mod{i}", is_staff=True) for i in range(2)] + [
        UserFactory(username=f"adv{i}", reputation=6000, is_advocate=True) for i in range(2)
    ]
    item = f"flags:question:{question.pk}"
    results = _race(*[(lambda m=m: services.claim_item(actor=m, item=item)) for m in moderators])
    winners = [r for r in results if isinstance(r, QueueClaim)]
    losers = [r for r in results if isinstance(r, services.ClaimedByAnother)]
    assert (len(winners), len(losers)) == (1, 3)
    claim = QueueClaim.objects.get()
    assert claim.moderator_id == winners[0].moderator_id
    assert AuditEntry.objects.filter(action="queue.claim").count() == 1


def test_two_moderators_resolving_at_once_resolve_once_and_pay_once():
    question = QuestionFactory(author=UserFactory(username="author3"))
    members = _flaggers(3)
    flags = [flag_services.raise_flag(actor=m, post=question, reason="off_topic") for m in members]
    moderators = [UserFactory(username=f"mod{i}", is_staff=True) for i in range(2)]
    results = _race(
        lambda: flag_services.resolve_flags(
            actor=moderators[0], flag=Flag.objects.get(pk=flags[0].pk), action="hide"
        ),
        lambda: flag_services.resolve_flags(
            actor=moderators[1], flag=Flag.objects.get(pk=flags[1].pk), action="lock"
        ),
    )
    done = [r for r in results if not isinstance(r, Exception)]
    refused = [r for r in results if isinstance(r, ValidationError)]
    assert (len(done), len(refused)) == (1, 1)
    assert set(Flag.objects.values_list("status", flat=True)) == {"upheld"}
    awards = PointEvent.objects.filter(rule="flag_upheld")
    assert sorted(awards.values_list("recipient_id", flat=True)) == sorted(m.pk for m in members)
    assert AuditEntry.objects.filter(action="flag.uphold").count() == 3
