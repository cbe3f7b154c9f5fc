"""The three kinds of post (question, answer, comment): their names, their thread, and
the foreign-key fields a row uses to point at one. Locks: `forum.locks`."""

from __future__ import annotations

from django.db.models import Model

from forum.models import Answer, Comment, Question

Post = Question | Answer | Comment

POST_MODELS: dict[str, type[Model]] = {"question": Question, "answer": Answer, "comment": Comment}


def post_type(post: Post) -> str:
    """``question``, ``answer`` or ``comment``."""
    if isinstance(post, Question):
        return "question"
    return "answer" if isinstance(post, Answer) else "comment"


def post_key(post: Post) -> str:
    """``question:12``, ``answer:40``, ``comment:7``."""
    return f"{post_type(post)}:{post.pk}"


def thread_of(post: Post) -> Question:
    """The question whose page shows `post` (loads it for an answer or a comment)."""
    if isinstance(post, Question):
        return post
    return post.thread if isinstance(post, Comment) else post.question


def thread_id(post: Post) -> int:
    """The id of `thread_of(post)`, without loading the question when it can."""
    if isinstance(post, Question):
        return post.pk
    if isinstance(post, Answer):
        return post.question_id
    return post.question_id or post.answer.question_id


def post_fields(post: Post) -> dict[str, Post]:
    """The keyword that points a row (revision, vote, suggestion...) at `post`:
    ``{"question": q}``, ``{"answer": a}`` or ``{"comment": c}``."""
    return {post_type(post): post}
