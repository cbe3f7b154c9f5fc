"""Keep `QuestionHealth` (one narrow row per question) equal to what the source tables say.

`refresh(ids)` recomputes the rows of those questions (every question when `ids` is None)
with the definitions of `figures` and upserts them: two queries whatever the number of
ids. Who calls it: the forum's domain events (`register`, in the event's transaction), the
moderation and escalation services (hiding, escalating), the seeding of the demo data,
the migration that created the table, and `manage.py health_facts` (`--check` lists the
rows that differ; without it they are repaired), which is also what to run after what no
event announces: a member becoming staff (or no longer), say.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Exists, Min, OuterRef, Subquery

from advocacy.health.figures import minutes
from advocacy.models import Escalation, QuestionHealth
from core import events, roles
from forum import events as forum_events
from forum.models import Answer, Question

FIELDS = [
    "created_at",
    "asker_id",
    "category_id",
    "deleted",
    "hidden",
    "first_answer_minutes",
    "community_first_answer_minutes",
    "solved",
    "community_solved",
    "escalated",
    "accepted_helper_id",
    "accepted_answer_at",
]
BATCH = 2000


def compute_rows(ids: Iterable[int] | None = None) -> list[QuestionHealth]:
    """The rows the source tables give for those questions (all when `ids` is None)."""
    answers = Answer.objects.filter(
        question=OuterRef("pk"), deleted_at__isnull=True, hidden_at__isnull=True
    ).exclude(author=OuterRef("author"))
    first = answers.order_by().values("question").annotate(t=Min("created_at")).values("t")
    community = answers.exclude(roles.staff_q("author"))
    first_community = community.order_by().values("question").annotate(t=Min("created_at"))
    questions = Question.objects.order_by("pk")
    if ids is not None:
        questions = questions.filter(pk__in=list(ids))
    rows = []
    for q in questions.annotate(
        first_at=Subquery(first),
        community_first_at=Subquery(first_community.values("t")),
        has_escalation=Exists(Escalation.objects.filter(question=OuterRef("pk"))),
        accepted_by_staff=roles.staff_flag("accepted_answer__author"),
    ).values(
        "pk",
        "created_at",
        "author_id",
        "category_id",
        "deleted_at",
        "hidden_at",
        "first_at",
        "community_first_at",
        "has_escalation",
        "accepted_answer_id",
        "accepted_answer__author_id",
        "accepted_by_staff",
        "accepted_answer__created_at",
        "accepted_answer__deleted_at",
    ):
        created = q["created_at"]
        solved = q["accepted_answer_id"] is not None
        by_staff = bool(q["accepted_by_staff"])
        helper_accepted = solved and not by_staff and q["accepted_answer__deleted_at"] is None
        rows.append(
            QuestionHealth(
                question_id=q["pk"],
                created_at=created,
                asker_id=q["author_id"],
                category_id=q["category_id"],
                deleted=q["deleted_at"] is not None,
                hidden=q["hidden_at"] is not None,
                first_answer_minutes=minutes(q["first_at"] - created) if q["first_at"] else None,
                community_first_answer_minutes=(
                    minutes(q["community_first_at"] - created) if q["community_first_at"] else None
                ),
                solved=solved,
                community_solved=solved and not by_staff,
                escalated=q["has_escalation"],
                accepted_helper_id=q["accepted_answer__author_id"] if helper_accepted else None,
                accepted_answer_at=q["accepted_answer__created_at"] if helper_accepted else None,
            )
        )
    return rows


def refresh(ids: Iterable[int] | None = None) -> int:
    """Recompute and store the rows of those questions (all when None); how many."""
    ids = None if ids is None else list(ids)
    done = 0
    chunks = [None] if ids is None else [ids[i : i + BATCH] for i in range(0, len(ids), BATCH)]
    for chunk in chunks:
        rows = compute_rows(chunk)
        QuestionHealth.objects.bulk_create(
            rows,
            batch_size=BATCH,
            update_conflicts=True,
            unique_fields=["question"],
            update_fields=FIELDS,
        )
        done += len(rows)
    return done


def differences() -> list[int]:
    """The questions whose stored row is missing or differs from the source tables."""
    stored = {
        row["question_id"]: row for row in QuestionHealth.objects.values("question_id", *FIELDS)
    }
    wrong = []
    for row in compute_rows():
        mine = stored.get(row.question_id)
        if mine is None or any(mine[name] != getattr(row, name) for name in FIELDS):
            wrong.append(row.question_id)
    return wrong


def refresh_question(event: events.DomainEvent) -> None:
    """A forum event changed what the question's row says (asked, answered, accepted,
    unaccepted, deleted, moved): recompute it in the event's transaction."""
    refresh([event.question_id])


def register() -> None:
    for event_type in (
        forum_events.QuestionAsked,
        forum_events.AnswerPosted,
        forum_events.AnswerAccepted,
        forum_events.AnswerUnaccepted,
        forum_events.PostDeleted,
        forum_events.QuestionMoved,
    ):
        events.subscribe(event_type, refresh_question, phase=events.IN_TRANSACTION)
