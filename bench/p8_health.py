"""P8: the community health figures over the 100k-question data set.

Target (issue 13): the dashboard answers within 300 ms. Measured: `compute(days)` (the
uncached figures, what the first visitor after the 2-minute cache waits for) for 7, 30,
90 and 365 days, anchored at the newest question so the periods hold data; and the
number of queries, which must not depend on the data.

Baseline, in the same run: `compute_in_python` (the same figures aggregated in Python
from one row per question and per answer: the first version, and the SQLite path), 3 runs
per period. The tables are analysed first (`ANALYZE`), as autovacuum would have done on a
live site: a freshly seeded database has no statistics and the planner guesses badly.
"""

from __future__ import annotations

import statistics
import time

RUNS = 15
BASELINE_RUNS = 3
WARMUP = 2
TARGET_MS = 300.0
PERIODS = (7, 30, 90, 365)


def _percentile(samples: list[float], p: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def run() -> dict:
    from django.db import connection
    from django.db.models import Max
    from django.test.utils import CaptureQueriesContext

    from advocacy.health.figures import compute, compute_in_python
    from forum.models import Question

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    total = Question.objects.count()
    now = Question.objects.aggregate(last=Max("created_at"))["last"]
    metrics, checks = {"questions": total}, []
    for days in PERIODS:
        for _ in range(WARMUP):
            compute(days, now=now)
        samples = []
        for _ in range(RUNS):
            started = time.perf_counter()
            report = compute(days, now=now)
            samples.append((time.perf_counter() - started) * 1000)
        with CaptureQueriesContext(connection) as queries:
            compute(days, now=now)
        compute_in_python(days, now=now)
        baseline = []
        for _ in range(BASELINE_RUNS):
            started = time.perf_counter()
            compute_in_python(days, now=now)
            baseline.append((time.perf_counter() - started) * 1000)
        p50, p95 = statistics.median(samples), _percentile(samples, 95)
        baseline_p50 = statistics.median(baseline)
        metrics[f"{days}d"] = {
            "questions_in_period": report["current"]["questions"],
            "p50_ms": round(p50, 1),
            "p95_ms": round(p95, 1),
            "queries": len(queries.captured_queries),
            "runs": RUNS,
            "baseline_python_p50_ms": round(baseline_p50, 1),
            "speedup_vs_baseline": round(baseline_p50 / p50, 1),
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
    return {
        "scenario": "P8",
        "title": "Community health figures (uncached) at 100k questions",
        "metrics": metrics,
        "checks": checks,
    }
