"""Helpers for the points tests: ledger-backed members and the invariants of QUALITY.md."""

from __future__ import annotations

import io

from django.core.management import call_command

from forum.models import Question, User, Vote
from forum.selectors import counter_drift
from gamification.selectors import reputation_drift
from tests.events import published  # noqa: F401 - re-exported for the tests
from tests.factories import UserFactory


def assert_invariants() -> None:
    """Cached reputation == ledger; score == sum of votes; one vote per (post, voter); one
    accepted answer per question; and `recompute_reputation --check` agrees (exit 0)."""
    assert reputation_drift() == []
    assert {k: v for k, v in counter_drift().items() if v} == {}
    out = io.StringIO()
    call_command("recompute_reputation", "--check", stdout=out)
    assert out.getvalue() == (
        "Every cached reputation and leaderboard counter matches the ledger.\n"
    )
    for field in ("question", "answer"):
        pairs = list(Vote.objects.filter(**{f"{field}__isnull": False}).values_list("voter", field))
        assert len(pairs) == len(set(pairs))
    accepted = Question.objects.filter(accepted_answer__isnull=False).select_related(
        "accepted_answer"
    )
    assert all(q.accepted_answer.question_id == q.pk for q in accepted)


def member(reputation: int = 1, **kwargs) -> User:  # noqa: ANN003
    """A member whose reputation is backed by the ledger (an adjustment row)."""
    return UserFactory(reputation=reputation, **kwargs)


def rep(user: User) -> int:
    return User.objects.values_list("reputation", flat=True).get(pk=user.pk)


def voters(n: int, reputation: int = 200, prefix: str = "voter") -> list[User]:
    return [member(reputation, username=f"{prefix}{i:02d}") for i in range(n)]
