"""Helpers for the advocate programme's tests: members at chosen distances from each
threshold, and a snapshot of what the programme writes."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from advocacy.models import AuditEntry, CloseVote, EditSuggestion
from forum.models import Notification, Question, Revision, User
from tests.factories import AnswerFactory, QuestionFactory, UserFactory

# The default rules (advocacy.models.programme).
REPUTATION, ACCEPTED, AGE_DAYS, CLEAN_DAYS, ACCURACY = 3000, 25, 60, 90, 80


def accepted_answers(member: User, n: int) -> None:
    """Give `member` `n` accepted answers (each on its own question)."""
    for _ in range(n):
        answer = AnswerFactory(author=member, question=QuestionFactory())
        Question.objects.filter(pk=answer.question_id).update(accepted_answer=answer)


def candidate(
    username: str = "gianna",
    *,
    reputation: int = REPUTATION,
    accepted: int = ACCEPTED,
    age_days: int = AGE_DAYS,
) -> User:
    """A member who meets every rule exactly (unless told otherwise)."""
    member = UserFactory(
        username=username,
        display_name=username.capitalize(),
        reputation=reputation,
        date_joined=timezone.now() - timedelta(days=age_days, hours=1),
    )
    accepted_answers(member, accepted)
    return member


def snapshot() -> dict[str, object]:
    """Every row the programme and community moderation may write, as plain values."""
    return {
        "users": list(User.objects.order_by("pk").values("pk", "is_advocate")),
        "audit": AuditEntry.objects.count(),
        "notifications": Notification.objects.count(),
        "votes": list(CloseVote.objects.order_by("pk").values()),
        "suggestions": list(EditSuggestion.objects.order_by("pk").values()),
        "questions": list(
            Question.objects.order_by("pk").values(
                "pk", "title", "body", "closed_at", "close_reason", "category_id"
            )
        ),
        "revisions": Revision.objects.count(),
    }
