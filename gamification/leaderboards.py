"""Leaderboards from denormalised counters (`ScoreCounter`), never from summing the ledger.

`bump` is called by the ledger writer in the same transaction as the rows (under the
recipients' row locks, so a member's counters have one writer at a time) and adds each
row's points to its member's counters for the week, the month and all time, in all tags
and in each tag of the row's question, in one upsert statement. A reversal counts against
the period of the row it reverses (counters go by the rows' `day`).

What the periods mean (said on the leaderboard page and in the API schema): the site's
calendar, in `settings.TIME_ZONE` (Europe/Rome), not UTC and not a sliding window. "This
week" is the week from Monday 00:00 (ISO week); "this month" is the calendar month from the
1st at 00:00 (as Stack Exchange does, but on the local calendar: the ledger's `day`, which
also bounds the daily cap, is the local date). A point earned at 23:59 on 30 November in
Rome counts for November; one at 00:00 on 1 December, for December.

Everyone is counted; staff, disabled and suspended members are left out when the board is
read (a suspension that ends puts the member back), so
a change of role needs no rewrite. `counter_drift` recomputes what the counters should be
from the ledger; `rebuild_counters` writes that.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import connection, transaction
from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.functions import TruncMonth, TruncWeek
from django.utils import timezone
from taggit.models import TaggedItem

from core import roles
from core.upsert import add_to_counters
from forum.models import User
from gamification.models import Period, PointEvent, ScoreBucket, ScoreCounter

ALL_TIME_START = dt.date(2000, 1, 1)
Key = tuple[int, str, dt.date, int]  # (user id, period, start, tag id or 0)


def period_start(period: str, day: dt.date) -> dt.date:
    if period == Period.WEEK:
        return day - dt.timedelta(days=day.weekday())
    if period == Period.MONTH:
        return day.replace(day=1)
    return ALL_TIME_START


def site_today() -> dt.date:
    """Today on the site's calendar (settings.TIME_ZONE), whatever time zone is active."""
    return timezone.localdate(timezone.now(), timezone.get_default_timezone())


def current_start(period: str) -> dt.date | None:
    """The first day of the running week or month; None for all time."""
    return None if period == Period.ALL else period_start(period, site_today())


def question_tags(question_ids: Iterable[int]) -> dict[int, list[int]]:
    ids = {pk for pk in question_ids if pk}
    tags: dict[int, list[int]] = defaultdict(list)
    if ids:
        rows = TaggedItem.objects.filter(
            content_type__app_label="forum",
            content_type__model="question",
            object_id__in=ids,
        ).values_list("object_id", "tag_id")
        for question_id, tag_id in rows:
            tags[question_id].append(tag_id)
    return tags


def increments(events: Iterable[PointEvent]) -> dict[Key, int]:
    events = [e for e in events if e.points]
    tags = question_tags(e.question_id for e in events)
    totals: dict[Key, int] = defaultdict(int)
    for event in events:
        for period in Period.values:
            start = period_start(period, event.day)
            totals[(event.recipient_id, period, start, 0)] += event.points
            for tag_id in tags.get(event.question_id, ()):
                totals[(event.recipient_id, period, start, tag_id)] += event.points
    return {key: points for key, points in totals.items() if points}


def bump(events: Iterable[PointEvent]) -> None:
    """Add the rows' points to their counters (one INSERT ... ON CONFLICT DO UPDATE that
    returns the new totals), then move each changed member between the board's score
    buckets (one more upsert). Callers: the ledger writer, in or after the transaction
    that wrote the rows; nothing else writes counters or buckets."""
    totals = increments(events)
    if not totals:
        return
    # Counters and buckets together (no savepoint when already in a transaction).
    with transaction.atomic(savepoint=False):
        counted = add_to_counters(
            ScoreCounter,
            key=("user", "period", "start", "tag_id"),
            field="points",
            amounts=totals,
            returning=True,
        )
        moves: dict[tuple[str, dt.date, int, int], int] = defaultdict(int)
        for user_id, period, start, tag_id, now in counted:
            start = _as_date(start)
            was = now - totals[(user_id, period, start, tag_id)]
            if was > 0:
                moves[(period, start, tag_id, was)] -= 1
            if now > 0:
                moves[(period, start, tag_id, now)] += 1
        move_buckets(moves)


def _as_date(value: object) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))


def move_buckets(moves: dict[tuple[str, dt.date, int, int], int]) -> None:
    """Add `members` to each (period, start, tag, points) bucket: one upsert, in key order
    (two writers take the shared bucket rows in the same order: no deadlock)."""
    add_to_counters(
        ScoreBucket,
        key=("period", "start", "tag_id", "points"),
        field="members",
        amounts={key: n for key, n in moves.items() if n},
    )


