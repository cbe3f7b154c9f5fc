"""Hooks run by gamification.handlers for the forum's domain events."""

from __future__ import annotations

from django.db import transaction
from django.db.models import Q

from forum.models import Answer, Comment, Question, User
from gamification import badges, leaderboards, rules
from gamification.badges import Event
from gamification.models import BadgeAward, PointEvent
from gamification.services.ledger import (
    Applied,
    Post,
    _apply,
    _award,
    _post_ids,
    _reverse_active,
    _Row,
    vote_key,
)

# Hooks run by gamification.handlers for the forum's events ------------------------------


def on_vote_changed(*, actor: User, post: Post, before: int, after: int) -> Applied:
    """The actor's vote on `post` went from `before` to `after` (each 1, -1 or 0).

    Caller holds the post's row lock. Reverses whatever the previous vote earned or cost,
    then awards what the new one is worth: an upvote gives the author points (capped per
    day); a downvote on an answer costs its author and, a little, the voter.
    """
    if before == after:
        return Applied([], {})
    key = vote_key(post, actor.pk)
    question_id, answer_id = _post_ids(post)
    with transaction.atomic(savepoint=False):
        rows = _reverse_active(PointEvent.objects.filter(key=key), actor)
        if after and post.author_id != actor.pk:  # self-votes are refused earlier; never pay
            ids = {"actor": actor, "key": key, "question_id": question_id, "answer_id": answer_id}
            to_author = {"recipient_id": post.author_id, "serial_check": True, **ids}
            if answer_id is None:
                rule = rules.QUESTION_UPVOTED if after > 0 else rules.QUESTION_DOWNVOTED
                rows += _award(rule, **to_author)
            elif after > 0:
                rows += _award(rules.ANSWER_UPVOTED, **to_author)
            else:
                rows += _award(rules.ANSWER_DOWNVOTED, **to_author)
                rows += _award(rules.DOWNVOTE_CAST, recipient_id=actor.pk, **ids)
        applied = _apply(rows)
        if after:
            badges.evaluate(Event(badges.VOTED, member=actor, value=after))
        if after > before and post.author_id != actor.pk:
            badges.evaluate(
                Event(
                    badges.SCORED,
                    member=User.objects.get(pk=post.author_id),
                    post=post,
                    score=post.score + (after - before),
                    tag_ids=(
                        []
                        if answer_id is None
                        else leaderboards.question_tags([question_id])[question_id]
                    ),
                )
            )
        return applied


def _accept_key(answer_id: int) -> str:
    return f"accept:{answer_id}"


def on_answer_accepted(
    *, actor: User, answer: Answer, previous_answer_id: int | None = None
) -> Applied:
    """`answer` became the accepted one, replacing `previous_answer_id` if any.

    Caller holds the question's row lock and has `answer.question` set to the locked row.
    The answerer earns the acceptance, and the asker a small bonus when they accepted it
    themselves; nobody earns anything for accepting their own answer. The previous
    acceptance is reversed, so switching back and forth nets exactly one acceptance.
    """
    question = answer.question
    key = _accept_key(answer.pk)
    with transaction.atomic(savepoint=False):
        # Answers before members (see LOCK ORDER): the forum's notification of this
        # acceptance will point at the answer, and a vote on it holds it while it waits
        # for the members.
        list(
            Answer.objects.select_for_update(no_key=True)
            .filter(pk__in=[pk for pk in (answer.pk, previous_answer_id) if pk])
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        rows: list[_Row] = []
        if previous_answer_id is not None and previous_answer_id != answer.pk:
            rows += _reverse_active(
                PointEvent.objects.filter(key=_accept_key(previous_answer_id)), actor
            )
        if answer.author_id != question.author_id:
            ids = {"actor": actor, "key": key, "question_id": question.pk, "answer_id": answer.pk}
            rows += _award(rules.ANSWER_ACCEPTED, recipient_id=answer.author_id, **ids)
            if actor.pk == question.author_id:
                rows += _award(rules.ACCEPT_BONUS_ASKER, recipient_id=question.author_id, **ids)
        applied = _apply(rows)
        if answer.author_id != question.author_id:
            author = User.objects.get(pk=answer.author_id)
            badges.evaluate(Event(badges.ACCEPTED, member=author, answer=answer))
        return applied


def on_answer_unaccepted(*, actor: User, answer: Answer) -> Applied:
    """`answer` stopped being the accepted one: reverse what its acceptance gave."""
    with transaction.atomic(savepoint=False):
        rows = _reverse_active(PointEvent.objects.filter(key=_accept_key(answer.pk)), actor)
        return _apply(rows)


def on_post_deleted(*, actor: User, post: Post) -> Applied:
    """`post` was (soft-)deleted: reverse everything it earned or cost.

    For an answer: its votes (the voters' downvote costs are refunded too), its acceptance
    and its verification. For a question: its votes and the asker's acceptance bonus; the
    answers keep what they earned, so an asker cannot wipe out the helpers' points.
    """
    if isinstance(post, Answer):
        events = PointEvent.objects.filter(answer_id=post.pk)
    else:
        events = PointEvent.objects.filter(
            Q(answer__isnull=True) | Q(rule=rules.ACCEPT_BONUS_ASKER), question_id=post.pk
        )
    with transaction.atomic(savepoint=False):
        return _apply(_reverse_active(events, actor))


def on_question_asked(*, actor: User, question: Question) -> list[BadgeAward]:
    """Caller (ask_question) has just created `question` in its transaction."""
    return badges.evaluate(Event(badges.ASKED, member=actor, question=question))


def on_answer_posted(*, actor: User, answer: Answer) -> list[BadgeAward]:
    """Caller (post_answer) has just created `answer` in its transaction."""
    return badges.evaluate(Event(badges.ANSWERED, member=actor, answer=answer))


def on_comment_posted(*, actor: User, comment: Comment) -> list[BadgeAward]:
    """Caller (post_comment) has just created `comment` in its transaction."""
    return badges.evaluate(Event(badges.COMMENTED, member=actor))


def on_flag_upheld(
    *, actor: User, flagger_id: int, flag_id: int, question_id: int, answer_id: int | None
) -> Applied:
    """Moderators upheld flag `flag_id` (advocacy): its flagger earns the `flag_upheld`
    rule, once per flag (the ledger's unique key). Caller holds the flag's row lock."""
    with transaction.atomic(savepoint=False):
        rows = _award(
            rules.FLAG_UPHELD,
            recipient_id=flagger_id,
            actor=actor,
            key=f"flag:{flag_id}",
            question_id=question_id,
            answer_id=answer_id,
        )
        return _apply(rows)
