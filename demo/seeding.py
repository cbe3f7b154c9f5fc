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

import math
import random
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from allauth.account.models import EmailAddress
from django.contrib.auth.hashers import make_password
from django.contrib.contenttypes.models import ContentType
from django.core.management.color import no_style
from django.db import connection, reset_queries, transaction
from django.db.models import Max
from taggit.models import Tag, TaggedItem

from core import ratelimit
from demo import content as dc
from demo.automation import seed_automation
from demo.badges import award_seeded_badges
from demo.desk import seed_crm, seed_escalations
from demo.health import seed_health
from demo.moderation import seed_flags
from demo.points import PointsSeeder, seed_race, seed_rewards
from forum.markdown import render_markdown
from forum.models import (
    Answer,
    Category,
    CloseReason,
    Comment,
    Question,
    Revision,
    TagInfo,
    User,
    Vote,
)
from forum.search import update_search_vector

DEMO_PASSWORD = "demo"
WINDOW = timedelta(days=180)  # questions are spread over the half year before the anchor
NEWCOMERS = 3  # generated members who joined days ago (the first-posts queue)
CANDIDATE_REPUTATION = 3200  # the advocate candidate's reputation, at least
LONG_THREAD_ANSWERS = 34
CHUNK = 2000  # questions per transaction (and per set of bulk inserts)
BATCH = 1000  # rows per INSERT statement


@dataclass(frozen=True)
class DemoAccount:
    username: str
    display_name: str
    role: str
    reputation: int
    is_staff: bool = False
    is_superuser: bool = False
    locale: str = "it"
    bio: str = ""


# Always created, password `demo`, verified e-mail. The advocacy app has no models yet, so
# demo-advocate is an advocate by reputation alone; when advocacy grows an Advocate model
# (approved status), create that record in `Seeder.create_users` right after these rows.
# Every seeded member gets an opening entry in the points ledger: their reputation less
# what the seeded recent votes and acceptances paid them (`demo.points`), so
# `recompute_reputation --check` holds and the weekly and monthly leaderboards show people.
DEMO_ACCOUNTS = (
    DemoAccount(
        "demo-customer",
        "Giulia (demo)",
        "customer",
        21,
        bio="Cliente da poco, ho sempre qualche domanda sulla mia offerta.",
    ),
    DemoAccount(
        "demo-helper",
        "Luca (demo helper)",
        "helper",
        1520,
        bio="Aiuto volentieri con reti, APN e eSIM.",
    ),
    DemoAccount(
        "demo-advocate",
        "Chiara (demo advocate)",
        "advocate",
        6140,
        bio="Community advocate: faccio da ponte tra la community e lo staff.",
    ),
    DemoAccount(
        "demo-staff",
        "Sofia (Support)",
        "support staff",
        250,
        is_staff=True,
        bio="Customer care team.",
    ),
    DemoAccount(
        "demo-manager",
        "Marco (Community manager)",
        "community manager, admin",
        400,
        is_staff=True,
        is_superuser=True,
        locale="en",
        bio="I look after this community.",
    ),
)

# The advocates' lounge's slug, as advocacy/migrations/0006_seed_advocates_lounge.py has it.
LOUNGE_SLUG = "advocates-lounge"

CLOSE_REASONS = [
    (CloseReason.DUPLICATE, 40),
    (CloseReason.NEEDS_DETAILS, 25),
    (CloseReason.OFF_TOPIC, 15),
    (CloseReason.RESOLVED, 15),
    (CloseReason.OTHER, 5),
]


@dataclass
class Plan:
    """Overrides for one generated question (demo accounts' content, benchmark threads)."""

    author_id: int | None = None
    answers: int | None = None
    comments_per_post: int | None = None
    votes_per_post: int | None = None
    accepted_author_id: int | None = None  # this member's answer is accepted
    solved: bool | None = None  # None: decided at random
    closed: bool | None = None  # None: decided at random (and the odd question locked)
    edited: bool | None = None  # the question has a second revision; None: at random
    title: str | None = None
    answer_author_ids: list[int] = field(default_factory=list)  # the first answers' authors


