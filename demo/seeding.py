"""Bulk builder of the demo community (`manage.py seed_demo`) and of benchmark threads.

Rows are built in memory and written with `bulk_create` in batches, never through the
services: 100k questions must take minutes, not hours. The builder therefore does by hand
what the services do, and keeps the same invariants:

- `body_html` is exactly `render_markdown(body).html` (each distinct Markdown block is
  rendered once and the pieces joined, which gives the same HTML; the tests check it);
- every question and answer has Revision number 1 (edited posts also have number 2);
- `score` is the sum of the post's Vote rows; `answer_count` and `comment_count` count the
  live rows; `last_activity_at` is the latest of the question, its answers, comments and
  edits; one vote per (voter, post), never on one's own post; an accepted answer is never
  the asker's own;
- search vectors are refreshed at the end, in one UPDATE (PostgreSQL only).

Determinism: every choice comes from one `random.Random(seed)`, consumed in an order that
never depends on what the database returns, and the primary keys of questions and answers
are assigned here (continuing after the highest existing id). Timestamps are offsets back
from an `anchor`: the caller passes a fixed one for a run reproducible to the second;
`seed_demo` defaults to the current hour so a fresh demo looks alive.
"""

from __future__ import annotations

import random
import time
from collections import Counter
from collections.abc import Callable
from datetime import datetime

from django.contrib.contenttypes.models import ContentType
from django.core.management.color import no_style
from django.db import connection, reset_queries, transaction
from django.db.models import Max
from taggit.models import TaggedItem

from core import ratelimit
from demo.automation import seed_automation
from demo.badges import award_seeded_badges
from demo.desk import seed_crm, seed_escalations
from demo.health import seed_health
from demo.members import BATCH, CommunityBuilder
from demo.moderation import seed_flags
from demo.points import PointsSeeder, seed_race, seed_rewards
from demo.threads import Plan, ThreadBuilder, _Built, _Cat
from forum.models import (
    Answer,
    Comment,
    Question,
    Revision,
    Vote,
)
from forum.search import update_search_vector

LONG_THREAD_ANSWERS = 34
CHUNK = 2000  # questions per transaction (and per set of bulk inserts)


