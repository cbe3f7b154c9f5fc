"""The badge registry: what each badge is for, when it is checked, and its checks.
Awarding (evaluating a trigger, the award row, the bell, the live event) is
`gamification.badge_awards`.

Badges are checked by the points hooks (`gamification.services.on_*`) inside the forum
service's transaction, right after the event that can earn them: asking, answering,
commenting, voting, being voted on, having an answer accepted. Each check only looks at
badges the member does not hold yet (one query), and an award is an insert that the unique
constraint (member, badge, scope) lets through once, so two requests racing to award the
same badge award it once. Badges are never taken back: a withdrawn vote does not unmake
the moment the member reached the mark.

Thresholds and on/off switches are stored (`Badge` rows, read through `rules.tuning()`);
the numbers here are the defaults.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta

from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from forum.models import Answer, Comment, Question, User, Vote
from gamification.models import Tier

# Triggers: what just happened.
ASKED = "asked"  # member asked `question`
ANSWERED = "answered"  # member posted `answer`
COMMENTED = "commented"  # member commented
VOTED = "voted"  # member cast a vote (`value` 1 or -1)
SCORED = "scored"  # member's `post` gained score
ACCEPTED = "accepted"  # member's `answer` was accepted by someone else


@dataclass(frozen=True)
class Grant:
    scope: str = ""
    question_id: int | None = None
    answer_id: int | None = None
    tag_id: int | None = None


@dataclass
class Event:
    """What a check may look at. Checks must not assume more than their trigger gives."""

    trigger: str
    member: User
    question: Question | None = None
    answer: Answer | None = None
    post: Question | Answer | None = None
    value: int = 0
    score: int = 0  # the post's score after the vote, for SCORED
    tag_ids: list[int] = field(default_factory=list)
    memo: dict[str, object] = field(default_factory=dict)


@dataclass(frozen=True)
class BadgeSpec:
    key: str
    tier: str
    name: str
    description: str  # how to earn it; "%(n)s" is the threshold
    triggers: frozenset[str]
    check: Callable[[Event, int | None], list[Grant]]
    threshold: int | None = None
    repeatable: bool = False  # once per answer / question / tag rather than once

    def how_to_earn(self, threshold: int | None) -> str:
        return (
            str(self.description) % {"n": threshold}
            if threshold is not None
            else str(self.description)
        )


# Checks ----------------------------------------------------------------------------------


def _once(event: Event, n: int | None) -> list[Grant]:
    return [Grant(question_id=event.question.pk if event.question else None)]


def _first_answer(event: Event, n: int | None) -> list[Grant]:
    return [Grant(question_id=event.answer.question_id, answer_id=event.answer.pk)]


def _first_upvote(event: Event, n: int | None) -> list[Grant]:
    return [Grant()] if event.value > 0 else []


def _comments(event: Event, n: int | None) -> list[Grant]:
    count = Comment.objects.filter(author=event.member, deleted_at__isnull=True).count()
    return [Grant()] if count >= n else []


def _votes(event: Event, n: int | None) -> list[Grant]:
    return [Grant()] if Vote.objects.filter(voter=event.member).count() >= n else []


def _answer_score(event: Event, n: int | None) -> list[Grant]:
    answer = event.post
    if not isinstance(answer, Answer) or event.score < n:
        return []
    return [Grant(f"answer:{answer.pk}", question_id=answer.question_id, answer_id=answer.pk)]


def _question_score(event: Event, n: int | None) -> list[Grant]:
    question = event.post
    if not isinstance(question, Question) or event.score < n:
        return []
    return [Grant(f"question:{question.pk}", question_id=question.pk)]


def _accepted_count(event: Event, n: int | None) -> list[Grant]:
    """Answers of the member accepted by someone else (accepting your own counts for none)."""
    count = (
        Answer.objects.filter(
            author=event.member, deleted_at__isnull=True, accepted_for__isnull=False
        )
        .exclude(question__author=event.member)
        .count()
    )
    return [Grant()] if count >= n else []


def _fast_accept(event: Event, n: int | None) -> list[Grant]:
    question = event.answer.question
    if timezone.now() - question.created_at > timedelta(minutes=n):
        return []
    return [Grant(question_id=question.pk, answer_id=event.answer.pk)]


def _streak(event: Event, n: int | None) -> list[Grant]:
    """Answers on `n` consecutive local days, ending today."""
    today = timezone.localdate()
    since = today - timedelta(days=n - 1)
    days = {
        timezone.localdate(created)
        for created in Answer.objects.filter(
            author=event.member,
            created_at__gte=timezone.now() - timedelta(days=n + 1),
        ).values_list("created_at", flat=True)
    }
    return [Grant()] if all(since + timedelta(days=i) in days for i in range(n)) else []


def tag_scores(member: User, tag_ids: list[int]) -> dict[int, int]:
    """The member's total answer score in each tag (live answers on live questions)."""
    rows = (
        Answer.objects.filter(
            author=member,
            deleted_at__isnull=True,
            question__deleted_at__isnull=True,
            question__tags__id__in=tag_ids,
        )
        .values("question__tags__id")
        .annotate(s=Sum("score"))
        .values_list("question__tags__id", "s")
    )
    return dict(rows)


