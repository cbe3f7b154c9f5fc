"""Hooks run by gamification.handlers for the forum's domain events."""

from __future__ import annotations

from django.db import transaction
from django.db.models import Q

from forum.locks import lock_post
from forum.models import Answer, Comment, Question, User, Vote
from forum.posts import post_fields
from gamification import badge_awards, badges, leaderboards, rules
from gamification.badges import Event
from gamification.models import BadgeAward, PointEvent
from gamification.services.ledger import (
    Applied,
    Post,
    _apply,
    _award,
    _post_ids,
    _reversal,
    _reverse_active,
    _Row,
    vote_key,
)

# Hooks run by gamification.handlers for the forum's events ------------------------------


def on_vote_changed(
    *, actor: User, post: Post, before: int, after: int, standing: list[PointEvent] | None = None
) -> Applied:
    """The actor's vote on `post` went from `before` to `after` (each 1, -1 or 0).

    Caller (`settle_vote`) holds the post's row lock, read after the vote committed:
    `post.score` includes it. Reverses whatever the previous vote earned or cost,
    then awards what the new one is worth: an upvote gives the author points (capped per
    day); a downvote on an answer costs its author and, a little, the voter. `standing`:
    the vote's active ledger rows when the caller has just read them under the lock.
    """
    if before == after:
        return Applied([], {})
    key = vote_key(post, actor.pk)
    question_id, answer_id = _post_ids(post)
    with transaction.atomic(savepoint=False):
        if standing is None:
            rows = _reverse_active(PointEvent.objects.filter(key=key), actor)
        else:
            rows = [_reversal(event, actor) for event in standing]
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
        return _apply(rows)


def vote_badges(*, actor: User, post: Post, before: int, after: int) -> list[BadgeAward]:
    """The badges a vote can earn, after it committed (VoteCast, its own transaction, not
    under the post's or the author's row lock): the voter's for voting, and the author's
    for the post's score as it stands now (read here: a vote settled later or withdrawn
    meanwhile is counted as it is). Nothing for a deleted post's author. Badges guard no
    invariant of the ledger; a single-award badge is held once by its unique constraint,
    so a retry or a duplicate delivery awards nothing twice.
    """
    awarded: list[BadgeAward] = []
    if after:
        awarded += badge_awards.evaluate(Event(badges.VOTED, member=actor, value=after))
    if after > before and post.author_id != actor.pk:
        current = type(post).objects.filter(pk=post.pk, deleted_at__isnull=True)
        score = current.values_list("score", flat=True).first()
        if score is None:
            return awarded
        question_id, answer_id = _post_ids(post)
        awarded += badge_awards.evaluate(
            Event(
                badges.SCORED,
                member=User.objects.get(pk=post.author_id),
                post=post,
                score=score,
                tag_ids=(
                    []
                    if answer_id is None
                    else leaderboards.question_tags([question_id])[question_id]
                ),
            )
        )
    return awarded


def settle_vote(*, actor: User, post: Post, before: int, after: int) -> Applied:
    """Pay for the actor's vote on `post` once it has committed (VoteCast, after commit).

    Its own transaction, with the forum's lock order: the post's row, then the members
    (`_apply`). Idempotent, so a retry or a duplicate delivery never pays twice: nothing is
    written when the vote no longer stands at `after` (a later VoteCast settles the newer
    value), when the post was deleted meanwhile (the deletion reversed its points), or when
    the vote's standing award already is `after`'s.
    """
    # No savepoint: the handler runs in a transaction of its own (core.events); called in
    # another one, the outer transaction is what commits or rolls back.
    with transaction.atomic(savepoint=False):
        post = lock_post(post)
        key = vote_key(post, actor.pk)
        current = (
            Vote.objects.filter(voter=actor, **post_fields(post))
            .values_list("value", flat=True)
            .first()
        )
        if (current or 0) != after or post.is_deleted:
            return Applied([], {})
        standing = list(PointEvent.objects.filter(key=key).active().order_by("pk"))
        if {event.rule for event in standing} == set(_vote_rules(post, actor, after)):
            return Applied([], {})
        return on_vote_changed(
            actor=actor, post=post, before=before, after=after, standing=standing
        )