def forget_member(sender: object, instance: User, **kwargs: object) -> None:
    """`pre_delete` of a member: their counters go with them (cascade), so they leave
    their boards' score buckets first."""
    moves: dict[tuple[str, dt.date, int, int], int] = defaultdict(int)
    for period, start, tag_id, points in ScoreCounter.objects.filter(
        user_id=instance.pk, points__gt=0
    ).values_list("period", "start", "tag_id", "points"):
        moves[(period, start, tag_id, points)] -= 1
    move_buckets(moves)


# Reading ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Entry:
    position: int
    member: User
    points: int


def _board(period: str, tag_id: int, today: dt.date | None = None):  # noqa: ANN202
    start = period_start(period, today or site_today())
    return ScoreCounter.objects.filter(
        ~roles.staff_q("user"),
        period=period,
        start=start,
        tag_id=tag_id,
        user__is_active=True,
    ).exclude(user__suspended_until__gt=timezone.now())


def ranked(*, period: str, tag_id: int = 0) -> QuerySet[ScoreCounter]:
    """The board's counters with points, best first; ties by who got there first (lower id).
    For paginating (the API); `leaderboard` slices it."""
    return _board(period, tag_id).filter(points__gt=0).order_by("-points", "user_id")


def leaderboard(*, period: str, tag_id: int = 0, limit: int = 20, offset: int = 0) -> list[Entry]:
    """The top members of the period (in one tag, or all), best first; ties by who got
    there first (lower id). Members with no points in the period are not listed."""
    rows = (
        _board(period, tag_id)
        .filter(points__gt=0)
        .select_related("user")
        .order_by("-points", "user_id")[offset : offset + limit]
    )
    return [Entry(offset + i + 1, row.user, row.points) for i, row in enumerate(rows)]


# Who the boards list and who they leave out (staff, inactive and suspended members), as
# SQL over the members' table as `u`: `_board` and `_left_out` say the same with the ORM.
# The second matches the condition of the members' partial index `user_left_out_idx`
# (a suspension implies a `suspended_until`), so counting them reads only that index.
_LISTED_SQL = (
    "NOT u.is_staff AND NOT u.is_superuser AND u.is_active"
    " AND (u.suspended_until IS NULL OR u.suspended_until <= %(now)s)"
)
_LEFT_OUT_SQL = "(u.is_staff OR u.is_superuser OR NOT u.is_active OR u.suspended_until > %(now)s)"


def _on_board(alias: str) -> str:
    return (
        f"{alias}.period = %(period)s AND {alias}.start = %(start)s AND {alias}.tag_id = %(tag_id)s"
    )


# The member's counter (by its unique key, if the board lists them), with subqueries
# adding up the score buckets above theirs (one row per distinct score, not per member),
# counting the members tied with them who got there first (lower id; an index-only scan
# once the table is vacuumed), and taking off the left-out members who would be ahead:
# driven from the few of them, each probing their own counter (a subquery with LIMIT runs
# once per left-out member, where an EXISTS would be flattened into a join walking every
# counter ahead).
_POSITION_SQL = f"""
SELECT c.points,
    (SELECT COALESCE(SUM(b.members), 0) FROM gamification_scorebucket b
     WHERE {_on_board("b")} AND b.points > c.points),
    (SELECT COUNT(*) FROM gamification_scorecounter t
     WHERE {_on_board("t")} AND t.points = c.points AND t.user_id < %(member)s),
    (SELECT COUNT(*) FROM forum_user u
     WHERE {_LEFT_OUT_SQL} AND (
        SELECT 1 FROM gamification_scorecounter a
        WHERE a.user_id = u.id AND {_on_board("a")}
          AND (a.points > c.points OR (a.points = c.points AND a.user_id < %(member)s))
        LIMIT 1) IS NOT NULL)
FROM gamification_scorecounter c JOIN forum_user u ON u.id = c.user_id
WHERE c.user_id = %(member)s AND {_on_board("c")} AND c.points > 0 AND {_LISTED_SQL}
"""


def position_of(member: User, *, period: str, tag_id: int = 0) -> Entry | None:
    """The member's own place on the board, or None when they have no points there.

    One query whatever the board's size (bench P5: <= 5 ms at 1M ledger rows), written
    once in SQL (`_POSITION_SQL`): built with the ORM, its three correlated subqueries
    took four times as long to build and compile as to run (P5, 1M ledger rows: about
    3.5 ms of Python beside 1 ms in PostgreSQL)."""
    ops = connection.ops
    params = {
        "member": member.pk,
        "period": period,
        "start": ops.adapt_datefield_value(period_start(period, site_today())),
        "tag_id": tag_id,
        "now": ops.adapt_datetimefield_value(timezone.now()),
    }
    with connection.cursor() as cursor:
        cursor.execute(_POSITION_SQL, params)
        row = cursor.fetchone()
    if row is None:
        return None
    points, above, ties, left_out = row
    return Entry(above + ties - left_out + 1, member, points)


