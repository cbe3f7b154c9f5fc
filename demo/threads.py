"""The threads of the demo community: one question with its answers, comments, votes,
acceptance and closing, drawn from one random stream (`ThreadBuilder`, a part of
`demo.seeding.Seeder`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from taggit.models import TaggedItem

from demo import content as dc
from forum.markdown import render_markdown
from forum.models import (
    Answer,
    CloseReason,
    Comment,
    Question,
    Revision,
    Vote,
)

WINDOW = timedelta(days=180)  # questions are spread over the half year before the anchor

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


class ThreadBuilder:
    """Builds one thread's rows into a chunk (`_Built`); the Seeder holds the state it reads."""

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
