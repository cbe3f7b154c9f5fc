"""The rules: remind the asker to accept, welcome a verified member, win back a lapsed
helper, route the unanswered to tag followers, and the SLA alerts."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from allauth.account.models import EmailAddress
from django.db.models import Count, Exists, F, OuterRef, Q, Subquery
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop
from taggit.models import TaggedItem

from advocacy.automation import mail
from advocacy.automation.engine import Param, Rule, RuleSettings, Step, opted_out, register
from advocacy.models import AutomationAction
from forum.follows.models import Follow
from forum.models import Answer, Comment, Notification, Question, User, Vote
from notifications.bell import notify_member

DAY = dt.timedelta(days=1)
# Members a rule looks at per run: those it has already done are left out of the query,
# so a backlog larger than this is worked off over the next runs.
CANDIDATES = 500


def _latest(rows):  # noqa: ANN001, ANN202 - a queryset correlated with OuterRef("pk")
    return Subquery(rows.order_by("-created_at").values("created_at")[:1])


def _open_questions():  # noqa: ANN202
    return Question.objects.filter(
        deleted_at__isnull=True,
        hidden_at__isnull=True,
        closed_at__isnull=True,
        accepted_answer__isnull=True,
    ).exclude(category__is_private=True)


def _reminder_due(age: dt.timedelta, delays: list[int]) -> str | None:
    """The latest reminder due for an answer `age` old (`delays` in days, ascending), or
    None: too early, or more than a week past the last reminder's day."""
    for index in range(len(delays) - 1, -1, -1):
        if age >= delays[index] * DAY:
            if index == len(delays) - 1 and age >= (delays[index] + 7) * DAY:
                return None
            return f"reminder-{index + 1}"
    return None


@register
class RemindToAccept(Rule):
    key = "remind_accept"
    member_label = _("Reminders to accept an answer to your questions")
    label = _("Remind the asker to accept")
    description = _(
        "After an answer gets a positive reaction, remind the asker to accept it; stops "
        "when they accept, reply or opt out."
    )
    params = (
        Param("first_days", _("First reminder after (days)"), 3),
        Param("second_days", _("Second reminder after (days)"), 7),
        Param("third_days", _("Last reminder after (days)"), 30),
    )

    def due(self, settings: RuleSettings, now: dt.datetime) -> Iterable[Step]:
        delays = sorted([settings["first_days"], settings["second_days"], settings["third_days"]])
        # The earliest upvoted answer by someone else, per open question.
        liked = (
            Answer.objects.filter(
                deleted_at__isnull=True,
                hidden_at__isnull=True,
                created_at__gte=now - (delays[-1] + 7) * DAY,
                created_at__lte=now - delays[0] * DAY,
                question__in=_open_questions(),
            )
            .filter(Exists(Vote.objects.filter(answer=OuterRef("pk"), value=Vote.UP)))
            .exclude(author_id=F("question__author_id"))
            .select_related("question", "question__author")
            .order_by("question_id", "created_at", "pk")
        )
        first: dict[int, Answer] = {}
        for answer in liked:
            first.setdefault(answer.question_id, answer)
        # The latest step due per question (a step whose successor is due already is
        # skipped), less the steps done already: the window holds every open question
        # answered in the last weeks, thousands on a big forum, and the rule runs every
        # minute, so the replies are looked for only where a reminder would still go.
        steps = {
            question_id: step
            for question_id, answer in first.items()
            if (step := _reminder_due(now - answer.created_at, delays))
        }
        done = set(
            AutomationAction.objects.filter(
                rule=self.key, subject__in=[f"question:{pk}" for pk in steps]
            ).values_list("subject", "step")
        )
        askers = {first[pk].question.author_id for pk in steps}
        out = opted_out(self.key, askers)
        for question_id, step in steps.items():
            answer = first[question_id]
            question = answer.question
            subject = f"question:{question.pk}"
            if (subject, step) in done:
                continue
            if question.author_id in out or not question.author.is_active:
                continue
            replied = (
                Answer.objects.filter(
                    question=question,
                    author_id=question.author_id,
                    created_at__gt=answer.created_at,
                ).exists()
                or Comment.objects.filter(
                    Q(question=question) | Q(answer__question=question),
                    author_id=question.author_id,
                    created_at__gt=answer.created_at,
                ).exists()
            )
            if not replied:
                yield Step(
                    subject=subject,
                    step=step,
                    recipient=question.author,
                    question=question,
                    payload={"answer": answer.pk},
                )

    def perform(self, step: Step, settings: RuleSettings, now: dt.datetime) -> dict | None:
        question = step.question
        notify_member(
            question.author,
            Notification.Kind.ACCEPT_REMINDER,
            gettext_noop("Did an answer solve “%(title)s”? Accept it so others find it."),
            params={"title": question.title},
            link=question.get_absolute_url(),
            question=question,
        )
        return {"answer": step.payload["answer"], "title": question.title}