class Seeder(CommunityBuilder, ThreadBuilder):
    """Builds members, categories, tags and threads from one random stream.

    Use `create_users`, `create_categories`, then `create_questions` (a fresh demo), or
    `load_existing` then `create_questions(plans=...)` to add threads to a seeded database.
    """

    def __init__(
        self, *, seed: int, anchor: datetime, log: Callable[[str], None] | None = None
    ) -> None:
        self.rng = random.Random(seed)
        self.anchor = anchor.replace(microsecond=0)
        self.log = log or (lambda message: None)
        self.counts: Counter[str] = Counter()
        self._html: dict[str, str] = {}
        self._titles: set[str] = set()
        self.users: list[int] = []  # everyone, demo accounts first
        self.members: list[int] = []  # generated members only
        self.demo: dict[str, int] = {}
        self._newcomer_names: list[str] = []
        self._candidate_name = ""
        self.newcomers: list[int] = []
        self.candidate: int | None = None
        self.moderators: list[int] = []
        self.reputation: dict[int, int] = {}
        self.categories: list[_Cat] = []
        self.tag_ids: dict[str, int] = {}
        self._answerer_cum: list[float] = []
        self._by_category: dict[int, list[int]] = {}
        self._question_ct = ContentType.objects.get_for_model(Question)
        self.points = PointsSeeder(anchor=self.anchor)  # ledger rows for recent votes

    # Members ----------------------------------------------------------------------------

    def create_questions(
        self,
        count: int,
        *,
        answers_per_question: int = 3,
        plans: dict[int, Plan] | None = None,
    ) -> list[int]:
        """Generate `count` questions, oldest first; returns their ids.

        Answered questions get 1 to 2N-1 answers (N on average); some get none.
        """
        plans = dict(plans or {})
        if not plans and count and "demo-customer" in self.demo:
            plans = self._demo_plans(count)
        first_id = (Question.objects.aggregate(m=Max("pk"))["m"] or 0) + 1
        had_questions = first_id > 1 or Question.objects.exists()
        self._next_answer = (Answer.objects.aggregate(m=Max("pk"))["m"] or 0) + 1
        ids = []
        started = time.monotonic()
        for start in range(0, count, CHUNK):
            built = _Built()
            for index in range(start, min(start + CHUNK, count)):
                qid = first_id + index
                self._question(
                    built, qid, index, count, answers_per_question, plans.get(index) or Plan()
                )
                ids.append(qid)
            self._write(built)
            reset_queries()  # with DEBUG on, Django would keep every INSERT's SQL in memory
            done = min(start + CHUNK, count)
            self.log(f"  {done:,}/{count:,} questions ({time.monotonic() - started:.0f} s)")
        self._reset_sequences()
        if connection.vendor == "postgresql":
            t = time.monotonic()
            if had_questions:
                for i in range(0, len(ids), 5000):
                    update_search_vector(ids[i : i + 5000])
            else:
                update_search_vector()
            self.log(f"  search vectors: {time.monotonic() - t:.1f} s")
        return ids

    def _demo_plans(self, count: int) -> dict[int, Plan]:
        """Recent questions by demo-customer: solved by demo-helper, unsolved, unanswered."""
        customer, helper = self.demo["demo-customer"], self.demo["demo-helper"]
        recent = range(max(0, count - 60), count)
        picks = sorted(self.rng.sample(recent, min(4, len(recent))))
        kinds = [
            Plan(author_id=customer, answers=2, accepted_author_id=helper, closed=False),
            Plan(author_id=customer, answers=2, solved=False, closed=False),
            Plan(author_id=customer, answers=0, closed=False),
            Plan(author_id=customer, answers=1, solved=False, answer_author_ids=[helper]),
        ]
        # Spread them: the solved one is the oldest, the unanswered one among the newest.
        plans = dict(zip(picks, [kinds[0], kinds[1], kinds[3], kinds[2]], strict=False))
        self._story_plans(plans, count)
        return plans

    def _story_plans(self, plans: dict[int, Plan], count: int) -> None:
        """The rest of the demo's story: the newcomers' first posts (the newest), a long
        thread (30+ answers, solved by demo-helper) and the accepted answers that make the
        candidate eligible for the advocate programme."""
        rng, helper = self.rng, self.demo["demo-helper"]
        free = [i for i in range(count - 1, -1, -1) if i not in plans]
        newest = free[1:7:2]  # the newest questions, but not the very last one
        for n, pk in enumerate(self.newcomers):
            if n >= len(newest):
                break
            if n == 1:  # this newcomer's first post is an answer
                plans[newest[n]] = Plan(answers=2, answer_author_ids=[pk], closed=False)
            else:
                plans[newest[n]] = Plan(author_id=pk, answers=n // 2, closed=False)
        free = [i for i in free if i not in plans]
        if count >= 20 and free:
            index = free[min(len(free) - 1, max(10, count // 8))]
            plans[index] = Plan(
                answers=LONG_THREAD_ANSWERS,
                accepted_author_id=helper,
                closed=False,
                answer_author_ids=[helper, self.demo["demo-advocate"]],
                title=None,
            )
            free.remove(index)
        if self.candidate is None:
            return
        from advocacy.programme.selectors import rules

        wanted = rules().min_accepted_answers + 2
        askers = [m for m in self.members if m != self.candidate]
        # Spread over the half year (the candidate has been helping for months).
        for index in free[:: max(1, len(free) // wanted)][:wanted]:
            plans[index] = Plan(
                author_id=rng.choice(askers),
                answers=rng.randint(1, 3),
                accepted_author_id=self.candidate,
                closed=False,
            )

    # Writing ----------------------------------------------------------------------------

    def _write(self, built: _Built) -> None:
        # Questions point at answers (accepted_answer) inserted after them: the foreign
        # keys are deferred to the end of the transaction on PostgreSQL and SQLite.
        with transaction.atomic():
            Question.objects.bulk_create(built.questions, batch_size=BATCH)
            Answer.objects.bulk_create(built.answers, batch_size=BATCH)
            Comment.objects.bulk_create(built.comments, batch_size=BATCH)
            Vote.objects.bulk_create(built.votes, batch_size=BATCH)
            Revision.objects.bulk_create(built.revisions, batch_size=BATCH)
            TaggedItem.objects.bulk_create(built.tagged, batch_size=BATCH)
            self.points.record(questions=built.questions, answers=built.answers, votes=built.votes)
        self.counts["questions"] += len(built.questions)
        self.counts["answers"] += len(built.answers)
        self.counts["comments"] += len(built.comments)
        self.counts["votes"] += len(built.votes)
        self.counts["revisions"] += len(built.revisions)
        self.counts["accepted"] += sum(1 for q in built.questions if q.accepted_answer_id)
        self.counts["closed"] += sum(1 for q in built.questions if q.closed_at)
        self.counts["unanswered"] += sum(1 for q in built.questions if not q.answer_count)

    def analyze(self) -> None:
        """Fresh statistics for the planner on every table the seed filled (the members,
        the posts, the points ledger and leaderboards, ...): a database without autovacuum
        would otherwise plan the ledger's fair-play checks for an empty table, 50 ms a
        vote instead of 0.3. Outside a transaction, also reclaim the row versions the
        search-vector UPDATE left behind (PostgreSQL)."""
        if connection.vendor != "postgresql":
            return
        with connection.cursor() as cursor:
            if not connection.in_atomic_block:
                question_table = connection.ops.quote_name(Question._meta.db_table)
                cursor.execute(f"VACUUM ANALYZE {question_table}")
            cursor.execute("ANALYZE")

    def _reset_sequences(self) -> None:
        """Ids of questions and answers were set here; move the sequences past them."""
        statements = connection.ops.sequence_reset_sql(no_style(), [Question, Answer])
        if statements:
            with connection.cursor() as cursor:
                for sql in statements:
                    cursor.execute(sql)


def seed_demo(
    *,
    users: int,
    questions: int,
    answers_per_question: int,
    seed: int,
    anchor: datetime,
    log: Callable[[str], None] | None = None,
) -> Counter[str]:
    """Seed a database that has no demo accounts yet; returns the row counts.

    The seeders write through the services (flags, redemptions...) as members, without
    their rate limits: a second seed on the same cache within the window would otherwise
    be refused, its members having the same ids as the first's."""
    with ratelimit.exempt():
        seeder = Seeder(seed=seed, anchor=anchor, log=log)
        seeder.create_users(users)
        seeder.create_categories()
        seeder.create_questions(questions, answers_per_question=answers_per_question)
        seeder.create_lounge()
        seeder.points.finish()
        seeder.counts["point events"] = seeder.points.rows
        seeder.counts["race votes"] = seed_race()
        seeder.counts["redemptions"] = seed_rewards(
            staff_id=seeder.demo.get("demo-staff"), manager_id=seeder.demo.get("demo-manager")
        )
        seeder.counts["escalations"] = seed_escalations(
            advocate_id=seeder.demo.get("demo-advocate"), staff_id=seeder.demo.get("demo-staff")
        )
        seeder.counts["crm records"] = seed_crm()
        seeder.counts["flags"] = seed_flags()
        # The badge rules read the posts, votes and ledger just written, one member at a
        # time: planned without statistics, each of 2,000 members' tag-badge queries took
        # over a second at 100,000 questions (the bench database's seed).
        seeder.analyze()
        seeder.counts["badges"] = award_seeded_badges()
        seeder.counts.update(seed_health(anchor=anchor, seed=seed))
        seeder.counts.update(seed_automation(anchor=anchor))
        seeder.analyze()
    return seeder.counts


def build_thread(
    *,
    title: str,
    answers: int,
    comments_per_post: int = 2,
    votes_per_post: int = 8,
    seed: int = 0,
    anchor: datetime,
) -> int:
    """Add one question with exactly `answers` answers (comments and votes on every post)
    to an already seeded database; returns its id. Used by the benchmarks."""
    seeder = Seeder(seed=seed, anchor=anchor)
    seeder.load_existing(members=max(50, votes_per_post + 2))
    plan = Plan(
        title=title,
        answers=answers,
        comments_per_post=comments_per_post,
        votes_per_post=votes_per_post,
        solved=True,
        closed=False,
        edited=True,  # so the page's "edited by" lookup runs whatever the size
    )
    (question_id,) = seeder.create_questions(1, plans={0: plan})
    seeder.points.finish()
    return question_id
