"""Races on PostgreSQL with real threads: two "third" close votes at once close the
question once; one member's double click is one vote; two reviewers approving one
suggestion at once apply it once."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from advocacy.models import AuditEntry, CloseVote, EditSuggestion
from advocacy.services import community as services
from forum.models import CloseReason, Question, Revision
from tests.factories import QuestionFactory, UserFactory
from tests.pg import POSTGRES_MARKS, race

pytestmark = [*POSTGRES_MARKS, pytest.mark.django_db(transaction=True)]


def _vote(member, question):  # noqa: ANN001, ANN202
    return lambda: services.cast_close_vote(
        actor=member, question=question, kind="close", reason=CloseReason.OFF_TOPIC
    )


@pytest.mark.parametrize("round_", range(3))
def test_two_third_votes_at_once_close_the_question_once(round_):
    question = QuestionFactory(title=f"Racing close votes, round {round_}")
    voters = [UserFactory(username=f"racer{round_}{i}", reputation=2000) for i in range(4)]
    _vote(voters[0], question)()
    _vote(voters[1], question)()

    results = race(_vote(voters[2], question), _vote(voters[3], question))

    refused = [r for r in results if isinstance(r, ValidationError)]
    counted = [r for r in results if isinstance(r, CloseVote)]
    assert (len(counted), len(refused)) == (1, 1)
    assert "already closed" in " ".join(refused[0].messages)
    assert Question.objects.get(pk=question.pk).is_closed
    assert AuditEntry.objects.filter(action="question.closed_by_votes").count() == 1
    assert CloseVote.objects.filter(question=question).count() == 3
    assert not CloseVote.objects.filter(question=question, settled_at__isnull=True).exists()


def test_a_double_click_is_one_vote():
    question = QuestionFactory(title="Double click on vote to close")
    member = UserFactory(username="clicker", reputation=2000)
    results = race(_vote(member, question), _vote(member, question))
    assert sum(isinstance(r, CloseVote) for r in results) == 1
    assert sum(isinstance(r, ValidationError) for r in results) == 1
    assert CloseVote.objects.count() == 1
    assert AuditEntry.objects.filter(action="question.close_vote").count() == 1


def test_two_reviewers_approving_at_once_apply_the_edit_once():
    owner = UserFactory(username="owner", reputation=100)
    question = QuestionFactory(author=owner, title="Suggested edits racing", tags=["apn"])
    suggester = UserFactory(username="suggester", reputation=20)
    suggestion = services.suggest_edit(
        actor=suggester,
        post=question,
        title=question.title,
        body="A much clearer body for this question, with every step spelled out.",
        tags=["apn"],
    )
    reviewers = [UserFactory(username=f"reviewer{i}", reputation=1500) for i in range(2)]
    revisions_before = Revision.objects.filter(question=question).count()

    results = race(
        *[
            lambda r=r: services.approve_suggestion(actor=r, suggestion=suggestion)
            for r in reviewers
        ]
    )

    assert sum(isinstance(r, EditSuggestion) for r in results) == 1
    assert sum(isinstance(r, ValidationError) for r in results) == 1
    assert Revision.objects.filter(question=question).count() == revisions_before + 1
    assert AuditEntry.objects.filter(action="suggestion.approve").count() == 1
