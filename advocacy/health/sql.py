"""The health figures aggregated by PostgreSQL (bench P8) from the narrow per-question rows
of `QuestionHealth` (kept by `facts`): the same definitions as `reference` (the SQLite
path), computed with aggregates, `FILTER`, `percentile_cont`/`percentile_disc` and the
site's local calendar, so only a few hundred summary rows cross the wire whatever the
number of questions, and no query reads the wide question table.

- p50 is `percentile_cont(0.5)` (the median, the mean of the two middle values when even);
  p90 is `percentile_disc(0.9)`: the first value whose cumulative share reaches 0.9, the
  nearest rank ceil(0.9 n) of `figures.percentiles`. The stored minutes are already
  rounded to 0.1 (by `figures.minutes`, as there).
- Tags and categories are grouped by id and named afterwards (sorting integers, not text);
  a category's privacy is read live, so making one private needs no repair.
- Every query's count is fixed: one for the questions (totals, tags, categories, days),
  one for the helpers, one for the accepted answers (and one turning the JIT off), and
  `figures.Desk`'s four.
"""

from __future__ import annotations

import datetime as dt

from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction
from django.utils import timezone

from advocacy.health.figures import (
    AT_RISK_BEFORE,
    AT_RISK_MIN_ANSWERS,
    AT_RISK_SILENCE,
    DEFAULT_DAYS,
    Desk,
    Period,
    busiest_categories_first,
    periods,
    share,
    top_share,
    worst_tags_first,
)
from forum.models import Question

# The questions of both periods (asked in them, neither deleted nor hidden, outside the
# lounge), one narrow row each.
_COHORT = """
    SELECT h.question_id AS id, h.category_id, h.created_at >= %(current)s AS cur,
           h.created_at, h.first_answer_minutes AS m, h.community_first_answer_minutes AS cm,
           h.solved, h.community_solved AS csolved, h.escalated
    FROM advocacy_questionhealth h
    LEFT JOIN forum_category c ON c.id = h.category_id
    WHERE h.created_at >= %(since)s AND h.created_at < %(now)s
      AND NOT h.deleted AND NOT h.hidden AND NOT COALESCE(c.is_private, false)
"""
_FIRST_ANSWER = """
    count(*) AS n,
    count(m) AS answered,
    percentile_cont(0.5) WITHIN GROUP (ORDER BY m) AS p50,
    percentile_disc(0.9) WITHIN GROUP (ORDER BY m) AS p90,
    count(*) FILTER (WHERE solved) AS solved
"""
# kind, cur, name, slug, day, n, answered, p50, p90, solved, cp50, cp90, csolved, escalated
_QUESTIONS = f"""
WITH facts AS MATERIALIZED ({_COHORT})
SELECT 'all', cur, '', '', NULL::date, {_FIRST_ANSWER},
    percentile_cont(0.5) WITHIN GROUP (ORDER BY cm),
    percentile_disc(0.9) WITHIN GROUP (ORDER BY cm),
    count(*) FILTER (WHERE csolved),
    count(*) FILTER (WHERE escalated)
FROM facts GROUP BY cur
UNION ALL
SELECT 'category', g.cur, c.name, '', NULL, g.n, g.answered, g.p50, g.p90, g.solved,
    NULL, NULL, 0, 0
FROM (SELECT cur, category_id, {_FIRST_ANSWER} FROM facts GROUP BY cur, category_id) g
JOIN forum_category c ON c.id = g.category_id
WHERE c.name <> ''
UNION ALL
SELECT 'tag', g.cur, t.name, t.slug, NULL, g.n, g.answered, g.p50, g.p90, g.solved,
    NULL, NULL, 0, 0
FROM (
    SELECT cur, ti.tag_id, {_FIRST_ANSWER}
    FROM facts
    JOIN taggit_taggeditem ti ON ti.object_id = facts.id AND ti.content_type_id = %(ct)s
    GROUP BY cur, ti.tag_id
) g
JOIN taggit_tag t ON t.id = g.tag_id
UNION ALL
SELECT 'day', true, '', '', (created_at AT TIME ZONE %(tz)s)::date,
    count(*), count(m), NULL, NULL, count(*) FILTER (WHERE solved), NULL, NULL, 0, 0
FROM facts WHERE cur GROUP BY 5
"""

