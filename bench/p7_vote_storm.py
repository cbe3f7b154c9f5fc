"""P7: vote storm. 32 concurrent voters x 100 votes each on PostgreSQL, through the real
services (`forum.services.cast_vote`), while the askers accept and unaccept answers.

Each voter is a thread with its own database connection, released together by a
barrier; every vote picks a post from a pool of 200 (40 questions, 160 answers by 8
authors) and votes up (60%), down (25%) or withdraws (15%). Intended refusals are
counted apart from errors: four voters have 20 reputation (may upvote, not downvote) and
two voters are authors of the pool (their votes on their own posts are refused). Then the
fair-play sweep runs once (timed), and the invariants of QUALITY.md are checked:

- `manage.py recompute_reputation --check` exits 0 (cached reputation == ledger,
  leaderboard counters == ledger, rewards balances == their entries), run as a process;
- score == sum of votes, and one vote per (post, voter), on every post of the pool;
- one accepted answer per question, belonging to it; no badge held twice.

Throughput is votes (cast or refused) per second of wall time, with each vote's latency,
and, as issue 12 asks, a ratio to a baseline measured in the same run: the same threads
make the same choices of post and value on a pool of their own, each vote a bare loop of
plain SQL on the same database (lock the post, read the voter's vote, insert, update or
delete it, move the score) in one transaction; no permission, ledger, badge or event.
The voters share one Python process (threads), as they would share a server's view
threads, and each vote, like a request, borrows a connection from the process's pool
(production settings: `DATABASE_POOL_SIZE`) and gives it back, the baseline's too; on a 2-core box the figure measures the whole stack (Python, PostgreSQL)
rather than PostgreSQL alone. The points and badges of the votes and the acceptances are
settled by the task worker (`gamification.tasks.settle_vote`, `settle_acceptance`), as in
production: the bench runs two
`manage.py run_worker` processes beside the voters (the README's layout), started and
ready before the storm as production's are (`_wait_ready`), waits until they have settled
every vote, and reports that time too (settled throughput: votes per second of wall time from the first
vote to the last settlement), before it checks the invariants. The members and posts of each run are kept
(names start with p7-<run>-), a few hundred rows. Before the storm its process builds what a
server's has built on its first requests (`_warm`).
"""

from __future__ import annotations

import os
import random
import statistics
import subprocess
import sys
import threading
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path

VOTERS = 32
VOTES = int(os.environ.get("P7_VOTES", "100"))  # P7_VOTES=10 for a quick try of the script
AUTHORS = 8
QUESTIONS_PER_AUTHOR = 5
ANSWERS_PER_QUESTION = 4
LOW_REP_VOTERS = 4  # may upvote, not downvote
AUTHOR_VOTERS = 2  # also authors of the pool: votes on their own posts are refused
ACCEPTS = 100
SEED = 7
ROOT = Path(__file__).resolve().parent.parent


