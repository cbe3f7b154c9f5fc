"""Reads of the escalation desk: the queue, a case, the customer 360 panel, a member's
escalations, canned responses and the accuracy of staff verdicts.

Callers check `advocacy.desk.permissions` first; these return staff-only data (internal
notes, reasons) and never scope by viewer.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import (
    Case,
    Count,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Value,
    When,
)
from django.shortcuts import get_object_or_404
from django.utils import timezone

from advocacy.models import AnswerVerdict, CannedResponse, DeskNote, Escalation, EscalationEvent
from advocacy.models.desk import OPEN_STATUSES, EscalationStatus, Verdict
from core import roles
from forum.models import Answer, Category, Comment, Question, User

QUEUE_STATUSES = ("active", *EscalationStatus.values, "all")


def _with_urgency(qs: QuerySet[Escalation]) -> QuerySet[Escalation]:
    """`next_due` (first response due until there is one, then resolution due) and
    `waiting` (clocks stopped), for ordering by urgency."""
    return qs.annotate(
        next_due=Case(
            When(first_response_at__isnull=True, then=F("first_response_due_at")),
            default=F("resolve_due_at"),
        ),
        waiting=Case(
            When(paused_at__isnull=False, then=Value(1)),
            default=Value(0),
            output_field=IntegerField(),
        ),
        customer_replied=_customer_replied(),
    )


def _customer_replied() -> Exists:
    """While a case waits on the customer: did the asker write in the thread since (a
    comment on the question or an answer, an answer, an edit of the question)? The desk
    shows it, and the SLA sweep puts such a case back in progress (`waiting_with_reply`)."""
    since = OuterRef("paused_at")
    asker = OuterRef("question__author")
    thread = OuterRef("question")
    wrote = (
        Comment.objects.filter(author=asker, created_at__gt=since, deleted_at__isnull=True)
        .filter(Q(question=thread) | Q(answer__question=thread))
        .values("pk")
    )
    answered = Answer.objects.filter(
        author=asker, question=thread, created_at__gt=since, deleted_at__isnull=True
    ).values("pk")
    edited = Question.objects.filter(pk=thread, edited_at__gt=since).values("pk")
    return Exists(wrote) | Exists(answered) | Exists(edited)


def waiting_with_reply() -> QuerySet[Escalation]:
    """Cases waiting on the customer whose customer has written in the thread since."""
    return (
        Escalation.objects.filter(status=EscalationStatus.WAITING, paused_at__isnull=False)
        .filter(_customer_replied())
        .order_by("paused_at", "pk")
    )


def desk_queue(
    *,
    user: User,
    status: str = "active",
    mine: bool = False,
    unassigned: bool = False,
    assignee_id: int | None = None,
    priority: str = "",
    category: Category | None = None,
) -> QuerySet[Escalation]:
    """The desk's queue, most urgent first.

    Open cases come by the due time that matters now (waiting-on-customer cases, whose
    clocks are stopped, after the others); closed ones, most recently closed first.
    `status`: "active" (open, in progress, waiting), one status, or "all".
    """
    qs = Escalation.objects.select_related(
        "question", "question__category", "question__author", "assignee", "created_by"
    )
    if status == "active":
        qs = qs.filter(status__in=OPEN_STATUSES)
    elif status in EscalationStatus.values:
        qs = qs.filter(status=status)
    if mine:
        qs = qs.filter(assignee=user)
    if unassigned:
        qs = qs.filter(assignee__isnull=True)
    if assignee_id is not None:
        qs = qs.filter(assignee_id=assignee_id)
    if priority:
        qs = qs.filter(priority=priority)
    if category is not None:
        qs = qs.filter(question__category=category)
    qs = _with_urgency(qs)
    if status in ("resolved", "dismissed"):
        return qs.order_by("-resolved_at", "-pk")
    closed_last = Case(
        When(status__in=OPEN_STATUSES, then=Value(0)),
        default=Value(1),
        output_field=IntegerField(),
    )
    return qs.order_by(closed_last, "waiting", "next_due", "pk")


def queue_counts(*, user: User) -> dict[str, int]:
    """The numbers on the desk's filter tabs (one query)."""
    return Escalation.objects.filter(status__in=OPEN_STATUSES).aggregate(
        active=Count("pk"),
        mine=Count("pk", filter=Q(assignee=user)),
        unassigned=Count("pk", filter=Q(assignee__isnull=True)),
        breached=Count(
            "pk",
            filter=Q(first_response_breached=True)
            | Q(resolve_breached=True)
            | Q(first_response_at__isnull=True, first_response_due_at__lt=timezone.now())
            | Q(resolve_due_at__lt=timezone.now(), paused_at__isnull=True),
        ),
    )


def get_escalation(*, pk: int) -> Escalation:
    qs = _with_urgency(
        Escalation.objects.select_related(
            "question", "question__author", "question__category", "assignee", "created_by"
        )
    )
    return get_object_or_404(qs, pk=pk)


