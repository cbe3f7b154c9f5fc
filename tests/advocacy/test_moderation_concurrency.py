"""Races on PostgreSQL with real threads (own connection each, released by a barrier):
flags from many members hide a post exactly once, a member's double click opens one
flag, two moderators claiming one item get one claim, resolving twice at once resolves
once and pays each flagger once.
"""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from advocacy.models import AuditEntry, Flag, ModerationSettings, QueueClaim
from advocacy.services import flags as flag_services
from advocacy.services import moderation as services
from forum.models import Question
from gamification.models import PointEvent
from gamification.selectors import reputation_drift
from tests.factories import AnswerFactory, QuestionFactory, UserFactory
from tests.pg import POSTGRES_MARKS, race

pytestmark = [*POSTGRES_MARKS, pytest.mark.django_db(transaction=True)]


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
    results = race(
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
    results = race(
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
    results = race(*[(lambda m=m: services.claim_item(actor=m, item=item)) for m in moderators])
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
    results = race(
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
