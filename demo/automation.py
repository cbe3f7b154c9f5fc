"""Demo data for the automation rules (called by `demo.seeding.seed_demo`).

The rules are switched on, and each shows something in the activity log: a real
reminder to accept (done by the engine, so its notification exists too), a welcome, a
win-back e-mail and a routed question, as the worker would have logged them.
Deterministic for a given anchor; re-running adds nothing (the log's unique key).

Also: demo-advocate accepts an answer for an asker away two weeks (the community's
acceptance, through the real service: points, notifications, audit), and two members
have switched some automatic messages off.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Exists, F, OuterRef

from advocacy.automation import optout
from advocacy.automation.engine import Step, do_step, registered, settings_for
from advocacy.models import AutomationAction, AutomationRule
from forum import permissions, services
from forum.models import Answer, Question, User, Vote


def seed_automation(*, anchor: dt.datetime) -> dict[str, int]:
    for key in ("remind_accept", "welcome", "win_back", "route_unanswered"):
        AutomationRule.objects.update_or_create(key=key, defaults={"enabled": True})
    done = 0
    # A real reminder: the asker of an open question whose answer got an upvote.
    liked = (
        Answer.objects.filter(question__accepted_answer__isnull=True, deleted_at__isnull=True)
        .filter(Exists(Vote.objects.filter(answer=OuterRef("pk"), value=Vote.UP)))
        .select_related("question", "question__author")
        .order_by("pk")
        .first()
    )
    if liked is not None:
        rule = registered()["remind_accept"]
        step = Step(
            subject=f"question:{liked.question_id}",
            step="reminder-1",
            recipient=liked.question.author,
            question=liked.question,
            payload={"answer": liked.pk},
        )
        done += do_step(rule, step, settings_for(rule), anchor) is not None
    members = list(User.objects.filter(is_active=True).order_by("-date_joined", "pk")[:3])
    unanswered = list(Question.objects.filter(answer_count=0).order_by("-created_at")[:2])
    rows = [
        AutomationAction(
            rule="welcome",
            subject=f"user:{member.pk}",
            step="welcome",
            recipient=member,
            created_at=anchor - dt.timedelta(hours=6 * (n + 1)),
            detail={"email": True},
        )
        for n, member in enumerate(members[:2])
    ]
    if len(members) > 2:
        rows.append(
            AutomationAction(
                rule="win_back",
                subject=f"user:{members[2].pk}",
                step="demo-1",
                recipient=members[2],
                created_at=anchor - dt.timedelta(days=2),
                detail={"email": True, "questions": [q.pk for q in unanswered]},
            )
        )
    rows += [
        AutomationAction(
            rule="route_unanswered",
            subject=f"question:{question.pk}",
            step="route",
            question=question,
            created_at=anchor - dt.timedelta(hours=n + 1),
            detail={"notified": [m.pk for m in members[:2]], "title": question.title},
        )
        for n, question in enumerate(unanswered)
    ]
    before = AutomationAction.objects.count()
    AutomationAction.objects.bulk_create(rows, ignore_conflicts=True)
    # Members who switched messages off (shown unticked in their e-mail settings).
    choices = (["win_back"], ["remind_accept", "welcome"])
    for member, rules in zip(members[1:], choices, strict=False):
        for rule in rules:
            optout.opt_out(member.pk, rule)
    return {
        "automation actions": done + AutomationAction.objects.count() - before,
        "community acceptances": _accept_for_an_absent_asker(),
    }


def _accept_for_an_absent_asker() -> int:
    """demo-advocate accepts the best answer of the oldest open question whose asker has
    been away two weeks (whatever the policy allows at seeding time)."""
    advocate = User.objects.filter(username="demo-advocate").first()
    if advocate is None:
        return 0
    answers = (
        Answer.objects.filter(
            question__accepted_answer__isnull=True,
            question__category__is_private=False,
            question__closed_at__isnull=True,
            deleted_at__isnull=True,
            hidden_at__isnull=True,
        )
        .exclude(author_id=F("question__author_id"))
        # Not the demo accounts' own threads: their story is told elsewhere (demo.desk).
        .exclude(question__author__username__startswith="demo-")
        .select_related("question", "question__category")
        .order_by("question__created_at", "-score", "pk")[:50]
    )
    for answer in answers:
        if permissions.can_accept_answer(advocate, answer):
            services.accept_answer(actor=advocate, answer=answer)
            # Deterministic for the anchor: the thread's activity stays its last post's.
            Question.objects.filter(pk=answer.question_id).update(
                last_activity_at=answer.question.last_activity_at
            )
            return 1
    return 0
