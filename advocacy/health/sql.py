"""The health figures aggregated by PostgreSQL (bench P8): the same definitions as the
Python path in `figures` (kept for SQLite, and as the bench's baseline), computed with
aggregates, `FILTER`, `percentile_cont`/`percentile_disc` and the site's local calendar,
so only a few hundred summary rows cross the wire whatever the number of questions.

- p50 is `percentile_cont(0.5)` (the median, the mean of the two middle values when even);
  p90 is `percentile_disc(0.9)`: the first value whose cumulative share reaches 0.9, the
  nearest rank ceil(0.9 n) of `figures.percentiles`. Minutes are rounded to 0.1 before
  ranking, as there.
- Every query's count is fixed: one for the questions (totals, tags, categories, days),
  one for the helpers, one for the accepted answers (and one turning the JIT off).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.utils import timezone

from forum.models import Question

_STAT_COLUMNS = """
    count(*),
    count(m),
    percentile_cont(0.5) WITHIN GROUP (ORDER BY m),
    percentile_disc(0.9) WITHIN GROUP (ORDER BY m),
    percentile_cont(0.5) WITHIN GROUP (ORDER BY cm),
    percentile_disc(0.9) WITHIN GROUP (ORDER BY cm),
    count(*) FILTER (WHERE solved),
    count(*) FILTER (WHERE csolved),
    count(*) FILTER (WHERE escalated)
"""
# By tag and category only the first answer's percentiles are shown; by day, none.
_GROUP_COLUMNS = """
    count(*),
    count(m),
    percentile_cont(0.5) WITHIN GROUP (ORDER BY m),
    percentile_disc(0.9) WITHIN GROUP (ORDER BY m),
    NULL, NULL,
    count(*) FILTER (WHERE solved),
    0, 0
"""
_DAY_COLUMNS = """
    count(*), count(m), NULL, NULL, NULL, NULL, count(*) FILTER (WHERE solved), 0, 0
