"""The forum's domain events, emitted by `forum.services` through `core.events`.

Each carries ids and plain values (what after-commit handlers, tasks and integrations
use) and, as `row(...)` fields, the rows the service holds locked (what in-transaction
handlers use, so they need not read them again). Who listens: `core.events.registered()`
and docs/architecture.md.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from core.events import DomainEvent, row

if TYPE_CHECKING:
    from forum.models import Answer, Comment, Question

    Post = Question | Answer
else:
    Answer = Comment = Question = Post = Any


@dataclass(frozen=True, kw_only=True)
class QuestionAsked(DomainEvent):
    """ask_question created `question` (and its first revision)."""

    question_id: int
    category_id: int | None
    mentions: tuple[str, ...] = ()  # usernames @mentioned in the body
    question: Question = row()


@dataclass(frozen=True, kw_only=True)
class QuestionMoved(DomainEvent):
    """edit_question moved `question` (row locked) from `old_category_id` to its category."""

    question_id: int
    old_category_id: int | None
    category_id: int | None
    question: Question = row()


@dataclass(frozen=True, kw_only=True)
class AnswerPosted(DomainEvent):
    """post_answer created `answer` under the question's row lock."""

    question_id: int
    answer_id: int
    question_author_id: int
    mentions: tuple[str, ...] = ()
    answer: Answer = row()


@dataclass(frozen=True, kw_only=True)
class AnswerAccepted(DomainEvent):
    """accept_answer made `answer` the accepted one, replacing `previous_answer_id`.
    The question's row is locked; `answer.question` is that locked row. `on_behalf`: an
    advocate or staff member (the actor) accepted for the absent asker."""

    question_id: int
    answer_id: int
    answer_author_id: int
    question_author_id: int
    previous_answer_id: int | None
    on_behalf: bool = False
    answer: Answer = row()


@dataclass(frozen=True, kw_only=True)
class AnswerUnaccepted(DomainEvent):
    """unaccept_answer withdrew the acceptance of `answer` (question row locked);
    `on_behalf`: it was the community's acceptance."""

    question_id: int
    answer_id: int
    on_behalf: bool = False
    answer: Answer = row()


@dataclass(frozen=True, kw_only=True)
class CommentPosted(DomainEvent):
    """post_comment created `comment` on a question (answer_id None) or an answer."""

    question_id: int
    answer_id: int | None
    comment_id: int
    post_author_id: int
    mentions: tuple[str, ...] = ()
    comment: Comment = row()
    post: Post = row()  # the commented question or answer (locked)


@dataclass(frozen=True, kw_only=True)
class VoteCast(DomainEvent):
    """The actor's vote on a post went from `before` to `after` (1, -1 or 0; never
    equal). `answer_id` is None for a vote on a question. The post's row is locked;
    `post.score` is still the score before this vote."""

    question_id: int
    answer_id: int | None
    post_author_id: int
    before: int
    after: int
    post: Post = row()


@dataclass(frozen=True, kw_only=True)
class PostDeleted(DomainEvent):
    """A question (answer_id None) or an answer was soft-deleted under its row lock."""

    question_id: int
    answer_id: int | None
    post_author_id: int
    post: Post = row()


@dataclass(frozen=True, kw_only=True)
class FollowingChanged(DomainEvent):
    """The actor now follows (`following`) or no longer follows a question, a tag or a
    category (the other two ids None)."""

    question_id: int | None
    tag_id: int | None
    category_id: int | None
    following: bool