def _left_out() -> QuerySet[User]:
    """Members no board lists (`_LEFT_OUT_SQL` with the ORM)."""
    left_out = roles.staff_q() | Q(is_active=False) | Q(suspended_until__gt=timezone.now())
    return User.objects.filter(left_out).values("pk")


# Checking against the ledger ---------------------------------------------------------------


def expected_counters() -> dict[Key, int]:
    """What every counter should hold, summed from the ledger (slow; for checks and repair)."""
    totals: dict[Key, int] = defaultdict(int)
    for user_id, points in (
        PointEvent.objects.values("recipient")
        .annotate(s=Sum("points"))
        .values_list("recipient", "s")
    ):
        totals[(user_id, Period.ALL, ALL_TIME_START, 0)] += points
    for period, trunc in ((Period.WEEK, TruncWeek), (Period.MONTH, TruncMonth)):
        for user_id, start, points in (
            PointEvent.objects.annotate(start=trunc("day"))
            .values("recipient", "start")
            .annotate(s=Sum("points"))
            .values_list("recipient", "start", "s")
        ):
            start = start.date() if isinstance(start, dt.datetime) else start
            totals[(user_id, period, start, 0)] += points
    tags = question_tags(
        PointEvent.objects.filter(question__isnull=False).values_list("question_id", flat=True)
    )
    for user_id, question_id, day, points in (
        PointEvent.objects.filter(question__isnull=False)
        .values("recipient", "question", "day")
        .annotate(s=Sum("points"))
        .values_list("recipient", "question", "day", "s")
    ):
        for tag_id in tags.get(question_id, ()):
            for period in Period.values:
                totals[(user_id, period, period_start(period, day), tag_id)] += points
    return {key: points for key, points in totals.items() if points}


def stored_counters() -> dict[Key, int]:
    return {
        (user_id, period, start, tag_id): points
        for user_id, period, start, tag_id, points in ScoreCounter.objects.exclude(
            points=0
        ).values_list("user_id", "period", "start", "tag_id", "points")
    }


def counter_drift() -> list[tuple[Key, int, int]]:
    """(counter, stored, expected) for every counter that differs from the ledger."""
    expected, stored = expected_counters(), stored_counters()
    return sorted(
        (key, stored.get(key, 0), expected.get(key, 0))
        for key in expected.keys() | stored.keys()
        if stored.get(key, 0) != expected.get(key, 0)
    )


def rebuild_counters() -> int:
    """Rewrite every counter from the ledger; returns how many counters changed.

    Caller runs it in a transaction (the repair command); it locks the counters table so
    no vote adds to a counter while it is being rewritten.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"LOCK TABLE {ScoreCounter._meta.db_table} IN EXCLUSIVE MODE")
    drift = counter_drift()
    ScoreCounter.objects.bulk_create(
        [
            ScoreCounter(
                user_id=user_id, period=period, start=start, tag_id=tag_id, points=expected
            )
            for (user_id, period, start, tag_id), _stored, expected in drift
        ],
        update_conflicts=True,
        unique_fields=["user", "period", "start", "tag_id"],
        update_fields=["points"],
    )
    if bucket_drift():  # the buckets follow the counters just rewritten
        rebuild_buckets()
    return len(drift)


# The score buckets against the counters --------------------------------------------------

BucketKey = tuple[str, dt.date, int, int]  # (period, start, tag id or 0, points)


def expected_buckets() -> dict[BucketKey, int]:
    """What every bucket should hold: the counters with points, counted per score."""
    return {
        (period, start, tag_id, points): n
        for period, start, tag_id, points, n in ScoreCounter.objects.filter(points__gt=0)
        .values("period", "start", "tag_id", "points")
        .annotate(n=Count("pk"))
        .values_list("period", "start", "tag_id", "points", "n")
        .order_by()
    }


def bucket_drift() -> list[tuple[BucketKey, int, int]]:
    """(bucket, stored, expected) for every score bucket that differs from the counters."""
    expected = expected_buckets()
    stored = {
        (period, start, tag_id, points): n
        for period, start, tag_id, points, n in ScoreBucket.objects.exclude(members=0).values_list(
            "period", "start", "tag_id", "points", "members"
        )
    }
    return sorted(
        (key, stored.get(key, 0), expected.get(key, 0))
        for key in expected.keys() | stored.keys()
        if stored.get(key, 0) != expected.get(key, 0)
    )


def rebuild_buckets() -> None:
    """Rewrite every score bucket from the counters (caller holds the counters' lock)."""
    ScoreBucket.objects.all().delete()
    ScoreBucket.objects.bulk_create(
        ScoreBucket(period=period, start=start, tag_id=tag_id, points=points, members=n)
        for (period, start, tag_id, points), n in expected_buckets().items()
    )
