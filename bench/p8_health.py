"""P8: the community health figures over the 100k-question data set.

Target (issue 13): the dashboard answers within 300 ms. Measured: `compute(days)` (the
uncached figures, what the first visitor after the 2-minute cache waits for) for 7, 30,
90 and 365 days, anchored at the newest question so the periods hold data; and the
number of queries, which must not depend on the data. Then the dashboard page and
`GET /api/v1/community/health/?days=N` as a staff member, the cache emptied before each
request (so each computes the figures for the site's present, and renders them), p50.
And the page as a manager gets it: after a first look, the worker's job
(`refresh_reports`, every minute) keeps the figures warm, so the page renders figures
computed at most a few minutes before, p50 of requests made after a refresh.

Baseline, in the same run: `compute_in_python` (the same figures aggregated in Python
from one row per question and per answer: the first version, and the SQLite path), 3 runs
per period. The tables are vacuumed and analysed first (`VACUUM ANALYZE`), as autovacuum
would have done on a live site: a freshly seeded database has no statistics (the planner
guesses badly) and no visibility map (index-only scans of the answers read the heap).
"""

from __future__ import annotations

import statistics
import time

RUNS = 15
HTTP_RUNS = 5
BASELINE_RUNS = 3
WARMUP = 2
TARGET_MS = 300.0
PERIODS = (7, 30, 90, 365)
LOCAL_CACHE = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}


def _percentile(samples: list[float], p: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def _count_queries(call) -> int:  # noqa: ANN001 - a callable
    """The queries `call()` executes, counted as they run (not from the debug log: a
    bounded deque, which a CaptureQueriesContext reads as 0 once it is full)."""
    from django.db import connection

    executed = []

    def count(execute, sql, params, many, context):  # noqa: ANN001, ANN202
        executed.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        call()
    return len(executed)


def _http_p50(client, url: str) -> float:  # noqa: ANN001 - a django.test.Client
    """p50 of HTTP_RUNS uncached GETs of `url` (a local cache, emptied before each)."""
    from django.core.cache import cache

    samples = []
    for _ in range(HTTP_RUNS):
        cache.clear()
        started = time.perf_counter()
        response = client.get(url)
        samples.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    return statistics.median(samples)


def _served_p50(client, url: str) -> float:  # noqa: ANN001 - a django.test.Client
    """p50 of HTTP_RUNS GETs of `url` as served: looked at once, refreshed by the job."""
    from advocacy.health.figures import refresh_reports

    client.get(url)
    refresh_reports()
    samples = []
    for _ in range(HTTP_RUNS):
        started = time.perf_counter()
        response = client.get(url)
        samples.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    return statistics.median(samples)


def run() -> dict:
    from django.db import connection
    from django.db.models import Max
    from django.test import Client, override_settings
    from django.urls import reverse

    from advocacy.health.figures import compute
    from advocacy.health.reference import compute_in_python
    from forum.models import Question, User

    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    total = Question.objects.count()
    now = Question.objects.aggregate(last=Max("created_at"))["last"]
    metrics, checks = {"questions": total}, []
    staff = Client()
    staff.force_login(User.objects.filter(is_staff=True, is_active=True).order_by("pk").first())
    for days in PERIODS:
        for _ in range(WARMUP):
            compute(days, now=now)
        samples = []
        for _ in range(RUNS):
            started = time.perf_counter()
            report = compute(days, now=now)
            samples.append((time.perf_counter() - started) * 1000)
        queries = _count_queries(lambda: compute(days, now=now))  # noqa: B023 - called here
        compute_in_python(days, now=now)
        baseline = []
        for _ in range(BASELINE_RUNS):
            started = time.perf_counter()
            compute_in_python(days, now=now)
            baseline.append((time.perf_counter() - started) * 1000)
        with override_settings(CACHES=LOCAL_CACHE):
            page_p50 = _http_p50(staff, f"{reverse('health:dashboard')}?days={days}")
            api_p50 = _http_p50(staff, f"/api/v1/community/health/?days={days}")
            served_p50 = _served_p50(staff, f"{reverse('health:dashboard')}?days={days}")
        p50, p95 = statistics.median(samples), _percentile(samples, 95)
        baseline_p50 = statistics.median(baseline)
        metrics[f"{days}d"] = {
            "questions_in_period": report["current"]["questions"],
            "p50_ms": round(p50, 1),
            "p95_ms": round(p95, 1),
            "queries": queries,
            "runs": RUNS,
            "baseline_python_p50_ms": round(baseline_p50, 1),
            "speedup_vs_baseline": round(baseline_p50 / p50, 1),
            "page_p50_ms": round(page_p50, 1),
            "api_p50_ms": round(api_p50, 1),
            "served_page_p50_ms": round(served_p50, 1),
        }
        checks.append(
            {
                "metric": f"health figures, {days} days "
                f"({report['current']['questions']:,} questions; baseline in Python "
                f"{baseline_p50:.0f} ms, p50 {p50:.0f} ms) p95",
                "value": round(p95, 1),
                "unit": "ms",
                "target": f"<= {TARGET_MS:.0f} ms",
                "ok": p95 <= TARGET_MS,
            }
        )
        for what, value in (("page", page_p50), ("API", api_p50)):
            checks.append(
                {
                    "metric": f"health {what}, {days} days, uncached, p50",
                    "value": round(value, 1),
                    "unit": "ms",
                    "target": f"<= {TARGET_MS:.0f} ms",
                    "ok": value <= TARGET_MS,
                }
            )
        checks.append(
            {
                "metric": f"health page, {days} days, as served (kept warm by the worker), p50",
                "value": round(served_p50, 1),
                "unit": "ms",
                "target": f"<= {TARGET_MS:.0f} ms",
                "ok": served_p50 <= TARGET_MS,
            }
        )
    return {
        "scenario": "P8",
        "title": "Community health figures at 100k questions, uncached and as served",
        "metrics": metrics,
        "checks": checks,
    }
