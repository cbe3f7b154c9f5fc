"""The points side of `seed_demo` (called by `demo.seeding.Seeder`): ledger rows for the
votes and acceptances the seeder writes, and a small rewards catalogue with redemptions.

Votes and acceptances of the last `RECENT` days are paid as the services would pay them
(the stored rules, the daily cap on vote-derived gains), with the vote's own timestamp,
so the weekly and monthly leaderboards and the rewards balances have something to show.
Older ones are part of the "reputation brought over" (the opening balance), which
`finish` writes last: opening = seeded reputation - 1 - what the recent rows paid (never
below 0). The result keeps `recompute_reputation --check` true: cached reputation, period
counters and rewards balances all equal their ledgers.

Bulk and quiet: no locks, no events published; only for rows the seeder just created.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta

from django.utils import timezone

from forum.models import Answer, Question, User, Vote
from gamification import leaderboards, rules
from gamification.models import PointEvent
from gamification.rewards.models import Reward, RewardAccount
from gamification.rewards.services import (
    approve_redemption,
    credit_for_events,
    redeem_reward,
    refuse_redemption,
)
from gamification.services.balances import recompute_reputation, record_opening_balances

RECENT = timedelta(days=40)  # covers this month and this week
ACCEPTED_AFTER = timedelta(hours=2)  # when the asker accepted, after the answer


class PointsSeeder:
    def __init__(self, *, anchor: datetime) -> None:
        self.anchor = anchor
        self.since = anchor - RECENT
        self.expected: dict[int, int] = {}  # member -> seeded reputation (opening balance)
        self.earned: Counter[int] = Counter()
        self._cap_used: Counter[tuple[int, object]] = Counter()
        self.rows = 0

    def expect_reputation(self, members: list[tuple[int, int]]) -> None:
        """Members just created with these reputations; `finish` writes their opening."""
        self.expected.update(members)

    def record(
        self, *, questions: list[Question], answers: list[Answer], votes: list[Vote]
    ) -> None:
        """Pay the recent votes and acceptances of rows just written (same transaction)."""
        tuning = rules.tuning()
        answer_of = {a.pk: a for a in answers}
        asker_of = {q.pk: q.author_id for q in questions}
        wanted: list[tuple[datetime, str, int, int, str, int | None, int | None]] = []
        for vote in votes:
            if vote.created_at < self.since:
                continue
            if vote.answer_id:
                answer = answer_of[vote.answer_id]
                author, qid, kind = answer.author_id, answer.question_id, "answer"
            else:
                author, qid, kind = asker_of[vote.question_id], vote.question_id, "question"
            key = f"vote:{kind}:{vote.answer_id or vote.question_id}:{vote.voter_id}"
            post = (qid, vote.answer_id)
            if vote.value > 0:
                rule = rules.ANSWER_UPVOTED if vote.answer_id else rules.QUESTION_UPVOTED
                wanted.append((vote.created_at, rule, author, vote.voter_id, key, *post))
            elif vote.answer_id:
                wanted.append((vote.created_at, rules.ANSWER_DOWNVOTED, author, vote.voter_id, key, *post))  # fmt: skip
                wanted.append((vote.created_at, rules.DOWNVOTE_CAST, vote.voter_id, vote.voter_id, key, *post))  # fmt: skip
            else:
                wanted.append((vote.created_at, rules.QUESTION_DOWNVOTED, author, vote.voter_id, key, *post))  # fmt: skip
        for question in questions:
            answer = answer_of.get(question.accepted_answer_id)
            if answer is None:
                continue
            when = min(answer.created_at + ACCEPTED_AFTER, self.anchor)
            if when < self.since:
                continue
            key, post = f"accept:{answer.pk}", (question.pk, answer.pk)
            asker = question.author_id
            wanted.append((when, rules.ANSWER_ACCEPTED, answer.author_id, asker, key, *post))
            wanted.append((when, rules.ACCEPT_BONUS_ASKER, asker, asker, key, *post))
        events = []
        for when, rule_key, recipient, actor, key, qid, aid in sorted(wanted, key=lambda w: w[0]):
            rule = tuning.rules[rule_key]
            if not rule.enabled or rule.delta == 0:
                continue
            day = timezone.localdate(when)
            points = rule.delta
            capped = rule.capped and rule.delta > 0
            if capped:
                room = max(0, tuning.daily_vote_cap - self._cap_used[(recipient, day)])
                points = min(points, room)
                self._cap_used[(recipient, day)] += points
            events.append(
                PointEvent(
                    recipient_id=recipient,
                    actor_id=actor,
                    rule=rule_key,
                    delta=rule.delta,
                    points=points,
                    capped=capped,
                    day=day,
                    key=key,
                    question_id=qid,
                    answer_id=aid,
                    created_at=when,
                )
            )
            self.earned[recipient] += points
        if not events:
            return
        events = PointEvent.objects.bulk_create(events, batch_size=1000)
        leaderboards.bump(events)
        credit_for_events(events, announce=False)
        self.rows += len(events)

    def finish(self) -> None:
        """Opening balances for the members created with a reputation; members that
        existed before (`build_thread` on a seeded database) get their cache recomputed."""
        opening, moved = [], {}
        for pk, reputation in self.expected.items():
            brought = max(0, reputation - 1 - self.earned[pk])
            opening.append((pk, 1 + brought))
            if 1 + brought + self.earned[pk] != reputation:
                moved[pk] = 1 + brought + self.earned[pk]
        record_opening_balances(opening)
        for pk, reputation in moved.items():
            User.objects.filter(pk=pk).update(reputation=reputation)
        if set(self.earned) - set(self.expected):
            recompute_reputation()


# Rewards ----------------------------------------------------------------------------------

CATALOGUE = (
    # name, Italian name, description, Italian description, cost, stock
    (
        "€5 top-up credit",
        "Ricarica da 5 €",
        "Credit added to your line.",
        "Credito aggiunto alla tua linea.",
        50,
        None,
    ),  # fmt: skip
    (
        "€10 top-up credit",
        "Ricarica da 10 €",
        "Credit added to your line.",
        "Credito aggiunto alla tua linea.",
        95,
        None,
    ),  # fmt: skip
    (
        "Circolo mug",
        "Tazza Circolo",
        "A mug for the morning coffee.",
        "Una tazza per il caffè del mattino.",
        120,
        25,
    ),  # fmt: skip
    (
        "Circolo T-shirt",
        "Maglietta Circolo",
        "Organic cotton, sizes S-XXL.",
        "Cotone biologico, taglie S-XXL.",
        250,
        10,
    ),  # fmt: skip
    (
        "Charity donation (€20)",
        "Donazione in beneficenza (20 €)",
        "We give €20 to a charity of the month.",
        "Doniamo 20 € a un ente del mese.",
        180,
        None,
    ),  # fmt: skip
    (
        "Wireless earbuds",
        "Auricolari wireless",
        "Limited edition.",
        "Edizione limitata.",
        800,
        0,
    ),  # fmt: skip
)


def seed_rewards(*, staff_id: int | None, manager_id: int | None) -> int:
    """The catalogue and a few redemptions, through the services, by demo-helper and the
    members with the biggest balances (the first approved, the second refused, the rest
    waiting). Returns how many."""
    Reward.objects.bulk_create(
        [
            Reward(
                name=name,
                name_it=name_it,
                description=text,
                description_it=text_it,
                cost=cost,
                stock=stock,
                position=i,
            )
            for i, (name, name_it, text, text_it, cost, stock) in enumerate(CATALOGUE)
        ]
    )
    rewards = list(Reward.objects.filter(active=True, stock__isnull=True).order_by("cost"))
    rewards += list(Reward.objects.filter(active=True, stock__gt=0).order_by("cost"))
    enough = RewardAccount.objects.filter(balance__gte=min(r.cost for r in rewards))
    # demo-helper first (the demo login that shows a redemption), then the richest.
    helper = list(enough.filter(member__username="demo-helper").select_related("member"))
    others = enough.exclude(member__username="demo-helper").select_related("member")
    richest = helper + list(others.order_by("-balance", "member_id")[: 4 - len(helper)])
    staff = User.objects.filter(pk=staff_id).first()
    manager = User.objects.filter(pk=manager_id).first() or staff
    made = 0
    for n, account in enumerate(richest):
        affordable = sorted(
            (r for r in rewards if r.cost <= account.balance), key=lambda r: (-r.cost, r.pk)
        )
        reward = affordable[n % len(affordable)]  # some variety: not all the dearest
        redemption = redeem_reward(actor=account.member, reward=reward, request_key=f"seed-{n}")
        made += 1
        if staff is None:
            continue
        if n == 0:
            approve_redemption(actor=staff, redemption=redemption, note="Sent, enjoy!")
        elif n == 1 and manager is not None:
            refuse_redemption(
                actor=manager,
                redemption=redemption,
                reason="The shipping address on your account is missing",
            )
    return made


# The leaderboard race ---------------------------------------------------------------------

RACE_GAP = 10  # at most this many points between the two at the top of this week's board


def seed_race() -> int:
    """Make this week's leaderboard a race (issue 15): the runner-up's recent answers get
    upvotes, one from each of the members that may vote, cast through the voting service
    (ledger, counters, badges as in real life) until they are at most RACE_GAP points
    behind the leader, never level or ahead. Returns how many votes were cast."""
    from core import privileges
    from forum.services import cast_vote

    board = leaderboards.leaderboard(period="week", limit=2)
    if len(board) < 2:
        return 0
    leader, runner_up = board
    answers = list(
        Answer.objects.filter(
            author=runner_up.member, deleted_at__isnull=True, hidden_at__isnull=True
        )
        .exclude(question__category__is_private=True)
        .exclude(question__locked_at__isnull=False)
        .exclude(question__deleted_at__isnull=False)
        .select_related("question")
        .order_by("-created_at")[:10]
    )
    voters = User.objects.filter(
        is_active=True,
        is_staff=False,
        reputation__gte=privileges.thresholds()[privileges.UPVOTE],
        username__startswith="member",
    ).exclude(pk__in=[leader.member.pk, runner_up.member.pk])
    cast, gap = 0, leader.points - runner_up.points
    for voter in voters.order_by("pk")[:60]:
        if gap <= RACE_GAP:
            break
        for answer in answers:
            if gap <= RACE_GAP:
                break
            if answer.votes.filter(voter=voter).exists():
                continue
            cast_vote(actor=voter, post=answer, value=1)
            cast += 1
            behind = leaderboards.position_of(runner_up.member, period="week")
            gap = leader.points - behind.points
            break  # one vote from each member
    if gap > RACE_GAP:
        gap = _accept_for_race(leader, runner_up, gap)
    return cast


def _accept_for_race(leader, runner_up, gap: int) -> int:
    """Upvote points are capped per day, so votes alone may not close the gap: askers
    then accept the runner-up's answers on their unsolved questions, each acceptance kept
    only if the runner-up stays behind the leader. Returns the gap left."""
    from django.core.exceptions import PermissionDenied
    from django.db import transaction

    from forum.services import accept_answer

    class _Overtook(Exception):
        pass

    answers = (
        Answer.objects.filter(
            author=runner_up.member,
            deleted_at__isnull=True,
            hidden_at__isnull=True,
            question__accepted_answer__isnull=True,
            question__closed_at__isnull=True,
            question__locked_at__isnull=True,
            question__deleted_at__isnull=True,
        )
        .exclude(question__category__is_private=True)
        .exclude(question__author=runner_up.member)
        .select_related("question__author")
        .order_by("-created_at")[:30]
    )
    for answer in answers:
        if gap <= RACE_GAP:
            break
        try:
            with transaction.atomic():
                accept_answer(actor=answer.question.author, answer=answer)
                behind = leaderboards.position_of(runner_up.member, period="week")
                new_gap = leader.points - behind.points
                if new_gap <= 0:
                    raise _Overtook
        except (_Overtook, PermissionDenied):
            continue
        gap = new_gap
    return gap
