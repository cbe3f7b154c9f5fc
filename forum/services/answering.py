"""Posting, editing and deleting answers."""

from __future__ import annotations

from django.db import transaction
from django.db.models import F
from django.db.models.functions import Greatest
from django.utils import timezone

from core.events import emit
from core.text import clean_line
from forum import events as forum_events
from forum import permissions
from forum.locks import lock_post, lock_post_after_question, lock_question
from forum.markdown import render_markdown
from forum.models import (
    Answer,
    Question,
    Revision,
    User,
)
from forum.personal_data import REFUSE, guard
from forum.services._common import (
    _add_revision,
    _collect,
    _raise_if,
    _thread,
    _throttle_posting,
)
from forum.validation import clean_answer_body
from live.events import publish

# Answers --------------------------------------------------------------------------------


def post_answer(
    *, actor: User, question: Question, body: str, personal_data: str = REFUSE
) -> Answer:
    permissions.check_answer_question(actor, question)
    body = _collect(errors := {}, "body", clean_answer_body, body)
    _raise_if(errors)
    body = guard(personal_data, body=body)["body"]
    _throttle_posting(actor)
    rendered = render_markdown(body)
    with transaction.atomic():
        question = lock_question(question.pk)
        permissions.check_answer_question(actor, question)  # closed while we were rendering?
        answer = Answer.objects.create(
            question=question, author=actor, body=body, body_html=rendered.html
        )
        Revision.objects.create(answer=answer, number=1, author=actor, body=body)
        Question.objects.filter(pk=question.pk).update(
            answer_count=F("answer_count") + 1, last_activity_at=answer.created_at
        )
        emit(
            forum_events.AnswerPosted(
                actor_id=actor.pk,
                actor=actor,
                question_id=question.pk,
                answer_id=answer.pk,
                question_author_id=question.author_id,
                mentions=tuple(rendered.mentions),
                answer=answer,
            )
        )
        publish(
            _thread(question.pk),
            "answer.created",
            {"id": answer.pk, "question": question.pk, "author": actor.username},
        )
    return answer


def edit_answer(
    *,
    actor: User,
    answer: Answer,
    body: str,
    summary: str = "",
    credited_to: User | None = None,
    personal_data: str = REFUSE,
) -> Answer:
    """Save a new revision of an answer; `credited_to` as in `edit_question`."""
    permissions.check_edit_post(actor, answer)
    body = _collect(errors := {}, "body", clean_answer_body, body)
    _raise_if(errors)
    body = guard(personal_data, body=body)["body"]
    summary = clean_line(summary)[:200]
    with transaction.atomic():
        answer = lock_post_after_question(answer)
        permissions.check_edit_post(actor, answer)
        if body == answer.body:
            return answer
        now = timezone.now()
        answer.body = body
        answer.body_html = render_markdown(body).html
        answer.edited_at = now
        answer.save(update_fields=["body", "body_html", "edited_at"])
        _add_revision(answer, actor=credited_to or actor, body=body, summary=summary)
        Question.objects.filter(pk=answer.question_id).update(last_activity_at=now)
        publish(
            _thread(answer.question_id),
            "answer.updated",
            {"id": answer.pk, "question": answer.question_id},
        )
    return answer


def delete_answer(*, actor: User, answer: Answer) -> Answer:
    """Soft delete; an accepted answer stops being accepted."""
    permissions.check_delete_post(actor, answer)
    with transaction.atomic():
        question = lock_question(answer.question_id)
        answer = lock_post(answer)
        answer.question = question
        # Re-checked on the locked row: a stale copy must not decrement the count twice.
        permissions.check_delete_post(actor, answer)
        answer.deleted_at = timezone.now()
        answer.save(update_fields=["deleted_at"])
        updates = {"answer_count": Greatest(F("answer_count") - 1, 0)}
        if question.accepted_answer_id == answer.pk:
            updates["accepted_answer"] = None
            publish(
                _thread(question.pk),
                "answer.unaccepted",
                {"id": answer.pk, "question": question.pk},
            )
        Question.objects.filter(pk=question.pk).update(**updates)
        publish(_thread(question.pk), "answer.deleted", {"id": answer.pk, "question": question.pk})
        emit(
            forum_events.PostDeleted(
                actor_id=actor.pk,
                actor=actor,
                question_id=question.pk,
                answer_id=answer.pk,
                post_author_id=answer.author_id,
                post=answer,
            )
        )
    return answer