def _vote_rules(post: Post, actor: User, value: int) -> list[str]:
    """The rules a standing vote of `value` by `actor` on `post` is paid by."""
    if not value or post.author_id == actor.pk:
        return []
    if isinstance(post, Question):
        return [rules.QUESTION_UPVOTED if value > 0 else rules.QUESTION_DOWNVOTED]
    if value > 0:
        return [rules.ANSWER_UPVOTED]
    return [rules.ANSWER_DOWNVOTED, rules.DOWNVOTE_CAST]


def _accept_key(answer_id: int) -> str:
    return f"accept:{answer_id}"


ACCEPT_RULES = (rules.ANSWER_ACCEPTED, rules.ACCEPT_BONUS_ASKER)


def settle_acceptance(*, actor: User, question_id: int, answer_id: int | None) -> Applied:
    """Make the acceptance points of a question match its accepted answer, after commit
    (AnswerAccepted with `answer_id`, AnswerUnaccepted with None).

    Its own transaction, in the forum's lock order: the question, then the answers it
    pays or reverses, then the members (`_apply`). What stands for an answer that is no
    longer the accepted one is reversed, so switching back and forth nets exactly one
    acceptance whatever order the settlements run in. The accepted answer is paid only by
    the event that accepted it (the asker's bonus goes to the asker who accepted), only
    once (a standing award is never written again: retries and duplicates pay nothing),
    and never for the asker's own answer or a deleted post.
    """
    with transaction.atomic():
        question = Question.objects.select_for_update(no_key=True).filter(pk=question_id).first()
        if question is None:
            return Applied([], {})
        accepted_id = question.accepted_answer_id
        standing = list(
            PointEvent.objects.active()
            .filter(question_id=question_id, rule__in=ACCEPT_RULES, key__startswith="accept:")
            .order_by("pk")
        )
        stale = [event for event in standing if event.answer_id != accepted_id]
        pay = (
            accepted_id is not None
            and accepted_id == answer_id
            and not question.is_deleted
            and not any(event.answer_id == accepted_id for event in standing)
        )
        # Answers before members (see LOCK ORDER): a vote on an answer holds it while it
        # waits for the members.
        answers = {
            answer.pk: answer
            for answer in Answer.objects.select_for_update(no_key=True)
            .filter(pk__in={e.answer_id for e in stale} | ({accepted_id} if pay else set()))
            .order_by("pk")
        }
        answer = answers.get(accepted_id) if pay else None
        rows: list[_Row] = [_reversal(event, actor) for event in stale]
        paid = answer is not None and not answer.is_deleted
        paid = paid and answer.author_id != question.author_id
        if paid:
            ids = {"actor": actor, "key": _accept_key(answer.pk), "question_id": question.pk}
            ids["answer_id"] = answer.pk
            rows += _award(rules.ANSWER_ACCEPTED, recipient_id=answer.author_id, **ids)
            if actor.pk == question.author_id:
                rows += _award(rules.ACCEPT_BONUS_ASKER, recipient_id=question.author_id, **ids)
        applied = _apply(rows)
        if paid:
            answer.question = question
            author = User.objects.get(pk=answer.author_id)
            badge_awards.evaluate(Event(badges.ACCEPTED, member=author, answer=answer))
        return applied


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
    return badge_awards.evaluate(Event(badges.ASKED, member=actor, question=question))


def on_answer_posted(*, actor: User, answer: Answer) -> list[BadgeAward]:
    """Caller (post_answer) has just created `answer` in its transaction."""
    return badge_awards.evaluate(Event(badges.ANSWERED, member=actor, answer=answer))


def on_comment_posted(*, actor: User, comment: Comment) -> list[BadgeAward]:
    """Caller (post_comment) has just created `comment` in its transaction."""
    return badge_awards.evaluate(Event(badges.COMMENTED, member=actor))


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
