"""Small pieces shared by the question views: post lookups and anchors (refusals and
login redirects are `core.web`)."""

from __future__ import annotations

from django.http import HttpRequest

from forum import selectors
from forum.models import Answer, Question


def get_post(request: HttpRequest, kind: str, pk: int) -> Question | Answer:
    """The question or answer the viewer may see, or 404."""
    if kind == "question":
        return selectors.get_question(pk=pk, user=request.user)
    return selectors.get_answer(pk=pk, user=request.user)


def anchor_url(post: Question | Answer) -> str:
    """Where a post lives on its question page."""
    if isinstance(post, Question):
        return f"{post.get_absolute_url()}#question"
    return f"{post.question.get_absolute_url()}#answer-{post.pk}"
