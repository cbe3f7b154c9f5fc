"""Reads for community self-moderation: the close-vote tally, the review queue."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet

from advocacy.models import CloseVote, CommunityRules, EditSuggestion
from forum import permissions
from forum.models import Question, User


def rules() -> CommunityRules:
    """The saved rules, or the defaults (unsaved) until the manager saves them."""
    return CommunityRules.load()


@dataclass(frozen=True)
class Tally:
    """The pending votes of the kind that would change the question now."""

    kind: str  # CloseVote.Kind: "close" for an open question, "reopen" for a closed one
    count: int
    needed: int
    mine: bool


def close_tally(*, question: Question, user: User) -> Tally:
    """One query: the pending votes to close (open question) or reopen (closed one)."""
    kind = CloseVote.Kind.REOPEN if question.is_closed else CloseVote.Kind.CLOSE
    r = rules()
    needed = r.reopen_votes_needed if question.is_closed else r.close_votes_needed
    counts = CloseVote.objects.filter(
        question=question, kind=kind, settled_at__isnull=True
    ).aggregate(
        n=Count("pk"),
        mine=Count("pk", filter=Q(voter_id=user.pk) if user.is_authenticated else Q(pk=None)),
    )
    return Tally(kind=kind, count=counts["n"], needed=needed, mine=bool(counts["mine"]))


def pending_suggestions(*, user: User) -> QuerySet[EditSuggestion]:
    """The review queue: pending suggestions on posts `user` can see, oldest first,
    excluding the reviewer's own."""
    visible = permissions.visible_questions(Question.objects.filter(deleted_at__isnull=True), user)
    return (
        EditSuggestion.objects.filter(status=EditSuggestion.Status.PENDING)
        .filter(Q(question__in=visible) | Q(answer__question__in=visible))
        .filter(Q(answer__isnull=True) | Q(answer__deleted_at__isnull=True))
        .exclude(author_id=user.pk)
        .select_related("author", "question", "answer__question", "category")
        .prefetch_related("question__tags")
        .order_by("created_at", "pk")
    )


def suggestions_by(*, member: User) -> QuerySet[EditSuggestion]:
    """A member's own suggestions, newest first (their outcome and the reviewer's reason)."""
    visible = permissions.visible_questions(Question.objects.all(), member)
    return (
        EditSuggestion.objects.filter(author=member)
        .filter(Q(question__in=visible) | Q(answer__question__in=visible))
        .select_related("question", "answer__question", "reviewer")
        .order_by("-created_at", "-pk")
    )