@dataclass
class HistoryLine:
    """One line of a case's history: an event, with its note when it is one."""

    event: EscalationEvent
    note: DeskNote | None = None


def case_history(*, escalation: Escalation) -> list[HistoryLine]:
    """The case's events, oldest first, with the text of its internal notes (two queries)."""
    events = list(escalation.events.select_related("actor"))
    notes = {n.pk: n for n in escalation.notes.select_related("author")}
    return [
        HistoryLine(e, notes.get(e.data.get("note")) if e.kind == "note" else None) for e in events
    ]


def case_answers(*, escalation: Escalation) -> list[Answer]:
    """The thread's community answers staff may judge, with their current verdict
    (`answer.current_verdict`, '' when none)."""
    answers = list(
        Answer.objects.filter(
            question_id=escalation.question_id, deleted_at__isnull=True, is_official=False
        )
        .select_related("author")
        .order_by("-score", "created_at")
    )
    verdicts = dict(
        AnswerVerdict.objects.filter(answer__in=answers).values_list("answer_id", "verdict")
    )
    for answer in answers:
        answer.current_verdict = verdicts.get(answer.pk, "")
    return answers


def staff_members() -> list[User]:
    """Who a case can be assigned to."""
    return list(User.objects.filter(roles.staff_q(), is_active=True).order_by("username"))


# The customer 360 panel --------------------------------------------------------------------


@dataclass
class Customer360:
    member: User
    rank: object
    question_count: int
    answer_count: int
    accepted_count: int
    recent_questions: list[Question]
    recent_answers: list[Answer]
    badges: dict[str, object]
    escalations: list[Escalation]
    crm: list[tuple[str, str]] = field(default_factory=list)
    crm_available: bool = False


def crm_attributes(member: User) -> tuple[bool, list[tuple[str, str]]]:
    """The CRM attributes the company keeps about `member`, as (available, (name, value)
    pairs), from the CRM import (`advocacy.crm.crm_attributes_for`)."""
    from advocacy.crm import crm_attributes_for

    return True, crm_attributes_for(member)


def customer_360(*, member: User, exclude: Escalation | None = None) -> Customer360:
    """Everything the desk shows about the customer: their questions and answers,
    reputation and rank, badges, earlier escalations, and the CRM attributes."""
    from gamification.ranks import rank_for
    from gamification.selectors import badge_summary

    questions = Question.objects.filter(author=member, deleted_at__isnull=True)
    answers = Answer.objects.filter(author=member, deleted_at__isnull=True)
    earlier = Escalation.objects.filter(question__author=member).select_related("question")
    if exclude is not None:
        earlier = earlier.exclude(pk=exclude.pk)
    available, crm = crm_attributes(member)
    return Customer360(
        member=member,
        rank=rank_for(member.reputation),
        question_count=questions.count(),
        answer_count=answers.count(),
        accepted_count=answers.filter(accepted_for__isnull=False).count(),
        recent_questions=list(questions.order_by("-created_at")[:5]),
        recent_answers=list(answers.select_related("question").order_by("-created_at")[:5]),
        badges=badge_summary(member=member),
        escalations=list(earlier.order_by("-created_at")[:10]),
        crm=crm,
        crm_available=available,
    )


# Advocates ---------------------------------------------------------------------------------


def escalations_by(*, member: User) -> QuerySet[Escalation]:
    """The escalations `member` raised or joined, and those of the questions `member`
    asked (the "my escalations" page), newest first."""
    return (
        Escalation.objects.filter(
            Q(created_by=member)
            | Q(events__actor=member, events__kind="joined")
            | Q(question__author=member)
        )
        .distinct()
        .select_related("question", "assignee")
        .order_by("-created_at")
    )


def open_escalation(*, question: Question) -> Escalation | None:
    return (
        Escalation.objects.filter(question=question, status__in=OPEN_STATUSES)
        .select_related("assignee")
        .first()
    )


def verdict_accuracy(member: User) -> tuple[int, int]:
    """(answers staff judged correct, answers staff judged) for `member`'s answers.

    Used by the advocate programme (accuracy >= 80 %). One query.
    """
    totals = AnswerVerdict.objects.filter(author=member).aggregate(
        judged=Count("pk"), correct=Count("pk", filter=Q(verdict=Verdict.CORRECT))
    )
    return totals["correct"], totals["judged"]


# Canned responses --------------------------------------------------------------------------


def canned_responses(*, language: str = "") -> list[CannedResponse]:
    qs = CannedResponse.objects.filter(is_active=True)
    if language:
        qs = qs.filter(Q(language="") | Q(language=language[:2]))
    return list(qs)


def fill_placeholders(text: str, *, escalation: Escalation, agent: User) -> str:
    """`{customer}`, `{agent}` and `{question}` replaced; any other braces left as typed."""
    values = {
        "{customer}": escalation.question.author.name,
        "{agent}": agent.name,
        "{question}": escalation.question.title,
    }
    for placeholder, value in values.items():
        text = text.replace(placeholder, value)
    return text
