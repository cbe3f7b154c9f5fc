"""The points ledger: award and reversal rows, the daily cap and `_apply`.

LOCK ORDER: see gamification.services (the package docstring).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import timedelta

from django.db.models import F, Sum
from django.utils import timezone

from forum.locks import locked_members
from forum.models import Answer, Question, User
from gamification import leaderboards, rules
from gamification.fairplay.detection import unpaid_vote
from gamification.models import PointEvent
from gamification.rewards.services import credit_for_events
from live.events import publish
from live.streams import user_stream

Post = Question | Answer

# Serial voting: past this many posts of one member paid for by one voter's votes in the
# window, further votes from that voter to that member count for the score but are worth
# 0 points (recorded with this note, so staff can list the cases).
SERIAL_WINDOW = timedelta(hours=24)
SERIAL_VOTING = "serial voting"
VOTE_RULES = (
    rules.ANSWER_UPVOTED,
    rules.QUESTION_UPVOTED,
    rules.ANSWER_DOWNVOTED,
    rules.QUESTION_DOWNVOTED,
)


@dataclass
class _Row:
    """A ledger row to write: an award (reverses is None) or the reversal of one."""

    recipient_id: int
    actor_id: int | None
    rule: str = ""
    delta: int = 0
    capped: bool = False
    key: str = ""
    question_id: int | None = None
    answer_id: int | None = None
    reverses: PointEvent | None = None
    note: str = ""
    serial_check: bool = False  # a vote on the recipient's post: apply the serial-vote limit


@dataclass(frozen=True)
class Applied:
    """What `_apply` wrote: the rows, and the new reputation of every member it moved."""

    events: list[PointEvent]
    reputation: dict[int, int]


def _reversal(event: PointEvent, actor: User | None) -> _Row:
    return _Row(
        recipient_id=event.recipient_id, actor_id=actor.pk if actor else None, reverses=event
    )


def _reverse_active(qs, actor: User | None) -> list[_Row]:  # noqa: ANN001 - a PointEvent queryset
    return [_reversal(event, actor) for event in qs.active().order_by("pk")]


def _award(
    rule_key: str,
    *,
    recipient_id: int,
    actor: User,
    key: str,
    question_id: int | None,
    answer_id: int | None = None,
    serial_check: bool = False,
) -> list[_Row]:
    """The award row for `rule_key`, or nothing when the rule is off or worth 0."""
    rule = rules.tuning().rules[rule_key]
    if not rule.enabled or rule.delta == 0:
        return []
    return [
        _Row(
            recipient_id=recipient_id,
            actor_id=actor.pk,
            rule=rule_key,
            delta=rule.delta,
            capped=rule.capped and rule.delta > 0,
            key=key,
            question_id=question_id,
            answer_id=answer_id,
            serial_check=serial_check,
        )
    ]


def _ledger_sum(user_id: int, **filters: object) -> int:
    total = PointEvent.objects.filter(recipient_id=user_id, **filters).aggregate(s=Sum("points"))
    return total["s"] or 0


def _apply(rows: list[_Row]) -> Applied:
    """Write `rows` and move the cached reputations. Runs inside the caller's transaction.

    Locks the recipients' user rows (select_for_update, primary-key order) so the daily cap
    and the floor are computed on numbers nobody else is changing. Awards to inactive
    (suspended) members are dropped; reversals always apply.
    """
    if not rows:
        return Applied([], {})
    tuning = rules.tuning()
    floor = tuning.reputation_floor
    now = timezone.now()
    locked = {
        # A suspended member earns nothing until the suspension ends (awards dropped).
        pk: (reputation, active and (suspended_until is None or suspended_until <= now))
        for pk, reputation, active, suspended_until in locked_members(
            row.recipient_id for row in rows
        ).values_list("pk", "reputation", "is_active", "suspended_until")
    }
    today = timezone.localdate()
    cap_used: dict[int, int] = {}

    serial: dict[tuple[int, int | None], set[str]] = {}

    def serial_votes(row: _Row) -> int:
        """Other posts of the recipient this voter's votes currently pay for (last 24 h)."""
        pair = (row.recipient_id, row.actor_id)
        if pair not in serial:
            serial[pair] = set(
                PointEvent.objects.active()
                .filter(
                    recipient_id=row.recipient_id,
                    actor_id=row.actor_id,
                    rule__in=VOTE_RULES,
                    created_at__gte=timezone.now() - SERIAL_WINDOW,
                )
                .exclude(points=0)
                .exclude(key=row.key)
                .values_list("key", flat=True)
            )
        return len(serial[pair] - {row.key})

    def used_today(user_id: int) -> int:
        """Capped points the member got today, including this batch so far."""
        if user_id not in cap_used:
            cap_used[user_id] = _ledger_sum(user_id, capped=True, day=today)
        return cap_used[user_id]

    moved: dict[int, int] = defaultdict(int)
    occurrences: dict[tuple[str, str, int], int] = {}
    events: list[PointEvent] = []
    for row in rows:
        if row.recipient_id not in locked:
            continue  # the member was deleted meanwhile
        if row.reverses is not None:
            original = row.reverses
            event = PointEvent(
                recipient_id=original.recipient_id,
                actor_id=row.actor_id,
                rule=original.rule,
                delta=-original.delta,
                points=-original.points,
                capped=original.capped,
                day=original.day,
                key=original.key,
                occurrence=original.occurrence,
                question_id=original.question_id,
                answer_id=original.answer_id,
                reversal_of=original,
                note=row.note,  # e.g. the sweep's "fair play"; empty for a withdrawal
            )
        else:
            if not locked[row.recipient_id][1]:
                continue
            points = row.delta
            note = row.note
            if row.serial_check and serial_votes(row) >= tuning.serial_vote_limit:
                points, note = 0, SERIAL_VOTING
            elif row.serial_check and (
                why := unpaid_vote(
                    voter_id=row.actor_id,
                    recipient_id=row.recipient_id,
                    rule=row.rule,
                    key=row.key,
                )
            ):
                points, note = 0, why  # gamification.fairplay.detection: new account, ring
            if row.capped:
                room = max(0, tuning.daily_vote_cap - used_today(row.recipient_id))
                points = min(points, room)
            ident = (row.key, row.rule, row.recipient_id)
            if ident not in occurrences:
                occurrences[ident] = 1 + (
                    PointEvent.objects.filter(
                        key=row.key,
                        rule=row.rule,
                        recipient_id=row.recipient_id,
                        reversal_of__isnull=True,
                        reversed_by__isnull=False,
                    ).count()
                    if row.key
                    else 0
                )
            event = PointEvent(
                recipient_id=row.recipient_id,
                actor_id=row.actor_id,
                rule=row.rule,
                delta=row.delta,
                points=points,
                capped=row.capped,
                day=today,
                key=row.key,
                occurrence=occurrences[ident],
                question_id=row.question_id,
                answer_id=row.answer_id,
                note=note,
            )
        if row.serial_check and event.points:
            serial[(row.recipient_id, row.actor_id)].add(event.key)
        if event.capped and event.day == today:
            cap_used[event.recipient_id] = used_today(event.recipient_id) + event.points
        moved[event.recipient_id] += event.points
        events.append(event)
    if not events:
        return Applied([], {})
    events = PointEvent.objects.bulk_create(events)
    credit_for_events(events)  # the rewards balance moves with the gains
    reputation: dict[int, int] = {}
    for user_id, points in moved.items():
        before = locked[user_id][0]
        # Above the floor the cache is exactly 1 + the ledger sum; at the floor the sum may
        # be lower (a remembered penalty), so read it. The rows just written are excluded.
        raw = before - 1 if before > floor else _ledger_sum(user_id) - points
        after = max(floor, 1 + raw + points)
        if after != before:
            User.objects.filter(pk=user_id).update(reputation=F("reputation") + (after - before))
            _announce_reputation(user_id, after, after - before)
        reputation[user_id] = after
    leaderboards.bump(events)
    return Applied(events, reputation)


def _announce_reputation(user_id: int, reputation: int, change: int) -> None:
    """`reputation.changed` on the member's `user` stream, after commit."""
    publish(
        user_stream(user_id), "reputation.changed", {"reputation": reputation, "change": change}
    )


def _post_ids(post: Post) -> tuple[int, int | None]:
    if isinstance(post, Question):
        return post.pk, None
    return post.question_id, post.pk


def vote_key(post: Post, voter_id: int) -> str:
    kind = "question" if isinstance(post, Question) else "answer"
    return f"vote:{kind}:{post.pk}:{voter_id}"
