"""Reads the API needs beyond `forum.selectors`, built on the same visibility rules."""

from __future__ import annotations

from django.shortcuts import get_object_or_404

from forum import permissions, selectors
from forum.models import Answer, Comment, User, Vote


def answer_detail(*, pk: int, user: User) -> tuple[Answer, dict[tuple[str, int], int]]:
    """The answer (404 unless visible), its visible comments and the viewer's vote on it.

    Sets `visible_comment_list` on the answer, as `selectors.question_thread` does.
    Returns (answer, my_votes) with my_votes keyed like `Thread.my_votes`.
    """
    answer = selectors.get_answer(pk=pk, user=user)
    answer.visible_comment_list = list(
        permissions.visible_comments(Comment.objects.filter(answer=answer), user).select_related(
            "author"
        )
    )
    my_votes: dict[tuple[str, int], int] = {}
    if user.is_authenticated:
        value = Vote.objects.filter(voter=user, answer=answer).values_list("value", flat=True)
        my_votes[("answer", answer.pk)] = next(iter(value), 0)
    return answer, my_votes


def tag_slug(value: str) -> str:
    """The slug of the tag named `value` (the API lists tags by name; names such as "c++"
    differ from their slugs), else `value` itself taken as a slug."""
    from taggit.models import Tag

    slug = Tag.objects.filter(name__iexact=value).values_list("slug", flat=True).first()
    return slug or value


def get_member(*, pk: int) -> User:
    """A member by id, or 404. Disabled accounts are not shown."""
    return get_object_or_404(User.objects.filter(is_active=True), pk=pk)
