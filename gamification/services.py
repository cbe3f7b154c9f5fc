"""Everything that writes to the points ledger.

The `on_*` hooks answer the forum's domain events (`gamification.handlers`, subscribed
in-transaction), so they run *inside* the forum service's transaction, after it has
locked the post (or question) concerned, so two requests about the same post are
serialised before they get here. Each hook turns the change into award and reversal rows
and hands them to `_apply`, which locks the members' rows, applies the daily cap, writes
the rows and moves the cached reputation with `F()`. See `gamification.models` for the
arithmetic.

LOCK ORDER (proved by tests/gamification/test_concurrency.py on PostgreSQL): question,
then answer, then members. The forum services lock posts first; members are locked last,
all in one statement in primary-key order, and `FOR NO KEY UPDATE`, which does not block
the `KEY SHARE` locks PostgreSQL takes on a member row when another transaction inserts a
row pointing at it (a vote, a ledger row): with plain `FOR UPDATE`, two members voting on
each other's posts would deadlock. For the same reason the ledger's and the badges' links
to questions and answers carry no database constraint: a vote on an answer would otherwise
take a lock on its question while holding the answer, the opposite order to accepting.
Accepting locks the answers it pays for before the members (`on_answer_accepted`).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from forum.models import Answer, Comment, Question, User
from gamification import badges, leaderboards, rules
from gamification.badges import Event
from gamification.fairplay.detection import unpaid_vote
from gamification.models import BadgeAward, PointEvent, PointSettings
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
        for pk, reputation, active, suspended_until in User.objects.select_for_update(no_key=True)
        .filter(pk__in={row.recipient_id for row in rows})
        .order_by("pk")
        .values_list("pk", "reputation", "is_active", "suspended_until")
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


# Hooks run by gamification.handlers for the forum's events ------------------------------


def on_vote_changed(*, actor: User, post: Post, before: int, after: int) -> Applied:
    """The actor's vote on `post` went from `before` to `after` (each 1, -1 or 0).

    Caller holds the post's row lock. Reverses whatever the previous vote earned or cost,
    then awards what the new one is worth: an upvote gives the author points (capped per
    day); a downvote on an answer costs its author and, a little, the voter.
    """
    if before == after:
        return Applied([], {})
    key = vote_key(post, actor.pk)
    question_id, answer_id = _post_ids(post)
    with transaction.atomic(savepoint=False):
        rows = _reverse_active(PointEvent.objects.filter(key=key), actor)
        if after and post.author_id != actor.pk:  # self-votes are refused earlier; never pay
            ids = {"actor": actor, "key": key, "question_id": question_id, "answer_id": answer_id}
            to_author = {"recipient_id": post.author_id, "serial_check": True, **ids}
            if answer_id is None:
                rule = rules.QUESTION_UPVOTED if after > 0 else rules.QUESTION_DOWNVOTED
                rows += _award(rule, **to_author)
            elif after > 0:
                rows += _award(rules.ANSWER_UPVOTED, **to_author)
            else:
                rows += _award(rules.ANSWER_DOWNVOTED, **to_author)
                rows += _award(rules.DOWNVOTE_CAST, recipient_id=actor.pk, **ids)
        applied = _apply(rows)
        if after:
            badges.evaluate(Event(badges.VOTED, member=actor, value=after))
        if after > before and post.author_id != actor.pk:
            badges.evaluate(
                Event(
                    badges.SCORED,
                    member=User.objects.get(pk=post.author_id),
                    post=post,
                    score=post.score + (after - before),
                    tag_ids=(
                        []
                        if answer_id is None
                        else leaderboards.question_tags([question_id])[question_id]
                    ),
                )
            )
        return applied


def _accept_key(answer_id: int) -> str:
    return f"accept:{answer_id}"


def on_answer_accepted(
    *, actor: User, answer: Answer, previous_answer_id: int | None = None
) -> Applied:
    """`answer` became the accepted one, replacing `previous_answer_id` if any.

    Caller holds the question's row lock and has `answer.question` set to the locked row.
    The answerer earns the acceptance, and the asker a small bonus when they accepted it
    themselves; nobody earns anything for accepting their own answer. The previous
    acceptance is reversed, so switching back and forth nets exactly one acceptance.
    """
    question = answer.question
    key = _accept_key(answer.pk)
    with transaction.atomic(savepoint=False):
        # Answers before members (see LOCK ORDER): the forum's notification of this
        # acceptance will point at the answer, and a vote on it holds it while it waits
        # for the members.
        list(
            Answer.objects.select_for_update(no_key=True)
            .filter(pk__in=[pk for pk in (answer.pk, previous_answer_id) if pk])
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        rows: list[_Row] = []
        if previous_answer_id is not None and previous_answer_id != answer.pk:
            rows += _reverse_active(
                PointEvent.objects.filter(key=_accept_key(previous_answer_id)), actor
            )
        if answer.author_id != question.author_id:
            ids = {"actor": actor, "key": key, "question_id": question.pk, "answer_id": answer.pk}
            rows += _award(rules.ANSWER_ACCEPTED, recipient_id=answer.author_id, **ids)
            if actor.pk == question.author_id:
                rows += _award(rules.ACCEPT_BONUS_ASKER, recipient_id=question.author_id, **ids)
        applied = _apply(rows)
        if answer.author_id != question.author_id:
            author = User.objects.get(pk=answer.author_id)
            badges.evaluate(Event(badges.ACCEPTED, member=author, answer=answer))
        return applied


def on_answer_unaccepted(*, actor: User, answer: Answer) -> Applied:
    """`answer` stopped being the accepted one: reverse what its acceptance gave."""
    with transaction.atomic(savepoint=False):
        rows = _reverse_active(PointEvent.objects.filter(key=_accept_key(answer.pk)), actor)
        return _apply(rows)


def on_post_deleted(*, actor: User, post: Post) -> Applied:
    """`post` was (soft-)deleted: reverse everything it earned or cost.

    For an answer: its votes (the voters' downvote costs are refunded too), its acceptance
    and its verification. For a question: its votes and the asker's acceptance bonus; the
    answers keep what they earned, so an asker cannot wipe out the helpers' points.
    """
    if isinstance(post, Answer):
        events = PointEvent.objects.filter(answer_id=post.pk)
    else:
        events = PointEvent.objects.filter(
            Q(answer__isnull=True) | Q(rule=rules.ACCEPT_BONUS_ASKER), question_id=post.pk
        )
    with transaction.atomic(savepoint=False):
        return _apply(_reverse_active(events, actor))


def on_question_asked(*, actor: User, question: Question) -> list[BadgeAward]:
    """Caller (ask_question) has just created `question` in its transaction."""
    return badges.evaluate(Event(badges.ASKED, member=actor, question=question))


def on_answer_posted(*, actor: User, answer: Answer) -> list[BadgeAward]:
    """Caller (post_answer) has just created `answer` in its transaction."""
    return badges.evaluate(Event(badges.ANSWERED, member=actor, answer=answer))


def on_comment_posted(*, actor: User, comment: Comment) -> list[BadgeAward]:
    """Caller (post_comment) has just created `comment` in its transaction."""
    return badges.evaluate(Event(badges.COMMENTED, member=actor))


def on_flag_upheld(
    *, actor: User, flagger_id: int, flag_id: int, question_id: int, answer_id: int | None
) -> Applied:
    """Moderators upheld flag `flag_id` (advocacy): its flagger earns the `flag_upheld`
    rule, once per flag (the ledger's unique key). Caller holds the flag's row lock."""
    with transaction.atomic(savepoint=False):
        rows = _award(
            rules.FLAG_UPHELD,
            recipient_id=flagger_id,
            actor=actor,
            key=f"flag:{flag_id}",
            question_id=question_id,
            answer_id=answer_id,
        )
        return _apply(rows)


# Staff and manager actions ----------------------------------------------------------------


def _verify_key(answer_id: int) -> str:
    return f"verify:{answer_id}"


def award_verified_answer(*, actor: User, answer: Answer) -> Applied:
    """Staff confirm an answer is correct (the escalation desk): the answerer earns points.

    Verifying an answer twice awards it once (the second call changes nothing).
    """
    if not (actor.is_authenticated and actor.is_staff):
        raise PermissionDenied(_("Only staff can verify answers."))
    key = _verify_key(answer.pk)
    with transaction.atomic(savepoint=False):
        Answer.objects.select_for_update(no_key=True).filter(pk=answer.pk).first()
        if PointEvent.objects.filter(key=key).active().exists():
            return Applied([], {})
        rows = _award(
            rules.STAFF_VERIFIED,
            recipient_id=answer.author_id,
            actor=actor,
            key=key,
            question_id=answer.question_id,
            answer_id=answer.pk,
        )
        return _apply(rows)


def revoke_verified_answer(*, actor: User, answer: Answer) -> Applied:
    if not (actor.is_authenticated and actor.is_staff):
        raise PermissionDenied(_("Only staff can verify answers."))
    with transaction.atomic(savepoint=False):
        Answer.objects.select_for_update(no_key=True).filter(pk=answer.pk).first()
        return _apply(_reverse_active(PointEvent.objects.filter(key=_verify_key(answer.pk)), actor))


ADJUSTMENT_LIMIT = 100_000


def adjust_reputation(*, actor: User, member: User, points: int, note: str) -> Applied:
    """A manager adds or removes points by hand (imports, corrections), with a reason."""
    if not (actor.is_authenticated and actor.is_superuser):
        raise PermissionDenied(_("Only community managers can adjust reputation."))
    errors: dict[str, list[str]] = {}
    if type(points) is not int or points == 0 or abs(points) > ADJUSTMENT_LIMIT:
        errors["points"] = [
            _("Enter a whole number of points between -%(limit)d and %(limit)d, not 0.")
            % {"limit": ADJUSTMENT_LIMIT}
        ]
    note = " ".join(str(note).split())[:200]
    if not note:
        errors["note"] = [_("Say why the points are adjusted.")]
    if errors:
        raise ValidationError(errors)
    row = _Row(
        recipient_id=member.pk,
        actor_id=actor.pk,
        rule=rules.ADJUSTMENT,
        delta=points,
        note=note,
    )
    with transaction.atomic():
        return _apply([row])


def record_opening_balances(balances: list[tuple[int, int]]) -> int:
    """Bulk loaders (seed_demo, imports) that set `User.reputation` directly call this with
    (user id, reputation) pairs: one adjustment row each, dated the day the member joined,
    so the ledger and the all-time leaderboard agree with the cache. Not for live members
    (no lock, no cap): only for rows the caller has just created.
    """
    wanted = {user_id: reputation for user_id, reputation in balances if reputation != 1}
    joined = dict(User.objects.filter(pk__in=wanted).values_list("pk", "date_joined"))
    rows = PointEvent.objects.bulk_create(
        [
            PointEvent(
                recipient_id=user_id,
                rule=rules.ADJUSTMENT,
                delta=reputation - 1,
                points=reputation - 1,
                day=timezone.localdate(joined[user_id]),
                created_at=joined[user_id],
                note=rules.OPENING_BALANCE,
            )
            for user_id, reputation in wanted.items()
            if user_id in joined
        ],
        batch_size=2000,
    )
    leaderboards.bump(rows)
    return len(rows)


# Repair --------------------------------------------------------------------------------


def recompute_reputation(*, floor: int | None = None) -> list[tuple[int, int, int]]:
    """Set every cached reputation that differs from its ledger; returns (id, was, now).

    Each fix happens under the member's row lock, reading the ledger after taking it, so
    it is safe while members are voting.
    """
    from gamification.selectors import reputation_drift

    if floor is None:
        floor = rules.tuning().reputation_floor
    fixed = []
    for user_id, _cached, _expected in reputation_drift(floor=floor):
        with transaction.atomic():
            was = (
                User.objects.select_for_update(no_key=True)
                .filter(pk=user_id)
                .values_list("reputation", flat=True)
            ).first()
            if was is None:
                continue
            now = max(floor, 1 + _ledger_sum(user_id))
            if now != was:
                User.objects.filter(pk=user_id).update(reputation=now)
                fixed.append((user_id, was, now))
    return fixed


def update_point_settings(
    *,
    actor: User,
    daily_vote_cap: int,
    reputation_floor: int,
    serial_vote_limit: int | None = None,
) -> PointSettings:
    """Store the cap, floor and serial-vote limit; a new floor recomputes every member's
    cached reputation."""
    if not (actor.is_authenticated and actor.is_superuser):
        raise PermissionDenied(_("Only community managers can change the points settings."))
    with transaction.atomic():
        current, _created = PointSettings.objects.select_for_update().get_or_create(pk=1)
        floor_changed = current.reputation_floor != reputation_floor
        current.daily_vote_cap = daily_vote_cap
        current.reputation_floor = reputation_floor
        if serial_vote_limit is not None:
            current.serial_vote_limit = serial_vote_limit
        current.save()
        transaction.on_commit(rules.clear_cache)
        rules.clear_cache()
        if floor_changed:
            recompute_reputation(floor=reputation_floor)
    return current