"""

_QUESTIONS = f"""
WITH cohort AS MATERIALIZED (
    SELECT q.id, q.created_at, q.author_id, q.category_id, q.accepted_answer_id
    FROM forum_question q
    LEFT JOIN forum_category c ON c.id = q.category_id
    WHERE q.created_at >= %(since)s AND q.created_at < %(now)s
      AND q.deleted_at IS NULL AND q.hidden_at IS NULL
      AND NOT COALESCE(c.is_private, false)
), firsts AS (
    SELECT a.question_id,
           MIN(a.created_at) AS first_at,
           MIN(a.created_at) FILTER (WHERE NOT (u.is_staff OR u.is_superuser)) AS cfirst_at
    FROM forum_answer a
    JOIN cohort q ON q.id = a.question_id
    JOIN forum_user u ON u.id = a.author_id
    WHERE a.deleted_at IS NULL AND a.hidden_at IS NULL AND a.author_id <> q.author_id
    GROUP BY a.question_id
), facts AS MATERIALIZED (
    SELECT q.id, q.category_id,
           q.created_at >= %(current)s AS cur,
           (q.created_at AT TIME ZONE %(tz)s)::date AS day,
           ROUND(EXTRACT(EPOCH FROM f.first_at - q.created_at) / 60, 1) AS m,
           ROUND(EXTRACT(EPOCH FROM f.cfirst_at - q.created_at) / 60, 1) AS cm,
           q.accepted_answer_id IS NOT NULL AS solved,
           q.accepted_answer_id IS NOT NULL AND NOT EXISTS (
               SELECT 1 FROM forum_answer aa JOIN forum_user au ON au.id = aa.author_id
               WHERE aa.id = q.accepted_answer_id AND (au.is_staff OR au.is_superuser)
           ) AS csolved,
           EXISTS (SELECT 1 FROM advocacy_escalation e WHERE e.question_id = q.id) AS escalated
    FROM cohort q
    LEFT JOIN firsts f ON f.question_id = q.id
)
SELECT 'all', cur, '', '', {_STAT_COLUMNS} FROM facts GROUP BY cur
UNION ALL
SELECT 'category', cur, c.name, '', {_GROUP_COLUMNS}
FROM facts JOIN forum_category c ON c.id = facts.category_id
WHERE c.name <> '' GROUP BY cur, c.name
UNION ALL
SELECT 'tag', cur, t.name, t.slug, {_GROUP_COLUMNS}
FROM facts
JOIN taggit_taggeditem ti ON ti.object_id = facts.id AND ti.content_type_id = %(ct)s
JOIN taggit_tag t ON t.id = ti.tag_id
GROUP BY cur, t.name, t.slug
UNION ALL
SELECT 'day', true, day::text, '', {_DAY_COLUMNS} FROM facts WHERE cur GROUP BY day
"""

# Per helper (not staff, answering others' questions outside the private categories):
# answers in each period, in each period's at-risk windows, and whether they answered
# before the period (a helper is new when active in the period with no answer before it).
_HELPER_WINDOWS = ("cur", "prev")
_HELPERS = """
WITH live AS MATERIALIZED (
    SELECT a.author_id, a.created_at
    FROM forum_answer a
    JOIN forum_question q ON q.id = a.question_id
    LEFT JOIN forum_category c ON c.id = q.category_id
    JOIN forum_user u ON u.id = a.author_id
    WHERE a.deleted_at IS NULL AND a.hidden_at IS NULL
      AND a.created_at >= %(window)s AND a.created_at < %(now)s
      AND NOT u.is_staff AND NOT u.is_superuser
      AND a.author_id <> q.author_id
      AND NOT COALESCE(c.is_private, false)
), per_helper AS (
    SELECT author_id,
        count(*) FILTER (WHERE created_at >= %(cur_start)s AND created_at < %(cur_end)s) AS cur_n,
        count(*) FILTER (WHERE created_at >= %(cur_busy)s AND created_at < %(cur_silent)s)
            AS cur_busy,
        count(*) FILTER (WHERE created_at >= %(cur_silent)s AND created_at < %(cur_end)s)
            AS cur_quiet,
        count(*) FILTER (WHERE created_at >= %(prev_start)s AND created_at < %(prev_end)s)
            AS prev_n,
        count(*) FILTER (WHERE created_at >= %(prev_busy)s AND created_at < %(prev_silent)s)
            AS prev_busy,
        count(*) FILTER (WHERE created_at >= %(prev_silent)s AND created_at < %(prev_end)s)
            AS prev_quiet
    FROM live GROUP BY author_id
), flagged AS (
    SELECT p.*,
        EXISTS (
            SELECT 1 FROM forum_answer a
            JOIN forum_question q ON q.id = a.question_id
            LEFT JOIN forum_category c ON c.id = q.category_id
            WHERE a.author_id = p.author_id AND a.created_at < %(cur_start)s
              AND a.deleted_at IS NULL AND a.hidden_at IS NULL
              AND a.author_id <> q.author_id AND NOT COALESCE(c.is_private, false)
        ) AS before_cur,
        EXISTS (
            SELECT 1 FROM forum_answer a
            JOIN forum_question q ON q.id = a.question_id
            LEFT JOIN forum_category c ON c.id = q.category_id
            WHERE a.author_id = p.author_id AND a.created_at < %(prev_start)s
              AND a.deleted_at IS NULL AND a.hidden_at IS NULL
              AND a.author_id <> q.author_id AND NOT COALESCE(c.is_private, false)
        ) AS before_prev
    FROM per_helper p
)
SELECT
    count(*) FILTER (WHERE cur_n > 0),
    count(*) FILTER (WHERE cur_n > 0 AND NOT before_cur),
    count(*) FILTER (WHERE cur_busy >= %(min_answers)s AND cur_quiet = 0),
    count(*) FILTER (WHERE prev_n > 0),
    count(*) FILTER (WHERE prev_n > 0 AND NOT before_prev),
    count(*) FILTER (WHERE prev_busy >= %(min_answers)s AND prev_quiet = 0)