@register
class Welcome(Rule):
    key = "welcome"
    member_label = _("A welcome with first steps when you join")
    label = _("Welcome a newly verified member")
    description = _("A notification and an e-mail with first steps, once.")
    params = (Param("within_days", _("Members who joined within (days)"), 7, maximum=365),)

    def due(self, settings: RuleSettings, now: dt.datetime) -> Iterable[Step]:
        members = (
            User.objects.filter(
                is_active=True,
                date_joined__gte=now - settings["within_days"] * DAY,
                date_joined__lte=now,
            )
            .filter(Exists(EmailAddress.objects.filter(user=OuterRef("pk"), verified=True)))
            .exclude(
                Exists(AutomationAction.objects.filter(rule=self.key, recipient=OuterRef("pk")))
            )
            .order_by("date_joined", "pk")
        )
        members = list(members[:CANDIDATES])
        out = opted_out(self.key, [m.pk for m in members])
        for member in members:
            if member.pk not in out:
                yield Step(subject=f"user:{member.pk}", step="welcome", recipient=member)

    def perform(self, step: Step, settings: RuleSettings, now: dt.datetime) -> dict | None:
        member = step.recipient
        notify_member(
            member,
            Notification.Kind.WELCOME,
            gettext_noop("Welcome to the community! Follow a few tags to hear of new questions."),
            link="/",
        )
        sent = mail.send_welcome(member, rule=self.key)
        return {"email": sent}


@register
class WinBack(Rule):
    key = "win_back"
    member_label = _("Questions waiting for your help, after a while away")
    label = _("Win back a lapsed helper")
    description = _(
        "A helper with enough accepted answers who has been silent gets one e-mail "
        "listing unanswered questions in their tags, at most once per period."
    )
    params = (
        Param("min_accepted", _("Accepted answers at least"), 5),
        Param("silent_days", _("Silent for (days)"), 30, maximum=365),
    )

    def due(self, settings: RuleSettings, now: dt.datetime) -> Iterable[Step]:
        period = settings["silent_days"] * DAY
        since = now - period
        helpers = (
            User.objects.filter(is_active=True)
            .annotate(
                accepted=Count(
                    "answers", filter=Q(answers__accepted_for__isnull=False), distinct=True
                )
            )
            .filter(accepted__gte=settings["min_accepted"])
            .exclude(last_login__gt=since)
            .exclude(Exists(Answer.objects.filter(author=OuterRef("pk"), created_at__gt=since)))
            .exclude(Exists(Comment.objects.filter(author=OuterRef("pk"), created_at__gt=since)))
            # Written to within the period: this period's e-mail is sent (at most one a
            # period), so the next helpers get their turn.
            .exclude(
                Exists(
                    AutomationAction.objects.filter(
                        rule=self.key, recipient=OuterRef("pk"), created_at__gt=since
                    )
                )
            )
            .annotate(
                last_answer=_latest(Answer.objects.filter(author=OuterRef("pk"))),
                last_comment=_latest(Comment.objects.filter(author=OuterRef("pk"))),
            )
            .order_by("pk")
        )
        # Two queries whatever the number of helpers (pinned by a test).
        helpers = list(helpers[:CANDIDATES])
        out = opted_out(self.key, [h.pk for h in helpers])
        for helper in helpers:
            if helper.pk in out:
                continue
            moments = [helper.last_login, helper.last_answer, helper.last_comment]
            last = max((m for m in moments if m is not None), default=helper.date_joined)
            periods = int((now - last) / period)
            if periods < 1:
                continue
            # One step per full silent period since the last activity: at most one
            # e-mail per period, and a new silence starts a new series.
            yield Step(
                subject=f"user:{helper.pk}",
                step=f"{last:%Y%m%d%H%M%S}-{periods}",
                recipient=helper,
            )

    def perform(self, step: Step, settings: RuleSettings, now: dt.datetime) -> dict | None:
        helper = step.recipient
        # The tags of their accepted answers, as a subquery: one query however many.
        tagged = TaggedItem.objects.filter(
            content_type__app_label="forum",
            content_type__model="question",
            object_id__in=Answer.objects.filter(author=helper, accepted_for__isnull=False).values(
                "question_id"
            ),
        ).values("tag_id")
        questions = list(
            _open_questions()
            .filter(tags__in=tagged, answer_count=0)
            .exclude(author=helper)
            .distinct()
            .order_by("-created_at")[:5]
        )
        if not questions:
            return None  # nothing to offer: the step stays due for a later run
        notify_member(
            helper,
            Notification.Kind.WIN_BACK,
            gettext_noop("Questions in your tags are waiting for an answer: “%(title)s” and more."),
            params={"title": questions[0].title},
            link=questions[0].get_absolute_url(),
            question=questions[0],
        )
        sent = mail.send_win_back(helper, questions, rule=self.key)
        return {"email": sent, "questions": [q.pk for q in questions]}