@dataclass
class _Cat:
    id: int
    slug: str
    tags: list[str]


@dataclass
class _Built:
    """One chunk's rows, in insertion order."""

    questions: list[Question] = field(default_factory=list)
    answers: list[Answer] = field(default_factory=list)
    comments: list[Comment] = field(default_factory=list)
    votes: list[Vote] = field(default_factory=list)
    revisions: list[Revision] = field(default_factory=list)
    tagged: list[TaggedItem] = field(default_factory=list)


class Seeder:
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

    def create_users(self, count: int) -> None:
        """The demo accounts and `count` members, all with password `demo` (one hash)."""
        rng = self.rng
        password = make_password(DEMO_PASSWORD)
        rows: list[User] = []
        for account in DEMO_ACCOUNTS:
            rows.append(
                User(
                    username=account.username,
                    email=f"{account.username}@example.com",
                    password=password,
                    display_name=account.display_name,
                    bio=account.bio,
                    locale=account.locale,
                    reputation=account.reputation,
                    is_staff=account.is_staff,
                    is_superuser=account.is_superuser,
                    date_joined=self._ago(days=rng.uniform(200, 900)),
                )
            )
        width = max(4, len(str(count)))
        for n in range(1, count + 1):
            username = f"member{n:0{width}d}"
            lang = rng.choice(("it", "it", "it", "en"))
            rows.append(
                User(
                    username=username,
                    email=f"{username}@example.com",
                    password=password,
                    display_name=dc.display_name(rng) if rng.random() < 0.85 else "",
                    bio=dc.bio(rng, lang) if rng.random() < 0.4 else "",
                    locale=rng.choice((lang, lang, "")),
                    reputation=self._member_reputation(),
                    date_joined=self._ago(days=rng.uniform(190, 1500)),
                )
            )
        self._story_members(rows[len(DEMO_ACCOUNTS) :])
        created = User.objects.bulk_create(rows, batch_size=BATCH)
        EmailAddress.objects.bulk_create(
            [EmailAddress(user=u, email=u.email, verified=True, primary=True) for u in created],
            batch_size=BATCH,
        )
        self._index_users([(u.pk, u.username, u.reputation, u.is_staff) for u in created])
        # Their opening ledger entries are written by `self.points.finish()`, once the
        # recent votes and acceptances they earned from are in the ledger too.
        self.points.expect_reputation([(u.pk, u.reputation) for u in created])
        self.counts["users"] += len(created)

    def _story_members(self, members: list[User]) -> None:
        """Cast two generated members for the demo's story (when there are enough): the
        best-reputed one becomes a candidate for the advocate programme (the plans give
        them the accepted answers the rules ask for), and the last few are newcomers who
        joined days ago, whose only post waits in the first-posts review queue."""
        if len(members) < NEWCOMERS + 5:
            return
        for member in members[-NEWCOMERS:]:
            member.reputation = 1
            member.date_joined = self._ago(days=self.rng.uniform(1, 6))
            self._newcomer_names.append(member.username)
        pool = members[:-NEWCOMERS]
        candidate = max(pool, key=lambda m: (m.reputation, -pool.index(m)))
        candidate.reputation = max(candidate.reputation, CANDIDATE_REPUTATION)
        self._candidate_name = candidate.username

    def _member_reputation(self) -> int:
        r = self.rng.random()
        if r < 0.5:
            return self.rng.randint(1, 50)
        if r < 0.8:
            return self.rng.randint(51, 500)
        if r < 0.95:
            return self.rng.randint(501, 3000)
        return self.rng.randint(3001, 12000)

    def _index_users(self, rows: list[tuple[int, str, int, bool]]) -> None:
        demo_names = {a.username for a in DEMO_ACCOUNTS}
        for pk, username, reputation, is_staff in rows:
            if username in self._newcomer_names:  # they post only what the plans give them
                self.newcomers.append(pk)
                continue
            if username == self._candidate_name:
                self.candidate = pk
            self.users.append(pk)
            self.reputation[pk] = reputation
            if username in demo_names:
                self.demo[username] = pk
            else:
                self.members.append(pk)
            if is_staff:
                self.moderators.append(pk)
        # Answerers: members weighted by the square root of their reputation.
        total = 0.0
        self._answerer_cum = []
        for pk in self.members:
            total += 1 + math.sqrt(self.reputation[pk]) / 4
            self._answerer_cum.append(total)

    def load_existing(self, *, members: int | None = None) -> None:
        """Index the users, categories and tags already in the database (in pk order)."""
        users = User.objects.order_by("pk").values_list("pk", "username", "reputation", "is_staff")
        self._index_users(list(users[:members] if members else users))
        pools = {slug: tags for slug, *_, tags in dc.CATEGORIES}
        self.categories = [
            _Cat(pk, slug, pools[slug])
            for pk, slug in Category.objects.order_by("position", "pk").values_list("pk", "slug")
            if slug in pools
        ]
        self.tag_ids = dict(Tag.objects.values_list("name", "pk"))

    # Categories and tags ----------------------------------------------------------------

    def create_categories(self) -> None:
        for position, (slug, name, name_it, description, tags) in enumerate(dc.CATEGORIES):
            category, _ = Category.objects.get_or_create(
                slug=slug,
                defaults={
                    "name": name,
                    "name_it": name_it,
                    "description": description,
                    "position": position,
                },
            )
            self.categories.append(_Cat(category.pk, slug, tags))
        names = sorted({t for c in self.categories for t in c.tags} | set(dc.GENERAL_TAGS))
        existing = dict(Tag.objects.filter(name__in=names).values_list("name", "pk"))
        missing = [Tag(name=n, slug=n) for n in names if n not in existing]
        Tag.objects.bulk_create(missing)
        self.tag_ids = dict(Tag.objects.filter(name__in=names).values_list("name", "pk"))
        TagInfo.objects.bulk_create(
            [
                TagInfo(tag_id=self.tag_ids[name], description=en, description_it=it)
                for name, (en, it) in dc.TAG_DESCRIPTIONS.items()
                if name in self.tag_ids
            ],
            ignore_conflicts=True,  # a tag described already (an earlier seed) keeps its text
        )

    # The advocate programme and the advocates' lounge ------------------------------------

    def create_lounge(self) -> None:
        """Approve demo-advocate through the programme's service (audited, welcomed) and
        open the lounge (the private category, created by a migration) with one thread
        between demo-advocate and demo-staff, at fixed moments before the anchor."""
        from advocacy.services.programme import approve_advocate

        advocate = User.objects.get(pk=self.demo["demo-advocate"])
        manager = User.objects.get(pk=self.demo["demo-manager"])
        approve_advocate(
            actor=manager,
            member=advocate,
            note="Demo account: approved by the seed.",
            override=True,
        )
        lounge, _created = Category.objects.get_or_create(
            slug=LOUNGE_SLUG,
            defaults={
                "name": "Advocates' lounge",
                "name_it": "Sala advocate",
                "description": "Advocates and staff talk shop here; nobody else sees these threads.",
                "position": 1000,
                "is_private": True,
            },
        )
        asked = self.anchor - timedelta(days=2)
        body = (
            "Ciao staff! Da qualche giorno vedo molte domande sui rimborsi dopo il cambio "
            "di offerta. C'è una risposta ufficiale da linkare, o conviene scalarle tutte?"
        )
        question = Question.objects.create(
            author=advocate,
            title="Rimborsi dopo il cambio di offerta: risposta ufficiale?",
            body=body,
            body_html=render_markdown(body).html,
            category=lounge,
            created_at=asked,
            last_activity_at=asked + timedelta(hours=3),
            answer_count=1,
        )
        question.tags.set(["rimborso", "offerte"])
        Revision.objects.create(
            question=question,
            number=1,
            author=advocate,
            title=question.title,
            body=body,
            tags="offerte rimborso",
            created_at=asked,
        )
        staff = User.objects.get(pk=self.demo["demo-staff"])
        reply = (
            "Grazie Chiara! Stiamo preparando una pagina di aiuto: intanto scalate solo i "
            "casi con addebiti doppi, gli altri si risolvono da soli entro 14 giorni."
        )
        answer = Answer.objects.create(
            question=question,
            author=staff,
            body=reply,
            body_html=render_markdown(reply).html,
            created_at=asked + timedelta(hours=3),
        )
        Revision.objects.create(
            answer=answer, number=1, author=staff, body=reply, created_at=answer.created_at
        )
        update_search_vector([question.pk])
        self.counts["questions"] += 1
        self.counts["answers"] += 1

    # Questions --------------------------------------------------------------------------

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
            self._analyze()
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

    def _question(
        self, built: _Built, qid: int, index: int, count: int, per_question: int, plan: Plan
    ) -> None:
        rng = self.rng
        cat = rng.choice(self.categories)
        lang = "it" if rng.random() < 0.65 else "en"
        # A few draws to avoid repeating a title; once the pools run out (large seeds),
        # repeats are fine: real communities get the same question many times.
        about = dc.topic(rng, cat.slug)
        for _ in range(8):
            title, post = dc.question(rng, cat.slug, lang, about)
            if title not in self._titles:
                break
        title = plan.title or title
        self._titles.add(title)
        if plan.edited and len(post.blocks) < 2:  # something for the edit to have added
            post.blocks.append(rng.choice(dc.CLOSINGS[lang]))
        author = plan.author_id or self._asker()
        # Later questions are more recent; the pace picks up towards the anchor.
        x = (index + rng.random()) / count
        age = WINDOW.total_seconds() * (1 - x) ** 1.4 + 300
        created = self.anchor - timedelta(seconds=int(age))
        tags = self._tags(about)
        popularity = rng.paretovariate(2.0)
        if plan.answers is not None:
            n_answers = plan.answers
        elif rng.random() < 0.15 or per_question <= 0:
            n_answers = 0
        else:
            n_answers = rng.randint(1, 2 * per_question - 1)
        closed = plan.closed if plan.closed is not None else rng.random() < 0.05

        question = Question(
            pk=qid,
            author_id=author,
            title=title,
            body=post.body,
            body_html=self._render(post.blocks),
            category_id=cat.id,
            created_at=created,
        )
        activity = [created]
        # An edited question: revision 1 lacks one of the blocks (a middle one if it can).
        revisions = [(post.blocks, created, "")]
        edit = plan.edited
        if edit is None:
            edit = len(post.blocks) >= 3 and rng.random() < 0.06
        if edit:
            original = list(post.blocks)
            del original[rng.randint(1, len(original) - 2) if len(original) >= 3 else -1]
            edited = self._after(created, 3 * 3600)
            revisions = [(original, created, ""), (post.blocks, edited, self._summary(lang))]
            question.edited_at = edited
            activity.append(edited)
        for number, (blocks, when, summary) in enumerate(revisions, 1):
            built.revisions.append(
                Revision(
                    question_id=qid,
                    number=number,
                    author_id=author,
                    title=title,
                    body="\n\n".join(blocks),
                    tags=" ".join(tags),
                    summary=summary,
                    created_at=when,
                )
            )
        built.tagged.extend(
            TaggedItem(content_type=self._question_ct, object_id=qid, tag_id=self.tag_ids[t])
            for t in tags
        )
        question.comment_count = self._comments(built, qid, None, created, lang, plan, activity)
        question.score = self._votes(built, qid, None, author, created, popularity, 3.0, plan)

        answers: list[Answer] = []
        when = created
        for n in range(n_answers):
            preferred = plan.answer_author_ids[n] if n < len(plan.answer_author_ids) else None
            if n == 0 and plan.accepted_author_id:
                preferred = plan.accepted_author_id
            answer_author = preferred or self._answerer(exclude=author)
            when = self._after(when, 8 * 3600 if n == 0 else 14 * 3600)
            answers.append(
                self._answer(
                    built, qid, about, post.values, lang, answer_author, when, plan, activity
                )
            )
        for answer in answers:
            answer.score = self._votes(
                built, None, answer.pk, answer.author_id, answer.created_at, popularity, 2.5, plan
            )
        question.answer_count = len(answers)
        question.accepted_answer_id = self._accepted(question, answers, closed, plan)

        last = max(activity)
        if closed:
            self._close(question, cat, last)
        elif plan.closed is None and rng.random() < 0.005:
            question.locked_at = self._after(last, 86400)
        question.last_activity_at = last
        question.view_count = int(
            (5 + 12 * len(answers) + 25 * max(question.score, 0)) * rng.uniform(0.8, 1.6)
        )
        built.questions.append(question)
        built.answers.extend(answers)
        self._by_category.setdefault(cat.id, []).append(qid)

    def _answer(
        self,
        built: _Built,
        qid: int,
        about: dc.Topic,
        values: dict[str, str],
        lang: str,
        author: int,
        created: datetime,
        plan: Plan,
        activity: list[datetime],
    ) -> Answer:
        """One answer to a question `about` a topic, with its revisions and comments; its
        times are added to `activity`."""
        rng = self.rng
        aid = self._next_answer
        self._next_answer += 1
        post = dc.answer(rng, lang, about, values)
        answer = Answer(
            pk=aid,
            question_id=qid,
            author_id=author,
            body=post.body,
            body_html=self._render(post.blocks),
            created_at=created,
        )
        activity.append(created)
        revisions = [(post.blocks, created, "")]
        if len(post.blocks) >= 3 and rng.random() < 0.03:
            original = list(post.blocks)
            del original[rng.randint(1, len(original) - 2)]
            edited = self._after(created, 3600)
            revisions = [(original, created, ""), (post.blocks, edited, self._summary(lang))]
            answer.edited_at = edited
            activity.append(edited)
        for number, (blocks, when, summary) in enumerate(revisions, 1):
            built.revisions.append(
                Revision(
                    answer_id=aid,
                    number=number,
                    author_id=author,
                    body="\n\n".join(blocks),
                    summary=summary,
                    created_at=when,
                )
            )
        answer.comment_count = self._comments(built, None, aid, created, lang, plan, activity)
        return answer

    def _comments(
        self,
        built: _Built,
        qid: int | None,
        aid: int | None,
        after: datetime,
        lang: str,
        plan: Plan,
        activity: list[datetime],
    ) -> int:
        rng = self.rng
        if plan.comments_per_post is not None:
            n = plan.comments_per_post
        else:
            n = rng.choice((0, 0, 0, 0, 0, 1, 1, 1, 2, 3) if qid else (0, 0, 0, 0, 0, 0, 1, 1, 2))
        when = after
        for _ in range(n):
            text = dc.comment(rng, lang)
            when = self._after(when, 5 * 3600)
            built.comments.append(
                Comment(
                    question_id=qid,
                    answer_id=aid,
                    author_id=rng.choice(self.users),
                    body=text,
                    body_html=self._render([text]),
                    created_at=when,
                )
            )
            activity.append(when)
        return n

    def _votes(
        self,
        built: _Built,
        qid: int | None,
        aid: int | None,
        author: int,
        created: datetime,
        popularity: float,
        scale: float,
        plan: Plan,
    ) -> int:
        rng = self.rng
        if plan.votes_per_post is not None:
            n = plan.votes_per_post
        else:
            n = int(rng.random() * scale * popularity)
        n = min(n, len(self.users) - 1)
        if n <= 0:
            return 0
        voters = [v for v in rng.sample(self.users, n + 1) if v != author][:n]
        score = 0
        up = 0.8 if qid else 0.87
        for voter in voters:
            value = Vote.UP if rng.random() < up else Vote.DOWN
            score += value
            built.votes.append(
                Vote(
                    voter_id=voter,
                    question_id=qid,
                    answer_id=aid,
                    value=value,
                    created_at=self._after(created, 2 * 86400),
                )
            )
        return score

    def _accepted(
        self, question: Question, answers: list[Answer], closed: bool, plan: Plan
    ) -> int | None:
        candidates = [a for a in answers if a.author_id != question.author_id]
        if plan.accepted_author_id:
            return next(a.pk for a in answers if a.author_id == plan.accepted_author_id)
        solved = plan.solved if plan.solved is not None else self.rng.random() < 0.5
        if not candidates or closed or not solved:
            return None
        if self.rng.random() < 0.7:  # usually the best-voted one, earliest on a tie
            return max(candidates, key=lambda a: (a.score, -a.pk)).pk
        return self.rng.choice(candidates).pk

    def _close(self, question: Question, cat: _Cat, last: datetime) -> None:
        rng = self.rng
        reason = rng.choices([r for r, _ in CLOSE_REASONS], [w for _, w in CLOSE_REASONS])[0]
        earlier = self._by_category.get(cat.id, [])
        if reason == CloseReason.DUPLICATE:
            if earlier:
                question.duplicate_of_id = rng.choice(earlier[-200:])
            else:
                reason = CloseReason.NEEDS_DETAILS
        question.close_reason = reason
        lang = "it" if rng.random() < 0.65 else "en"
        question.close_note = rng.choice(dc.CLOSE_NOTES[lang])
        question.closed_at = self._after(last, 86400)
        question.closed_by_id = rng.choice(self.moderators) if self.moderators else None

    # Helpers ----------------------------------------------------------------------------

    def _asker(self) -> int:
        return self.rng.choice(self.members) if self.members else self.users[0]

    def _answerer(self, *, exclude: int) -> int:
        rng = self.rng
        for _ in range(10):
            r = rng.random()
            if r < 0.03 and "demo-helper" in self.demo:
                pick = self.demo["demo-helper"]
            elif r < 0.05 and "demo-advocate" in self.demo:
                pick = self.demo["demo-advocate"]
            elif r < 0.06 and "demo-staff" in self.demo:
                pick = self.demo["demo-staff"]
            elif self.members:
                pick = rng.choices(self.members, cum_weights=self._answerer_cum)[0]
            else:
                pick = rng.choice(self.users)
            if pick != exclude:
                return pick
        return next(u for u in self.users if u != exclude)

    def _tags(self, about: dc.Topic) -> list[str]:
        """One to three of the topic's tags, and now and then a tag that fits any question."""
        rng = self.rng
        tags = rng.sample(about.tags, rng.randint(1, len(about.tags)))
        if rng.random() < 0.25:
            extra = rng.choice(dc.ANY_QUESTION_TAGS)
            if extra not in tags:
                tags.append(extra)
        return tags

    def _summary(self, lang: str) -> str:
        return self.rng.choice(dc.EDIT_SUMMARIES[lang])

    def _render(self, blocks: list[str]) -> str:
        """render_markdown of the blocks joined by blank lines, each block rendered once."""
        parts = []
        for block in blocks:
            html = self._html.get(block)
            if html is None:
                html = self._html[block] = render_markdown(block, known_users=set()).html
            parts.append(html)
        return "".join(parts)

    def _ago(self, *, days: float) -> datetime:
        return self.anchor - timedelta(seconds=int(days * 86400))

    def _after(self, moment: datetime, mean_seconds: float) -> datetime:
        """A random later moment (exponential delay), always before the anchor."""
        room = (self.anchor - moment).total_seconds()
        delay = self.rng.expovariate(1 / mean_seconds)
        if delay >= room:
            delay = room * self.rng.uniform(0.2, 0.9)
        return moment + timedelta(seconds=max(int(delay), 1) if room > 2 else 0)

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

    def _analyze(self) -> None:
        """Fresh statistics for the planner; outside a transaction also reclaim the row
        versions the search-vector UPDATE left behind (PostgreSQL)."""
        tables = [m._meta.db_table for m in (Answer, Comment, Vote, Revision, TaggedItem)]
        with connection.cursor() as cursor:
            question_table = connection.ops.quote_name(Question._meta.db_table)
            if connection.in_atomic_block:
                cursor.execute(f"ANALYZE {question_table}")
            else:
                cursor.execute(f"VACUUM ANALYZE {question_table}")
            for table in tables:
                cursor.execute(f"ANALYZE {connection.ops.quote_name(table)}")

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
        seeder.counts["badges"] = award_seeded_badges()
        seeder.counts.update(seed_health(anchor=anchor, seed=seed))
        seeder.counts.update(seed_automation(anchor=anchor))
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
