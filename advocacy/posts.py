"""Linking to and finding the three kinds of post that can be flagged or moderated
(their names, threads and locks: `forum.posts`, `forum.locks`)."""

from __future__ import annotations

from django.http import Http404

from forum.models import Answer, Comment, Question, User
from forum.permissions import visible_answers, visible_comments, visible_questions
from forum.posts import Post, thread_of


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