def _percentile(samples: list[float], p: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def _setup(run: str):  # noqa: ANN202
    """Members (verified, joined long ago, reputation backed by the ledger) and the pool."""
    from allauth.account.models import EmailAddress
    from django.utils import timezone

    from forum.markdown import render_markdown
    from forum.models import Answer, Question, User
    from gamification.services.balances import record_opening_balances

    joined = timezone.now() - timedelta(days=400)

    def members(prefix: str, n: int, reputation: int) -> list[User]:
        made = User.objects.bulk_create(
            [
                User(
                    username=f"p7-{run}-{prefix}{i:02d}",
                    email=f"p7-{run}-{prefix}{i:02d}@example.invalid",
                    password="!",
                    date_joined=joined,
                    reputation=reputation,
                )
                for i in range(n)
            ]
        )
        EmailAddress.objects.bulk_create(
            [EmailAddress(user=u, email=u.email, verified=True, primary=True) for u in made]
        )
        record_opening_balances([(u.pk, reputation) for u in made])
        return made

    authors = members("author", AUTHORS, 200)
    voters = members("voter", VOTERS - AUTHOR_VOTERS - LOW_REP_VOTERS, 200)
    voters += members("low", LOW_REP_VOTERS, 20)
    voters += authors[:AUTHOR_VOTERS]
    body = "After the top-up the phone still says *no service*. I restarted it twice."
    html = render_markdown(body).html
    now = timezone.now()
    questions = Question.objects.bulk_create(
        [
            Question(
                author=authors[i % AUTHORS],
                title=f"P7 {run} question {i}: no service after top-up",
                body=body,
                body_html=html,
                created_at=now,
                last_activity_at=now,
            )
            for i in range(AUTHORS * QUESTIONS_PER_AUTHOR)
        ]
    )
    answers = Answer.objects.bulk_create(
        [
            Answer(
                question=q,
                author=authors[(qi + k + 1) % AUTHORS],  # never the asker
                body="Switch the phone off for a minute, then check the APN settings.",
                body_html="<p>Switch the phone off for a minute, then check the APN settings.</p>",
                created_at=now,
            )
            for qi, q in enumerate(questions)
            for k in range(ANSWERS_PER_QUESTION)
        ]
    )
    Question.objects.filter(pk__in=[q.pk for q in questions]).update(
        answer_count=ANSWERS_PER_QUESTION
    )
    return authors, voters, questions, answers


def _warm() -> None:
    """What a server process has built on its first requests: Django's reverse() tables,
    one per language (half a second each). Left to the storm, the first acceptance's
    badge notification built them while the voters waited for the interpreter."""
    from django.conf import settings
    from django.urls import reverse
    from django.utils import translation

    for language, _name in settings.LANGUAGES:
        with translation.override(language):
            reverse("gamification:badges")


def _storm(voters, pool, questions, answers):  # noqa: ANN001, ANN202
    from django.core.exceptions import PermissionDenied
    from django.db import connection

    from forum import services

    _warm()

    barrier = threading.Barrier(len(voters) + 2)  # the voters, the askers, this thread
    latencies: list[float] = []
    outcomes: Counter[str] = Counter()
    refusals: Counter[str] = Counter()
    errors: list[str] = []
    lock = threading.Lock()

    def vote(i: int, voter) -> None:  # noqa: ANN001
        rng = random.Random(SEED * 1000 + i)
        mine: list[float] = []
        seen: Counter[str] = Counter()
        refused: Counter[str] = Counter()
        failed: list[str] = []
        try:
            barrier.wait()
            for _ in range(VOTES):
                post = rng.choice(pool)
                value = rng.choices([1, -1, 0], weights=[60, 25, 15])[0]
                started = time.perf_counter()
                try:
                    services.cast_vote(actor=voter, post=post, value=value)
                    seen["cast"] += 1
                except PermissionDenied as exc:
                    seen["refused"] += 1
                    refused[str(exc)[:60]] += 1
                except Exception as exc:  # noqa: BLE001 - counted as an error
                    seen["error"] += 1
                    failed.append(f"{type(exc).__name__}: {exc}"[:200])
                finally:
                    connection.close()  # back to the pool, as at the end of a request
                mine.append((time.perf_counter() - started) * 1000)
        finally:
            connection.close()
            with lock:
                latencies.extend(mine)
                outcomes.update(seen)
                refusals.update(refused)
                errors.extend(failed)

    accepted: Counter[str] = Counter()

    def accept() -> None:
        rng = random.Random(SEED)
        by_question: dict[int, list] = {}
        for answer in answers:
            by_question.setdefault(answer.question_id, []).append(answer)
        askers = {q.pk: q.author for q in questions}
        try:
            barrier.wait()
            for _ in range(ACCEPTS):
                question_id = rng.choice(list(by_question))
                answer = rng.choice(by_question[question_id])
                asker = askers[question_id]
                try:
                    if rng.random() < 0.8:
                        services.accept_answer(actor=asker, answer=answer)
                    else:
                        services.unaccept_answer(actor=asker, answer=answer)
                    accepted["done"] += 1
                except Exception as exc:  # noqa: BLE001 - counted as an error
                    accepted["error"] += 1
                    with lock:
                        errors.append(f"accept {type(exc).__name__}: {exc}"[:200])
        finally:
            connection.close()

    threads = [threading.Thread(target=vote, args=(i, v)) for i, v in enumerate(voters)]
    threads.append(threading.Thread(target=accept))
    for t in threads:
        t.start()
    started = time.perf_counter()
    barrier.wait()
    for t in threads:
        t.join(timeout=600)
    wall = time.perf_counter() - started
    hung = sum(1 for t in threads if t.is_alive())
    return wall, latencies, outcomes, refusals, errors, accepted, hung


SETTLE_TASK = "gamification.tasks.settle_vote"
# What the worker settles: the votes, and the askers' acceptances meanwhile.
SETTLE_TASKS = (SETTLE_TASK, "gamification.tasks.settle_acceptance")


WORKERS = 2  # as the README's production layout runs them


def _start_worker(worker_id: str) -> subprocess.Popen:
    """A task worker, as production runs it (no periodic jobs: the sweep runs after)."""
    return subprocess.Popen(
        [sys.executable, "manage.py", "run_worker", "--no-reload", "--queue-name", "*"]
        + ["--no-scheduler", "--no-startup-delay", "--interval", "0.2"]
        + ["--worker-id", worker_id],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def _wait_ready(worker_ids: list[str], timeout: float = 120) -> None:
    """Until every worker has run a task: production's workers are up before the votes
    come, so their start (importing Django and the site, a second or more of CPU each) is
    not paid during the storm. The probes are settlements of a vote by no member, which
    pay nothing."""
    from django_tasks import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    from gamification.tasks import settle_vote

    deadline = time.monotonic() + timeout
    ready: set[str] = set()
    while not set(worker_ids) <= ready:
        if time.monotonic() > deadline:
            raise SystemExit(f"Task workers not ready after {timeout:.0f} s: {sorted(ready)}")
        probes = DBTaskResult.objects.filter(task_path=SETTLE_TASK)
        for _ in range(len(worker_ids) - probes.filter(status=TaskResultStatus.READY).count()):
            settle_vote.enqueue(0, 0, None, 0, 1)
        time.sleep(0.05)
        done = probes.filter(status=TaskResultStatus.SUCCESSFUL).values_list(
            "worker_ids", flat=True
        )
        ready = {worker for ids in done for worker in ids}
    _wait_settled(time.perf_counter())
    DBTaskResult.objects.filter(task_path=SETTLE_TASK).delete()


def _unsettled() -> int:
    from django_tasks import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    waiting = (TaskResultStatus.READY, TaskResultStatus.RUNNING)
    return DBTaskResult.objects.filter(task_path__in=SETTLE_TASKS, status__in=waiting).count()


def _wait_settled(started: float, timeout: float = 900) -> tuple[float, int]:
    """Seconds from `started` until the worker has settled every vote, and how many
    settlements failed."""
    from django_tasks import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    deadline = time.monotonic() + timeout
    while _unsettled() and time.monotonic() < deadline:
        time.sleep(0.1)
    settled = time.perf_counter() - started
    failed = DBTaskResult.objects.filter(task_path__in=SETTLE_TASKS, status=TaskResultStatus.FAILED)
    return settled, failed.count()


def _baseline(voters, pool) -> tuple[float, int]:  # noqa: ANN001
    """The bare SQL loop: the storm's choices (same seeds) on the baseline's own pool.
    Returns (wall seconds, votes)."""
    from django.db import connection, transaction

    from forum.models import Question

    barrier = threading.Barrier(len(voters) + 1)
    done: list[int] = []
    lock = threading.Lock()

    def vote(i: int, voter) -> None:  # noqa: ANN001
        rng = random.Random(SEED * 1000 + i)
        n = 0
        try:
            barrier.wait()
            for _ in range(VOTES):
                post = rng.choice(pool)
                value = rng.choices([1, -1, 0], weights=[60, 25, 15])[0]
                table, column = (
                    ("forum_question", "question_id")
                    if isinstance(post, Question)
                    else ("forum_answer", "answer_id")
                )
                with transaction.atomic(), connection.cursor() as cur:
                    cur.execute(f"SELECT score FROM {table} WHERE id = %s FOR UPDATE", [post.pk])
                    cur.execute(
                        f"SELECT id, value FROM forum_vote WHERE voter_id = %s AND {column} = %s",
                        [voter.pk, post.pk],
                    )
                    row = cur.fetchone()
                    old = row[1] if row else 0
                    if value != old:
                        if value == 0:
                            cur.execute("DELETE FROM forum_vote WHERE id = %s", [row[0]])
                        elif row:
                            cur.execute(
                                "UPDATE forum_vote SET value = %s WHERE id = %s", [value, row[0]]
                            )
                        else:
                            cur.execute(
                                f"INSERT INTO forum_vote (voter_id, {column}, value, created_at)"
                                " VALUES (%s, %s, %s, now())",
                                [voter.pk, post.pk, value],
                            )
                        cur.execute(
                            f"UPDATE {table} SET score = score + %s WHERE id = %s",
                            [value - old, post.pk],
                        )
                connection.close()  # as the storm's voters do
                n += 1
        finally:
            connection.close()
            with lock:
                done.append(n)

    threads = [threading.Thread(target=vote, args=(i, v)) for i, v in enumerate(voters)]
    for t in threads:
        t.start()
    started = time.perf_counter()
    barrier.wait()
    for t in threads:
        t.join(timeout=600)
    return time.perf_counter() - started, sum(done)


def _invariants(questions, answers, members) -> dict[str, object]:  # noqa: ANN001
    from django.db.models import Count, F

    from forum.models import Answer, Question, Vote
    from forum.selectors import counter_differences
    from gamification.models import BadgeAward
    from gamification.selectors import reputation_drift

    score_drift = []
    for model, posts in ((Question, questions), (Answer, answers)):
        for post in posts:
            score_drift += [
                d for d in counter_differences(model=model, pk=post.pk) if d.field == "score"
            ]
    double_votes = (
        Vote.objects.filter(answer__in=answers)
        .values("voter", "answer")
        .annotate(n=Count("pk"))
        .filter(n__gt=1)
        .count()
        + Vote.objects.filter(question__in=questions)
        .values("voter", "question")
        .annotate(n=Count("pk"))
        .filter(n__gt=1)
        .count()
    )
    wrong_accepts = (
        Question.objects.filter(pk__in=[q.pk for q in questions], accepted_answer__isnull=False)
        .exclude(accepted_answer__question_id=F("pk"))
        .count()
    )
    double_badges = (
        BadgeAward.objects.filter(member__in=members)
        .values("member", "badge", "scope")
        .annotate(n=Count("pk"))
        .filter(n__gt=1)
        .count()
    )
    check = subprocess.run(
        [sys.executable, "manage.py", "recompute_reputation", "--check"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    return {
        "reputation_drift": len(reputation_drift()),
        "score_drift": len(score_drift),
        "double_votes": double_votes,
        "accepted_answer_of_another_question": wrong_accepts,
        "badges_held_twice": double_badges,
        "recompute_check_exit": check.returncode,
        "recompute_check_output": (check.stdout + check.stderr).strip()[-2000:],
    }


def run() -> dict:
    from django.utils import timezone
    from django_tasks_db.models import DBTaskResult

    from forum.models import Vote
    from gamification.fairplay.sweep import sweep_fair_play
    from gamification.models import PointEvent

    run_id = timezone.now().strftime("%m%d%H%M%S")
    _, bare_voters, bare_questions, bare_answers = _setup(f"{run_id}b")
    bare_wall, bare_votes = _baseline(bare_voters, list(bare_questions) + list(bare_answers))
    bare_throughput = bare_votes / bare_wall if bare_wall else 0.0
    authors, voters, questions, answers = _setup(run_id)
    pool = list(questions) + list(answers)
    ledger_before = PointEvent.objects.count()
    DBTaskResult.objects.filter(task_path__in=SETTLE_TASKS).delete()  # an earlier run's
    worker_ids = [f"p7-{run_id}-{n}" for n in range(WORKERS)]
    workers = [_start_worker(worker_id) for worker_id in worker_ids]
    try:
        _wait_ready(worker_ids)
        started = time.perf_counter()
        wall, latencies, outcomes, refusals, errors, accepted, hung = _storm(
            voters, pool, questions, answers
        )
        settled_s, settle_failures = _wait_settled(started)
        unsettled = _unsettled()
    finally:
        for worker in workers:
            worker.terminate()
        for worker in workers:
            worker.wait(timeout=60)
    ledger_rows = PointEvent.objects.count() - ledger_before
    started = time.perf_counter()
    sweep = sweep_fair_play().as_dict()
    sweep_s = time.perf_counter() - started
    members = list(authors) + [v for v in voters if v not in authors]
    invariants = _invariants(questions, answers, members)

    attempts = sum(outcomes.values())
    throughput = attempts / wall if wall else 0.0
    settled_throughput = attempts / settled_s if settled_s else 0.0
    ratio = 100 * throughput / bare_throughput if bare_throughput else 0.0
    ok_invariants = (
        invariants["reputation_drift"] == 0
        and invariants["score_drift"] == 0
        and invariants["double_votes"] == 0
        and invariants["accepted_answer_of_another_question"] == 0
        and invariants["badges_held_twice"] == 0
        and invariants["recompute_check_exit"] == 0
    )
    checks = [
        {
            "metric": f"votes attempted ({VOTERS} voters x {VOTES})",
            "value": attempts,
            "target": f"= {VOTERS * VOTES}",
            "ok": attempts == VOTERS * VOTES and not hung,
        },
        {
            "metric": (
                f"throughput (p50 {statistics.median(latencies):.0f} ms, "
                f"p99 {_percentile(latencies, 99):.0f} ms per vote)"
            ),
            "value": round(throughput, 1),
            "unit": "votes/s",
            "target": "reported",
            "ok": None,
        },
        {
            "metric": (
                f"throughput as % of a bare SQL loop writing the same votes and scores "
                f"({bare_throughput:.1f} votes/s in the same run)"
            ),
            "value": round(ratio, 1),
            "unit": "%",
            "target": ">= 25",
            "ok": ratio >= 25,
        },
        {
            "metric": (
                f"settled throughput: votes per second until the worker had settled every "
                f"vote ({settled_s:.1f} s; {100 * settled_throughput / bare_throughput:.1f} % "
                "of the bare loop)"
            ),
            "value": round(settled_throughput, 1),
            "unit": "votes/s",
            "target": "reported",
            "ok": None,
        },
        {
            "metric": "votes left unsettled, settlements failed",
            "value": unsettled + settle_failures,
            "target": "0",
            "ok": unsettled + settle_failures == 0,
        },
        {
            "metric": "errors other than intended refusals",
            "value": len(errors),
            "target": "0",
            "ok": not errors,
        },
        {
            "metric": "invariants hold; recompute_reputation --check exit code",
            "value": invariants["recompute_check_exit"],
            "target": "0",
            "ok": ok_invariants,
        },
    ]
    return {
        "scenario": "P7",
        "title": "Vote storm: 32 concurrent voters x 100 votes (PostgreSQL, real services)",
        "metrics": {
            "run": run_id,
            "load_average_1_5_15": [round(x, 1) for x in os.getloadavg()],
            "wall_s": round(wall, 2),
            "votes_per_s": round(throughput, 1),
            "baseline": {
                "what": "bare SQL loop, same threads, seeds and database; own pool",
                "votes": bare_votes,
                "wall_s": round(bare_wall, 2),
                "votes_per_s": round(bare_throughput, 1),
            },
            "percent_of_baseline": round(ratio, 1),
            "settled_s": round(settled_s, 2),
            "settled_votes_per_s": round(settled_throughput, 1),
            "unsettled": unsettled,
            "settle_failures": settle_failures,
            "latency_ms": {
                "p50": round(statistics.median(latencies), 1),
                "p90": round(_percentile(latencies, 90), 1),
                "p99": round(_percentile(latencies, 99), 1),
                "max": round(max(latencies), 1),
            },
            "outcomes": dict(outcomes),
            "intended_refusals": dict(refusals),
            "errors": errors[:20],
            "acceptances": dict(accepted),
            "votes_standing": Vote.objects.filter(voter__in=voters).count(),
            "ledger_rows_written": ledger_rows,
            "fair_play_sweep": {
                "cases": len(sweep["cases"]),
                "reversed": sweep["reversed"],
                "points": sweep["points"],
                "seconds": round(sweep_s, 2),
            },
            "invariants": invariants,
        },
        "checks": checks,
    }
