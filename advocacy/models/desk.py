"""The escalation desk: escalations, their history, internal notes, canned responses and
staff verdicts on community answers.

Rows are written only by `advocacy.services.escalations`. An escalation is *open* while
its status is open, in progress or waiting on the customer; at most one open escalation
exists per question (a partial unique constraint, so two escalations racing cannot both
open one). Due times come from the SLA policy of its priority (`advocacy.desk.sla`);
while the case waits on the customer the clocks stop (`paused_at`), and resuming moves
both due times later by the pause, so "ordered by due time" stays a plain ORDER BY.

Internal notes (`DeskNote`) are staff-only: no public page, public API, notification or
socket payload other than the staff-only `desk` stream's ids ever carries their text.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

REASON_MAX_LENGTH = 1000
NOTE_MAX_LENGTH = 5000
RESOLUTION_MAX_LENGTH = 2000
CANNED_TITLE_MAX_LENGTH = 100
CANNED_BODY_MAX_LENGTH = 5000


class EscalationStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("escalation status", "Open")
    IN_PROGRESS = "in_progress", pgettext_lazy("escalation status", "In progress")
    WAITING = "waiting_on_customer", pgettext_lazy("escalation status", "Waiting on customer")
    RESOLVED = "resolved", pgettext_lazy("escalation status", "Resolved")
    DISMISSED = "dismissed", pgettext_lazy("escalation status", "Dismissed")


OPEN_STATUSES = (EscalationStatus.OPEN, EscalationStatus.IN_PROGRESS, EscalationStatus.WAITING)
CLOSED_STATUSES = (EscalationStatus.RESOLVED, EscalationStatus.DISMISSED)


class EscalationPriority(models.TextChoices):
    LOW = "low", pgettext_lazy("escalation priority", "Low")
    NORMAL = "normal", pgettext_lazy("escalation priority", "Normal")
    HIGH = "high", pgettext_lazy("escalation priority", "High")
    URGENT = "urgent", pgettext_lazy("escalation priority", "Urgent")


# Higher is more urgent; a second escalation of an open case may only raise it.
PRIORITY_RANK = {"low": 0, "normal": 1, "high": 2, "urgent": 3}


class EscalationSource(models.TextChoices):
    ADVOCATE = "advocate", pgettext_lazy("escalation source", "Advocate or staff")
    FLAG = "flag", pgettext_lazy("escalation source", "Flag: needs staff")
    SLA = "sla", pgettext_lazy("escalation source", "SLA rule")


class Escalation(models.Model):
    question = models.ForeignKey(
        "forum.Question",
        on_delete=models.CASCADE,
        related_name="escalations",
        verbose_name=_("question"),
    )
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=EscalationStatus.choices,
        default=EscalationStatus.OPEN,
    )
    priority = models.CharField(
        _("priority"),
        max_length=10,
        choices=EscalationPriority.choices,
        default=EscalationPriority.NORMAL,
    )
    source = models.CharField(
        _("source"),
        max_length=10,
        choices=EscalationSource.choices,
        default=EscalationSource.ADVOCATE,
    )
    # Empty for the SLA rules' own escalations.
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="escalations_raised",
        verbose_name=_("escalated by"),
    )
    reason = models.TextField(_("reason"), max_length=REASON_MAX_LENGTH)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="escalations_assigned",
        verbose_name=_("assignee"),
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated"), default=timezone.now)

    # SLA clocks (advocacy.desk.sla): due times, when they were met, pauses, breaches.
    first_response_due_at = models.DateTimeField(_("first response due"))
    resolve_due_at = models.DateTimeField(_("resolution due"))
    first_response_at = models.DateTimeField(_("first response"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("closed"), null=True, blank=True)
    # Set while waiting on the customer; the pause is added to both due times on resume.
    paused_at = models.DateTimeField(_("paused since"), null=True, blank=True)
    paused_seconds = models.PositiveIntegerField(_("paused in all (seconds)"), default=0)
    first_response_breached = models.BooleanField(_("first response late"), default=False)
    resolve_breached = models.BooleanField(_("resolution late"), default=False)

    resolution = models.TextField(_("resolution"), max_length=RESOLUTION_MAX_LENGTH, blank=True)

    class Meta:
        ordering = ["resolve_due_at", "pk"]
        verbose_name = _("escalation")
        verbose_name_plural = _("escalations")
        constraints = [
            models.UniqueConstraint(
                fields=["question"],
                condition=Q(status__in=["open", "in_progress", "waiting_on_customer"]),
                name="one_open_escalation_per_question",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "resolve_due_at"], name="escalation_queue_idx"),
            models.Index(fields=["assignee", "status"], name="escalation_assignee_idx"),
            models.Index(fields=["created_by", "-created_at"], name="escalation_creator_idx"),
        ]

    def __str__(self) -> str:
        return f"Escalation {self.pk} of question {self.question_id}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def is_paused(self) -> bool:
        return self.paused_at is not None

    @property
    def next_due_at(self):  # noqa: ANN201 - a datetime
        """The due time that matters now: first response until there is one, then resolution."""
        if self.first_response_at is None:
            return self.first_response_due_at
        return self.resolve_due_at


class EscalationEvent(models.Model):
    """One line of an escalation's history (the desk's case view); append-only."""

    class Kind(models.TextChoices):
        CREATED = "created", pgettext_lazy("escalation event", "escalated")
        JOINED = "joined", pgettext_lazy("escalation event", "escalated again")
        CLAIMED = "claimed", pgettext_lazy("escalation event", "claimed")
        ASSIGNED = "assigned", pgettext_lazy("escalation event", "assigned")
        STATUS = "status", pgettext_lazy("escalation event", "status changed")
        PRIORITY = "priority", pgettext_lazy("escalation event", "priority changed")
        NOTE = "note", pgettext_lazy("escalation event", "internal note")
        ANSWER = "answer", pgettext_lazy("escalation event", "official answer")
        VERDICT = "verdict", pgettext_lazy("escalation event", "answer judged")
        RESOLVED = "resolved", pgettext_lazy("escalation event", "resolved")
        DISMISSED = "dismissed", pgettext_lazy("escalation event", "dismissed")
        BREACHED = "breached", pgettext_lazy("escalation event", "SLA breached")
        SLA = "sla", pgettext_lazy("escalation event", "SLA")

    escalation = models.ForeignKey(Escalation, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # What the line shows: {"from": ..., "to": ...}, {"assignee": username}, {"answer": id},
    # {"reason": text}, {"note": id}. Never an internal note's text.
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["escalation", "created_at"], name="escalation_event_idx")]

    def __str__(self) -> str:
        return f"{self.kind} on escalation {self.escalation_id}"


class DeskNote(models.Model):
    """An internal note on an escalation: staff only, never public."""

    escalation = models.ForeignKey(Escalation, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    body = models.TextField(_("note"), max_length=NOTE_MAX_LENGTH)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("internal note")
        verbose_name_plural = _("internal notes")

    def __str__(self) -> str:
        return f"Note {self.pk} on escalation {self.escalation_id}"


class CannedResponse(models.Model):
    """A reply staff start an official answer from. `{customer}`, `{agent}` and
    `{question}` are replaced by the asker's name, the agent's name and the title."""

    title = models.CharField(_("title"), max_length=CANNED_TITLE_MAX_LENGTH)
    body = models.TextField(_("text"), max_length=CANNED_BODY_MAX_LENGTH)
    language = models.CharField(
        _("language"),
        max_length=8,
        blank=True,
        choices=settings.LANGUAGES,
        help_text=_("Offered to agents working in this language; empty for all."),
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    is_active = models.BooleanField(_("offered"), default=True)
    updated_at = models.DateTimeField(_("updated"), default=timezone.now)

    class Meta:
        ordering = ["position", "title", "pk"]
        verbose_name = _("canned response")
        verbose_name_plural = _("canned responses")

    def __str__(self) -> str:
        return self.title


class Verdict(models.TextChoices):
    CORRECT = "correct", pgettext_lazy("answer verdict", "Correct")
    INCORRECT = "incorrect", pgettext_lazy("answer verdict", "Incorrect")
    UNSAFE = "unsafe", pgettext_lazy("answer verdict", "Unsafe")


class AnswerVerdict(models.Model):
    """Staff's judgement of one community answer, made when resolving an escalation.

    One per answer: judging it again (in a later escalation) replaces the verdict, and
    the points follow (`advocacy.services.escalations`). `author` is the answer's author,
    kept here so a member's accuracy is one indexed count
    (`advocacy.desk.selectors.verdict_accuracy`).
    """

    answer = models.OneToOneField("forum.Answer", on_delete=models.CASCADE, related_name="verdict")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="answer_verdicts"
    )
    escalation = models.ForeignKey(
        Escalation, on_delete=models.SET_NULL, null=True, blank=True, related_name="verdicts"
    )
    verdict = models.CharField(_("verdict"), max_length=10, choices=Verdict.choices)
    judged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    judged_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("answer verdict")
        verbose_name_plural = _("answer verdicts")
        indexes = [models.Index(fields=["author", "verdict"], name="verdict_author_idx")]

    def __str__(self) -> str:
        return f"{self.verdict} for answer {self.answer_id}"