FROM flagged
"""

# Accepted answers by helpers, posted in either period: how many each helper has.
_ACCEPTED = """
SELECT a.created_at >= %(current)s AS cur, count(*)
FROM forum_answer a
JOIN forum_question q ON q.accepted_answer_id = a.id
LEFT JOIN forum_category c ON c.id = q.category_id
JOIN forum_user u ON u.id = a.author_id
WHERE q.deleted_at IS NULL AND a.deleted_at IS NULL
  AND a.created_at >= %(since)s AND a.created_at < %(now)s
  AND NOT u.is_staff AND NOT u.is_superuser
  AND NOT COALESCE(c.is_private, false)
GROUP BY a.author_id, a.created_at >= %(current)s
"""


def _number(value: object) -> float | None:
    if value is None:
        return None
    if isinstance(value, Decimal):
        return float(value)
    return value  # type: ignore[return-value]


def _stats(row: tuple) -> dict:
    n, answered, p50, p90, cp50, cp90, solved, csolved, escalated = row
    return {
        "questions": n,
        "answered": answered,
        "p50": None if p50 is None else round(float(p50), 1),
        "p90": _number(p90),
        "community_p50": None if cp50 is None else round(float(cp50), 1),
        "community_p90": _number(cp90),
        "solved": solved,
        "community_solved": csolved,
        "escalated": escalated,
    }


def without_jit() -> None:
    """Turn PostgreSQL's JIT compiler off until the transaction ends: it spends 0.3-0.7 s
    compiling these aggregates (their row estimates look big) and saves none of it."""
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL jit = off")


def question_figures(*, since: dt.datetime, current: dt.datetime, now: dt.datetime) -> dict:
    """{"all": {cur: stats}, "category": {cur: {name: stats}}, "tag": {cur: {(name, slug):
    stats}}, "day": {date: stats}}; `cur` is True for the current period."""
    params = {
        "since": since,
        "now": now,
        "current": current,
        "tz": timezone.get_current_timezone_name(),
        "ct": ContentType.objects.get_for_model(Question).pk,
    }
    out: dict = {"all": {}, "category": {True: {}, False: {}}, "tag": {True: {}, False: {}}}
    out["day"] = {}
    with connection.cursor() as cursor:
        cursor.execute(_QUESTIONS, params)
        rows = cursor.fetchall()
    for kind, cur, name, slug, *stat in rows:
        stats = _stats(tuple(stat))
        if kind == "all":
            out["all"][cur] = stats
        elif kind == "category":
            out["category"][cur][name] = stats
        elif kind == "tag":
            out["tag"][cur][(name, slug)] = stats
        else:
            out["day"][dt.date.fromisoformat(name)] = stats
    return out


def helper_figures(params: dict) -> dict[str, dict[str, int]]:
    """{"cur"|"prev": {"active", "new", "at_risk"}} (see `_HELPERS` for the parameters)."""
    with connection.cursor() as cursor:
        cursor.execute(_HELPERS, params)
        row = cursor.fetchone()
    return {
        "cur": {"active": row[0], "new": row[1], "at_risk": row[2]},
        "prev": {"active": row[3], "new": row[4], "at_risk": row[5]},
    }


def accepted_counts(
    *, since: dt.datetime, current: dt.datetime, now: dt.datetime
) -> dict[bool, list[int]]:
    """{is current period: [accepted answers per helper who had one]}."""
    counts: dict[bool, list[int]] = {True: [], False: []}
    with connection.cursor() as cursor:
        cursor.execute(_ACCEPTED, {"since": since, "current": current, "now": now})
        for cur, n in cursor.fetchall():
            counts[cur].append(n)
    return counts
