"""Demo flags for the moderation queue (`seed_demo`), so an advocate logging in on a fresh
`make run` finds work waiting: a spammy answer flagged by two members (one short of
hiding it), a rude comment and an off-topic question.

Written through `raise_flag` (audit rows, queue events, rate limits as in real life);
deterministic: the newest public posts of generated members, flagged by the generated
members with the flag privilege that follow them by id.
"""

from __future__ import annotations

from advocacy.models import FlagReason
from advocacy.services.flags import raise_flag
from core import privileges
from forum.models import Answer, Comment, Question, User

FLAGS = (
    (Answer, FlagReason.SPAM, ("Link a un sito di ricariche non ufficiale.", "")),
    (Comment, FlagReason.RUDE, ("Tono offensivo verso chi ha chiesto.",)),
    (Question, FlagReason.OFF_TOPIC, ("Non riguarda i nostri servizi.",)),
)


def _public(model: type) -> object:
    posts = model.objects.filter(
        deleted_at__isnull=True,
        hidden_at__isnull=True,
        author__username__startswith="member",
    )
    if model is Question:
        return posts.exclude(category__is_private=True)
    if model is Answer:
        return posts.exclude(question__category__is_private=True)
    return posts.filter(question__isnull=False).exclude(question__category__is_private=True)


def seed_flags() -> int:
    """Raise the demo flags; returns how many were raised."""
    threshold = privileges.thresholds()[privileges.FLAG]
    flaggers = list(
        User.objects.filter(
            username__startswith="member", reputation__gte=threshold, is_active=True
        ).order_by("pk")[:6]
    )
    raised = 0
    for model, reason, notes in FLAGS:
        post = _public(model).order_by("-created_at", "-pk").first()
        if post is None:
            continue
        members = [m for m in flaggers if m.pk != post.author_id][: len(notes)]
        for member, note in zip(members, notes, strict=False):
            raise_flag(actor=member, post=post, reason=reason, note=note)
            raised += 1
    return raised
