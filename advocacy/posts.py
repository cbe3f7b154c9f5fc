"""Naming, finding and locking the three kinds of post that can be flagged or moderated."""

from __future__ import annotations

from django.db.models import Model
from django.http import Http404

from forum.models import Answer, Comment, Question, User
from forum.permissions import visible_answers, visible_comments, visible_questions

Post = Question | Answer | Comment

POST_MODELS: dict[str, type[Model]] = {"question": Question, "answer": Answer, "comment": Comment}


def post_type(post: Post) -> str:
    if isinstance(post, Question):
        return "question"
    return "answer" if isinstance(post, Answer) else "comment"


def post_key(post: Post) -> str:
    """``question:12``, ``answer:40``, ``comment:7``."""
    return f"{post_type(post)}:{post.pk}"


def thread_of(post: Post) -> Question:
    if isinstance(post, Question):
        return post
    return post.thread if isinstance(post, Comment) else post.question


def thread_id(post: Post) -> int:
    if isinstance(post, Question):
        return post.pk
    if isinstance(post, Answer):
        return post.question_id
    return post.question_id or post.answer.question_id


def lock_post(post: Post) -> Post:
    """The post's row, locked (FOR UPDATE), the lock forum.services take for it too."""
    return type(post).objects.select_for_update().get(pk=post.pk)


def post_link(post: Post) -> str:
    question = thread_of(post)
    if isinstance(post, Question):
        return question.get_absolute_url()
    if isinstance(post, Answer):
        return f"{question.get_absolute_url()}#answer-{post.pk}"
    return f"{question.get_absolute_url()}#comment-{post.pk}"


def visible_post(kind: str, pk: int, user: User) -> Post:
    """The post of `kind` and `pk` if `user` may see it, else Http404 (missing and hidden
    look the same)."""
    if kind == "question":
        qs = visible_questions(Question.objects.select_related("category"), user)
    elif kind == "answer":
        qs = visible_answers(Answer.objects.select_related("question__category"), user).filter(
            question__in=visible_questions(Question.objects.all(), user)
        )
    elif kind == "comment":
        qs = visible_comments(
            Comment.objects.select_related("question__category", "answer__question__category"),
            user,
        )
    else:
        raise Http404
    post = qs.filter(pk=pk).first()
    if post is None:
        raise Http404
    if isinstance(post, Comment):
        thread = post.thread
        if not visible_questions(Question.objects.filter(pk=thread.pk), user).exists():
            raise Http404
    return post