# Live answers by helpers (not staff, on others' questions outside the lounge): per
# helper, answers in each period and in each period's at-risk windows, and whether they
# answered before the period (a helper is new when active in it with no answer before).
_HELPER_ANSWER = """
    FROM forum_answer a
    JOIN advocacy_questionhealth h ON h.question_id = a.question_id
    LEFT JOIN forum_category c ON c.id = h.category_id
    WHERE a.deleted_at IS NULL AND a.hidden_at IS NULL
      AND a.author_id <> h.asker_id AND NOT COALESCE(c.is_private, false)
"""
_HELPERS = f"""
WITH per_helper AS (
    SELECT a.author_id,
        count(*) FILTER (WHERE a.created_at >= %(cur_start)s AND a.created_at < %(cur_end)s)
            AS cur_n,
        count(*) FILTER (WHERE a.created_at >= %(cur_busy)s AND a.created_at < %(cur_silent)s)
            AS cur_busy,
        count(*) FILTER (WHERE a.created_at >= %(cur_silent)s AND a.created_at < %(cur_end)s)
            AS cur_quiet,
        count(*) FILTER (WHERE a.created_at >= %(prev_start)s AND a.created_at < %(prev_end)s)
            AS prev_n,
        count(*) FILTER (WHERE a.created_at >= %(prev_busy)s AND a.created_at < %(prev_silent)s)
            AS prev_busy,
        count(*) FILTER (WHERE a.created_at >= %(prev_silent)s AND a.created_at < %(prev_end)s)
            AS prev_quiet
    {_HELPER_ANSWER}
      AND a.created_at >= %(window)s AND a.created_at < %(now)s
      AND a.author_id IN (
          SELECT id FROM forum_user WHERE NOT is_staff AND NOT is_superuser
      )
    GROUP BY a.author_id
), flagged AS (
    SELECT p.*,
        EXISTS (
            SELECT 1 {_HELPER_ANSWER}
              AND a.author_id = p.author_id AND a.created_at < %(cur_start)s
        ) AS before_cur,
        EXISTS (
            SELECT 1 {_HELPER_ANSWER}
              AND a.author_id = p.author_id AND a.created_at < %(prev_start)s
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

# Live accepted answers by helpers, posted in either period: how many each helper has.
_ACCEPTED = """
SELECT h.accepted_answer_at >= %(current)s AS cur, count(*)
FROM advocacy_questionhealth h
LEFT JOIN forum_category c ON c.id = h.category_id
WHERE h.accepted_helper_id IS NOT NULL AND NOT h.deleted
  AND h.accepted_answer_at >= %(since)s AND h.accepted_answer_at < %(now)s
  AND NOT COALESCE(c.is_private, false)
GROUP BY h.accepted_helper_id, 1
"""


def _minutes(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


def _group(n: int, answered: int, p50: float | None, p90: float | None, solved: int) -> dict:
    return {
        "questions": n,
        "answered_share": share(answered, n),
        "first_answer_minutes": {"p50": _minutes(p50), "p90": p90},
        "solved_share": share(solved, n),
    }


def _read(sql: str, params: dict) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _helper_params(now: dt.datetime, current: Period, previous: Period) -> dict:
    params: dict[str, object] = {
        "window": min(previous.end - AT_RISK_SILENCE - AT_RISK_BEFORE, previous.start),
        "now": now,
        "min_answers": AT_RISK_MIN_ANSWERS,
    }
    for name, period in (("cur", current), ("prev", previous)):
        silent_from = period.end - AT_RISK_SILENCE
        params |= {
            f"{name}_start": period.start,
            f"{name}_end": period.end,
            f"{name}_silent": silent_from,
            f"{name}_busy": silent_from - AT_RISK_BEFORE,
        }
    return params


def compute_in_sql(days: int = DEFAULT_DAYS, *, now: dt.datetime | None = None) -> dict:
    """The figures, aggregated by PostgreSQL: 8 queries (see the module docstring; the
    content type of questions comes from its cache after the first)."""
    now = now or timezone.now()
    current, previous = periods(days, now)
    since = previous.start
    bounds = {"since": since, "current": current.start, "now": now}
    with transaction.atomic():
        with connection.cursor() as cursor:
            # The JIT spends 0.3-0.7 s compiling these aggregates (their row estimates
            # look big) and saves none of it: off until the transaction ends.
            cursor.execute("SET LOCAL jit = off")
        questions = _read(
            _QUESTIONS,
            bounds
            | {
                "tz": timezone.get_current_timezone_name(),
                "ct": ContentType.objects.get_for_model(Question).pk,
            },
        )
        helpers = _read(_HELPERS, _helper_params(now, current, previous))[0]
        accepted = _read(_ACCEPTED, bounds)
    desk = Desk.read(since, now)

    totals: dict[bool, tuple] = {}
    tags: dict[bool, list[dict]] = {True: [], False: []}
    categories: dict[bool, list[dict]] = {True: [], False: []}
    per_day: dict[dt.date, tuple] = {}
    for kind, cur, name, slug, day, *stats in questions:
        if kind == "all":
            totals[cur] = tuple(stats)
        elif kind == "category":
            categories[cur].append({"category": name, **_group(*stats[:5])})
        elif kind == "tag":
            tags[cur].append({"tag": name, "slug": slug, **_group(*stats[:5])})
        else:
            per_day[day] = tuple(stats)

    def period_figures(period: Period, cur: bool) -> dict:
        n, answered, p50, p90, solved, cp50, cp90, csolved, escalated = totals.get(
            cur, (0, 0, None, None, 0, None, None, 0, 0)
        )
        counts = [count for is_cur, count in accepted if is_cur == cur]
        active, new, at_risk = helpers[0:3] if cur else helpers[3:6]
        desk_figures = desk.figures(period)
        return {
            "start": period.start,
            "end": period.end,
            **_group(n, answered, p50, p90, solved),
            "community_first_answer_minutes": {"p50": _minutes(cp50), "p90": cp90},
            "community_solved_share": share(csolved, n),
            "escalated_share": share(escalated, n),
            "sla_met_share": desk_figures["sla_met_share"],
            "deflection_estimate": desk_figures["deflection_estimate"],
            "top1_share": top_share(counts, 0.01),
            "top10_share": top_share(counts, 0.10),
            "active_helpers": active,
            "new_helpers": new,
            "helpers_at_risk": at_risk,
            "advocates": desk_figures["advocates"],
            "by_tag": worst_tags_first(tags[cur]),
            "by_category": busiest_categories_first(categories[cur]),
        }

    trend = []
    for day in current.days():
        n, answered, _p50, _p90, solved, *_ = per_day.get(day, (0, 0, None, None, 0))
        trend.append({"day": day, "questions": n, "answered": answered, "solved": solved})
    return {
        "days": days,
        "current": period_figures(current, True),
        "previous": period_figures(previous, False),
        "trend": trend,
    }