def _tag_score(event: Event, n: int | None) -> list[Grant]:
    if not isinstance(event.post, Answer) or not event.tag_ids:
        return []
    if "tag_scores" not in event.memo:  # three tiers, one query
        event.memo["tag_scores"] = tag_scores(event.member, event.tag_ids)
    scores = event.memo["tag_scores"]
    return [Grant(f"tag:{tag}", tag_id=tag) for tag, total in scores.items() if total >= n]


def _spec(key, tier, name, description, triggers, check, threshold=None, repeatable=False):  # noqa: ANN001, ANN202, PLR0913
    return BadgeSpec(
        key, tier, name, description, frozenset(triggers), check, threshold, repeatable
    )


B, S, G = Tier.BRONZE, Tier.SILVER, Tier.GOLD

BADGES: dict[str, BadgeSpec] = {
    spec.key: spec
    for spec in (
        _spec("curious", B, _("Curious"), _("Ask your first question."), {ASKED}, _once),
        _spec(
            "first-answer", B, _("First answer"), _("Answer a question."), {ANSWERED}, _first_answer
        ),
        _spec(
            "supporter",
            B,
            _("Supporter"),
            _("Vote a post up for the first time."),
            {VOTED},
            _first_upvote,
        ),  # fmt: skip
        _spec(
            "commentator",
            B,
            _("Commentator"),
            _("Leave %(n)s comments."),
            {COMMENTED},
            _comments,
            10,
        ),  # fmt: skip
        _spec("civic-duty", S, _("Civic duty"), _("Vote %(n)s times."), {VOTED}, _votes, 100),
        _spec(
            "well-received",
            B,
            _("Well-received question"),
            _("Ask a question that reaches a score of %(n)s."),
            {SCORED},
            _question_score,
            5,
            repeatable=True,
        ),  # fmt: skip
        _spec(
            "good-answer",
            S,
            _("Good answer"),
            _("Write an answer that reaches a score of %(n)s."),
            {SCORED},
            _answer_score,
            10,
            repeatable=True,
        ),  # fmt: skip
        _spec(
            "great-answer",
            G,
            _("Great answer"),
            _("Write an answer that reaches a score of %(n)s."),
            {SCORED},
            _answer_score,
            25,
            repeatable=True,
        ),  # fmt: skip
        _spec(
            "problem-solver",
            B,
            _("Problem solver"),
            _("Have an answer accepted."),
            {ACCEPTED},
            _accepted_count,
            1,
        ),  # fmt: skip
        _spec(
            "troubleshooter",
            S,
            _("Troubleshooter"),
            _("Have %(n)s answers accepted."),
            {ACCEPTED},
            _accepted_count,
            10,
        ),  # fmt: skip
        _spec(
            "expert",  # the key stays; the name differs from the 1,000-reputation rank "Expert"
            G,
            _("Authority"),
            _("Have %(n)s answers accepted."),
            {ACCEPTED},
            _accepted_count,
            50,
        ),  # fmt: skip
        _spec(
            "guru",
            G,
            _("Guru"),
            _("Have %(n)s answers accepted."),
            {ACCEPTED},
            _accepted_count,
            150,
        ),  # fmt: skip
        _spec(
            "quick-fix",
            B,
            _("Quick fix"),
            _("Have your answer accepted within %(n)s minutes of the question being asked."),
            {ACCEPTED},
            _fast_accept,
            15,
        ),  # fmt: skip
        _spec(
            "regular",
            S,
            _("Regular helper"),
            _("Answer questions on %(n)s days in a row."),
            {ANSWERED},
            _streak,
            7,
        ),  # fmt: skip
        _spec(
            "tag-bronze",
            B,
            _("Tag specialist (bronze)"),
            _("Reach a total answer score of %(n)s in one tag (once per tag)."),
            {SCORED},
            _tag_score,
            10,
            repeatable=True,
        ),  # fmt: skip
        _spec(
            "tag-silver",
            S,
            _("Tag specialist (silver)"),
            _("Reach a total answer score of %(n)s in one tag (once per tag)."),
            {SCORED},
            _tag_score,
            50,
            repeatable=True,
        ),  # fmt: skip
        _spec(
            "tag-gold",
            G,
            _("Tag specialist (gold)"),
            _("Reach a total answer score of %(n)s in one tag (once per tag)."),
            {SCORED},
            _tag_score,
            150,
            repeatable=True,
        ),  # fmt: skip
    )
}

BY_TRIGGER: dict[str, list[BadgeSpec]] = {}
for _badge in BADGES.values():
    for _trigger in _badge.triggers:
        BY_TRIGGER.setdefault(_trigger, []).append(_badge)