@register
class RouteUnanswered(Rule):
    key = "route_unanswered"
    member_label = _("Unanswered questions in the tags you follow")
    label = _("Route the unanswered")
    description = _(
        "A question without an answer after N minutes is offered to members who follow "
        "its tags and were active recently."
    )
    params = (
        Param("after_minutes", _("Without an answer for (minutes)"), 60),
        Param("active_days", _("Followers active within (days)"), 7, maximum=365),
        Param("max_members", _("At most this many members"), 10, maximum=100),
    )

    def due(self, settings: RuleSettings, now: dt.datetime) -> Iterable[Step]:
        due_before = now - dt.timedelta(minutes=settings["after_minutes"])
        questions = (
            _open_questions()
            .filter(created_at__lte=due_before, created_at__gte=due_before - 2 * DAY)
            .filter(
                ~Exists(Answer.objects.filter(question=OuterRef("pk"), deleted_at__isnull=True))
            )
            .order_by("created_at", "pk")
        )
        for question in questions[:200]:
            yield Step(subject=f"question:{question.pk}", step="route", question=question)

    def perform(self, step: Step, settings: RuleSettings, now: dt.datetime) -> dict | None:
        question = step.question
        tag_ids = list(question.tags.values_list("pk", flat=True))
        members = list(
            User.objects.filter(is_active=True, last_login__gte=now - settings["active_days"] * DAY)
            .filter(Exists(Follow.objects.filter(user=OuterRef("pk"), tag_id__in=tag_ids)))
            .exclude(pk=question.author_id)
            .exclude(suspended_until__gt=now)
            .order_by("-last_login", "pk")[: settings["max_members"] * 2]
        )
        out = opted_out(self.key, [m.pk for m in members])
        members = [m for m in members if m.pk not in out][: settings["max_members"]]
        for member in members:
            notify_member(
                member,
                Notification.Kind.ROUTED,
                gettext_noop(
                    "Still unanswered in a tag you follow: can you help with “%(title)s”?"
                ),
                params={"title": question.title},
                link=question.get_absolute_url(),
                question=question,
            )
        return {"notified": [m.pk for m in members], "title": question.title}


@register
class SlaAlerts(Rule):
    """The SLA's tiered steps (alert online advocates, then escalate), configured per
    category in the SLA rules; run by the SLA sweep every 30 seconds."""

    key = "sla_alerts"
    label = _("SLA alerts")
    description = _(
        "Alert online advocates, then escalate, when a question waits too long "
        "(steps and delays per category in the SLA rules)."
    )
    enabled_by_default = True
    opt_out = False

    def due(self, settings: RuleSettings, now: dt.datetime) -> Iterable[Step]:
        from advocacy.models import SlaRule
        from advocacy.sla import selectors

        for action in (SlaRule.Action.NOTIFY_ADVOCATES, SlaRule.Action.ESCALATE):
            for scope in selectors.rule_scopes(action):
                for question in selectors.questions_due(scope, now=now)[: selectors.SWEEP_BATCH]:
                    yield Step(
                        subject=f"question:{question.pk}",
                        step=str(action),
                        question=question,
                        payload={"rule": scope.rule},
                    )

    def perform(self, step: Step, settings: RuleSettings, now: dt.datetime) -> dict | None:
        from advocacy.services import sla as sla_services

        firing = sla_services.fire_sla_rule(
            rule=step.payload["rule"], question=step.question, now=now
        )
        if firing is None:
            return None
        return {"action": firing.action, **(firing.data or {})}
