"""Casting, changing and retracting a vote.

A vote is the hottest write there is (QUALITY.md's P7: a storm of votes on a few posts),
so its transaction is four plain statements rather than the ORM's queries: the ORM
spent more of a vote's time building SQL and model instances than the database spent
running it. They are the post's row lock (reading an answer's question in the same
statement), the member's own vote, the vote's insert, update or delete, and the score.
The member's vote is read by a statement of its own, after the lock: a statement that
waited for the lock sees the locked row as it is now but every other row as it was when
the statement began, so a vote read with the lock could be one that a request of the
same member, holding the lock meanwhile, had already changed. Permissions are still
checked by `permissions.check_vote_post`, on the rows as the lock read them.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.events import emit
from forum import events as forum_events
from forum import permissions
from forum.models import (
    Answer,
    Question,
    User,
    Vote,
)
from forum.posts import post_fields, thread_of
from forum.services._common import (
    Post,
    _thread,
)
from live.events import publish

# Votes ----------------------------------------------------------------------------------


def _sql(model: type[Question | Answer]) -> dict[str, str]:
    """The vote's statements on `model`'s posts, with their tables' real names."""
    post, vote, question = (m._meta.db_table for m in (model, Vote, Question))
    column = Vote._meta.get_field("question" if model is Question else "answer").column
    thread = "p" if model is Question else "q"
    join = "" if model is Question else f" JOIN {question} q ON q.id = p.question_id"
    return {
        # The row lock (where the database has one: SQLite locks the whole file) takes
        # the post only, as `forum.locks` does: FOR NO KEY UPDATE, not the question.
        "lock": (
            f"SELECT p.score, p.author_id, p.deleted_at, {thread}.deleted_at,"
            f" {thread}.locked_at FROM {post} p{join} WHERE p.id = %s"
        ),
        "mine": f"SELECT id, value FROM {vote} WHERE voter_id = %s AND {column} = %s",
        "insert": (
            f"INSERT INTO {vote} (voter_id, {column}, value, created_at) VALUES (%s, %s, %s, %s)"
        ),
        "change": f"UPDATE {vote} SET value = %s WHERE id = %s",
        "withdraw": f"DELETE FROM {vote} WHERE id = %s",
        "score": f"UPDATE {post} SET score = score + %s WHERE id = %s",
    }


_STATEMENTS = {Question: _sql(Question), Answer: _sql(Answer)}
_FOR_UPDATE = " FOR NO KEY UPDATE OF p"
_WHEN = Question._meta.get_field("deleted_at")  # reads a mark as the ORM would


def cast_vote(*, actor: User, post: Post, value: int) -> tuple[int, int]:
    """Vote +1 / -1 on a question or answer, or withdraw with 0.

    Serialised by the post's row lock; the unique constraint on (voter, post) is the
    backstop. Returns (new score, the actor's vote now). Voting the same value twice is a
    no-op, so a double click cannot count twice. `post` (and an answer's question) is
    brought up to date from the locked row: its score (before this vote), author and
    deletion and lock marks.
    """
    if type(value) is not int or value not in (Vote.UP, Vote.DOWN, 0):
        raise ValidationError({"value": [_("A vote is 1 (up), -1 (down) or 0 (withdraw).")]})
    permissions.check_vote_post(actor, post, value=value)
    sql = _STATEMENTS[type(post)]
    lock = sql["lock"] + (_FOR_UPDATE if connection.features.has_select_for_update else "")
    question = thread_of(post)
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(lock, [post.pk])
            score, author_id, deleted_at, thread_deleted_at, locked_at = cursor.fetchone()
            post.score, post.author_id = score, author_id
            post.deleted_at = _WHEN.to_python(deleted_at)
            question.deleted_at = _WHEN.to_python(thread_deleted_at)
            question.locked_at = _WHEN.to_python(locked_at)
            permissions.check_vote_post(actor, post, value=value)  # deleted or locked meanwhile?
            cursor.execute(sql["mine"], [actor.pk, post.pk])
            vote_id, old = cursor.fetchone() or (None, 0)
            if value == old:
                return score, old
            if value == 0:
                cursor.execute(sql["withdraw"], [vote_id])
            elif old:
                cursor.execute(sql["change"], [value, vote_id])
            else:
                cursor.execute(
                    sql["insert"],
                    [
                        actor.pk,
                        post.pk,
                        value,
                        connection.ops.adapt_datetimefield_value(timezone.now()),
                    ],
                )
            cursor.execute(sql["score"], [value - old, post.pk])
            score += value - old  # the row is locked: no need to read it back
            emit(
                forum_events.VoteCast(
                    actor_id=actor.pk,
                    actor=actor,
                    question_id=question.pk,
                    answer_id=None if post is question else post.pk,
                    post_author_id=author_id,
                    before=old,
                    after=value,
                    post=post,
                )
            )
            publish(
                _thread(question.pk),
                "vote.changed",
                {
                    "target": "question" if post is question else "answer",
                    "id": post.pk,
                    "score": score,
                },
            )
    except IntegrityError:
        # Another request of the same member won the race; its vote stands.
        post.refresh_from_db(fields=["score"])
        current = Vote.objects.filter(voter=actor, **post_fields(post)).values_list(
            "value", flat=True
        )
        return post.score, next(iter(current), 0)
    return score, value
