"""Accepting and unaccepting an answer.

The asker accepts; an advocate or staff member may accept for an asker who has been away
(the community's acceptance, `Question.accepted_on_behalf_by`; the policy is
`forum.permissions.check_accept_answer`). The asker's own acceptance replaces it, and the
asker or staff withdraw either.
"""

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
        on_behalf = actor.pk != question.author_id
        if question.accepted_answer_id != answer.pk:
            previous_id = question.accepted_answer_id
            question.accepted_answer = answer
            question.accepted_on_behalf_by = actor if on_behalf else None
            question.last_activity_at = timezone.now()
            question.save(
                update_fields=["accepted_answer", "accepted_on_behalf_by", "last_activity_at"]
            )
            emit(
                forum_events.AnswerAccepted(
                    actor_id=actor.pk,
                    actor=actor,
                    question_id=question.pk,
                    answer_id=answer.pk,
                    answer_author_id=answer.author_id,
                    question_author_id=question.author_id,
                    previous_answer_id=previous_id,
                    on_behalf=on_behalf,
                    answer=answer,
                )
            )
        elif not on_behalf and question.accepted_on_behalf_by_id is not None:
            # The asker confirms the community's choice: it becomes their own acceptance.
            question.accepted_on_behalf_by = None
            question.save(update_fields=["accepted_on_behalf_by"])
        else:
            return question
        publish(
            _thread(question.pk),
            "answer.accepted",
            {"id": answer.pk, "question": question.pk, "on_behalf": on_behalf},
        )
    return question


def unaccept_answer(*, actor: User, answer: Answer) -> Question:
    permissions.check_unaccept_answer(actor, answer)
    with transaction.atomic():
        question = lock_question(answer.question_id)
        answer = Answer.objects.get(pk=answer.pk)
        answer.question = question
        permissions.check_unaccept_answer(actor, answer)
        if question.accepted_answer_id == answer.pk:
            on_behalf = question.accepted_on_behalf_by_id is not None
            question.accepted_answer = None
            question.accepted_on_behalf_by = None
            question.save(update_fields=["accepted_answer", "accepted_on_behalf_by"])
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
                    on_behalf=on_behalf,
                    answer=answer,
                )
            )
    return question
