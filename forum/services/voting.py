"""Casting, changing and retracting a vote."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils.translation import gettext as _

from core.events import emit
from forum import events as forum_events
from forum import permissions
from forum.locks import lock_post_reading_question
from forum.models import (
    Question,
    User,
    Vote,
)
from forum.posts import post_fields
from forum.services._common import (
    Post,
    _thread,
)
from live.events import publish

# Votes ----------------------------------------------------------------------------------


def cast_vote(*, actor: User, post: Post, value: int) -> tuple[int, int]:
    """Vote +1 / -1 on a question or answer, or withdraw with 0.

    Serialised by the post's row lock; the unique constraint on (voter, post) is the
    backstop. Returns (new score, the actor's vote now). Voting the same value twice is a
    no-op, so a double click cannot count twice.
    """
    if type(value) is not int or value not in (Vote.UP, Vote.DOWN, 0):
        raise ValidationError({"value": [_("A vote is 1 (up), -1 (down) or 0 (withdraw).")]})
    permissions.check_vote_post(actor, post, value=value)
    fields = post_fields(post)
    try:
        with transaction.atomic():
            post = lock_post_reading_question(post)
            permissions.check_vote_post(actor, post, value=value)  # deleted or locked meanwhile?
            existing = Vote.objects.filter(voter=actor, **post_fields(post)).first()
            old = existing.value if existing else 0
            if value == old:
                return post.score, old
            if value == 0:
                existing.delete()
            elif existing:
                existing.value = value
                existing.save(update_fields=["value"])
            else:
                Vote.objects.create(voter=actor, value=value, **fields)
            type(post).objects.filter(pk=post.pk).update(score=F("score") + (value - old))
            score = post.score + (value - old)  # the row is locked: no need to read it back
            emit(
                forum_events.VoteCast(
                    actor_id=actor.pk,
                    actor=actor,
                    question_id=post.pk if isinstance(post, Question) else post.question_id,
                    answer_id=None if isinstance(post, Question) else post.pk,
                    post_author_id=post.author_id,
                    before=old,
                    after=value,
                    post=post,
                )
            )
            publish(
                _thread(post.pk if isinstance(post, Question) else post.question_id),
                "vote.changed",
                {
                    "target": "question" if isinstance(post, Question) else "answer",
                    "id": post.pk,
                    "score": score,
                },
            )
    except IntegrityError:
        # Another request of the same member won the race; its vote stands.
        post.refresh_from_db(fields=["score"])
        current = Vote.objects.filter(voter=actor, **fields).values_list("value", flat=True)
        return post.score, next(iter(current), 0)
    return score, value
