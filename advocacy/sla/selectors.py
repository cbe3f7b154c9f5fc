"""Reads for the SLA timers: which questions a rule step is due for, which advocates are
online for a question's tags, who hears of breaches."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Exists, OuterRef, Q, QuerySet

from advocacy.models import Escalation, SlaRule, SlaRuleFiring, SlaSettings
from advocacy.models.desk import OPEN_STATUSES
from core import roles
from forum.models import Answer, Comment, Question, User, Vote

# At most this many questions per step per sweep: a backlog is worked off over a few
# sweeps instead of one long transaction.
SWEEP_BATCH = 200
# At most this many advocates alerted for one question.
MAX_ADVOCATES_ALERTED = 10


def horizon() -> dt.timedelta:
    """How far past its due moment a question is still swept (setting
    CIRCOLO_SLA_HORIZON_HOURS, default 48): the sweep reads a bounded, indexed slice of
    recent questions, not the whole history, every 30 seconds; a step missed for longer
    (workers down for days) is not done late."""
    return dt.timedelta(hours=getattr(settings, "CIRCOLO_SLA_HORIZON_HOURS", 48))


def online_window() -> dt.timedelta:
    """An advocate is "online" when active (logged in, answered, commented or voted)
    within this window (setting CIRCOLO_SLA_ONLINE_MINUTES, default 30)."""
    return dt.timedelta(minutes=getattr(settings, "CIRCOLO_SLA_ONLINE_MINUTES", 30))


@dataclass(frozen=True)
class RuleScope:
    """One enabled rule and the categories it covers (`None` in `categories` is
    "questions without a category"); `exclude` lists the categories that have their own
    rule for this step (for the default rule)."""

    rule: SlaRule
    categories: tuple[int | None, ...] | None  # None: every category but `exclude`
    exclude: tuple[int, ...] = ()


def rule_scopes(action: str) -> list[RuleScope]:
    """The enabled rules for a step: each category's own rule, then the default rule for
    every category without one (a category whose own rule is disabled is not covered by
    the default: disabling is how a manager turns a step off for one category)."""
    rules = list(SlaRule.objects.filter(action=action))
    own = [rule for rule in rules if rule.category_id is not None]
    scopes = [RuleScope(rule=rule, categories=(rule.category_id,)) for rule in own if rule.enabled]
    default = next((rule for rule in rules if rule.category_id is None), None)
    if default is not None and default.enabled:
        scopes.append(
            RuleScope(
                rule=default, categories=None, exclude=tuple(rule.category_id for rule in own)
            )
        )
    return scopes


def _community_answers() -> QuerySet[Answer]:
    return Answer.objects.filter(
        question=OuterRef("pk"), deleted_at__isnull=True, hidden_at__isnull=True, is_official=False
    )


def questions_due(scope: RuleScope, *, now: dt.datetime) -> QuerySet[Question]:
    """Questions of the scope's categories, asked at least `after_minutes` ago (and after
    the rule took effect), still waiting for this step, oldest first.

    Waiting: public (not in a private category), not deleted, hidden, closed or solved,
    never escalated, and the step has not fired for it; for the first step also without
    a community answer (staff's official answers do not count as one)."""
    rule = scope.rule
    due_before = now - dt.timedelta(minutes=rule.after_minutes)
    questions = Question.objects.filter(
        created_at__lte=due_before,
        created_at__gte=max(rule.active_since, due_before - horizon()),
        deleted_at__isnull=True,
        hidden_at__isnull=True,
        closed_at__isnull=True,
        accepted_answer__isnull=True,
    ).exclude(category__is_private=True)
    if scope.categories is not None:
        wanted = [c for c in scope.categories if c is not None]
        condition = Q(category_id__in=wanted)
        if None in scope.categories:
            condition |= Q(category__isnull=True)
        questions = questions.filter(condition)
    elif scope.exclude:
        questions = questions.exclude(category_id__in=scope.exclude)
    questions = questions.filter(
        ~Exists(SlaRuleFiring.objects.filter(question=OuterRef("pk"), action=rule.action)),
        ~Exists(Escalation.objects.filter(question=OuterRef("pk"))),
    )
    if rule.action == SlaRule.Action.NOTIFY_ADVOCATES:
        questions = questions.filter(~Exists(_community_answers()))
    return questions.order_by("created_at", "pk")


def online_advocates_for(question: Question, *, now: dt.datetime) -> list[User]:
    """Advocates who have answered a question with one of `question`'s tags and were
    active within `online_window()`, most recently active first (at most
    MAX_ADVOCATES_ALERTED; never the asker, a suspended or inactive member)."""
    tag_ids = list(question.tags.values_list("pk", flat=True))
    if not tag_ids:
        return []
    since = now - online_window()
    answered_tag = Answer.objects.filter(
        author=OuterRef("pk"),
        deleted_at__isnull=True,
        question__tags__in=tag_ids,
    )
    active = (
        Q(last_login__gte=since)
        | Exists(Answer.objects.filter(author=OuterRef("pk"), created_at__gte=since))
        | Exists(Comment.objects.filter(author=OuterRef("pk"), created_at__gte=since))
        | Exists(Vote.objects.filter(voter=OuterRef("pk"), created_at__gte=since))
    )
    return list(
        User.objects.filter(is_advocate=True, is_active=True)
        .exclude(pk=question.author_id)
        .exclude(suspended_until__gt=now)
        .filter(Exists(answered_tag))
        .filter(active)
        .order_by("-last_login", "pk")[:MAX_ADVOCATES_ALERTED]
    )


def team_leads() -> list[User]:
    """Who hears of SLA breaches: the configured team lead, else every community
    manager (active superusers)."""
    lead = SlaSettings.load("team_lead").team_lead
    if lead is not None and lead.is_active:
        return [lead]
    return list(User.objects.filter(roles.manager_q(), is_active=True).order_by("pk"))


def escalations_breaching(*, now: dt.datetime) -> QuerySet[Escalation]:
    """Open escalations, not paused, past a due time whose breach is not yet recorded."""
    return (
        Escalation.objects.filter(status__in=OPEN_STATUSES, paused_at__isnull=True)
        .filter(
            Q(first_response_at__isnull=True, first_response_due_at__lt=now)
            & Q(first_response_breached=False)
            | Q(resolve_due_at__lt=now, resolve_breached=False)
        )
        .order_by("resolve_due_at", "pk")
    )
