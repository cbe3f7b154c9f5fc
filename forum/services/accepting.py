"""Accepting and unaccepting an answer."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from core.events import emit
from forum import events as forum_events
from forum import permissions
from forum.locks import lock_question
from forum.models import (
    Answer,
    Question,
    User,
)
from forum.services._common import (
    _thread,
)
from live.events import publish


def accept_answer(*, actor: User, answer: Answer) -> Question:
    """Mark `answer` as the accepted one; a previously accepted answer is replaced."""
    permissions.check_accept_answer(actor, answer)
    with transaction.atomic():
        question = lock_question(answer.question_id)
        # delete_answer takes the same question lock, so this read cannot be stale.
        answer = Answer.objects.get(pk=answer.pk)
        answer.question = question
        permissions.check_accept_answer(actor, answer)
        if question.accepted_answer_id != answer.pk:
            previous_id = question.accepted_answer_id
            question.accepted_answer = answer
            question.last_activity_at = timezone.now()
            question.save(update_fields=["accepted_answer", "last_activity_at"])
            emit(
                forum_events.AnswerAccepted(
                    actor_id=actor.pk,
                    actor=actor,
                    question_id=question.pk,
                    answer_id=answer.pk,
                    answer_author_id=answer.author_id,
                    question_author_id=question.author_id,
                    previous_answer_id=previous_id,
                    answer=answer,
                )
            )
            publish(
                _thread(question.pk), "answer.accepted", {"id": answer.pk, "question": question.pk}
            )
    return question


def unaccept_answer(*, actor: User, answer: Answer) -> Question:
    permissions.check_accept_answer(actor, answer)
    with transaction.atomic():
        question = lock_question(answer.question_id)
        answer = Answer.objects.get(pk=answer.pk)
        answer.question = question
        permissions.check_accept_answer(actor, answer)
        if question.accepted_answer_id == answer.pk:
            question.accepted_answer = None
            question.save(update_fields=["accepted_answer"])
            publish(
                _thread(question.pk),
                "answer.unaccepted",
                {"id": answer.pk, "question": question.pk},
            )
            emit(
                forum_events.AnswerUnaccepted(
                    actor_id=actor.pk,
                    actor=actor,
                    question_id=question.pk,
                    answer_id=answer.pk,
                    answer=answer,
                )
            )
    return question
