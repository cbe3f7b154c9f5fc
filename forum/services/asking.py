"""Asking, editing and deleting questions."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from core.events import emit
from core.text import clean_line
from forum import events as forum_events
from forum import permissions
from forum.locks import lock_question
from forum.markdown import render_markdown
from forum.models import (
    Category,
    Question,
    Revision,
    User,
)
from forum.personal_data import REFUSE, guard
from forum.search import update_search_vector
from forum.services._common import (
    _add_revision,
    _collect,
    _feed,
    _raise_if,
    _thread,
    _throttle_posting,
)
from forum.validation import clean_body, clean_tags, clean_title
from live.events import publish

# Questions ------------------------------------------------------------------------------


def ask_question(
    *,
    actor: User,
    title: str,
    body: str,
    tags: list[str] | str,
    category: Category | None = None,
    personal_data: str = REFUSE,
) -> Question:
    """Post a new question with its first revision. Raises ValidationError, RateLimited;
    PersonalDataFound unless `personal_data` is MASK (forum.personal_data)."""
    permissions.check_ask_question(actor, category)
    errors: dict[str, list[str]] = {}
    title = _collect(errors, "title", clean_title, title)
    body = _collect(errors, "body", clean_body, body)
    tag_names = _collect(errors, "tags", clean_tags, tags)
    _raise_if(errors)
    title, body = guard(personal_data, title=title, body=body).values()
    _throttle_posting(actor)
    rendered = render_markdown(body)
    with transaction.atomic():
        question = Question.objects.create(
            author=actor, title=title, body=body, body_html=rendered.html, category=category
        )
        question.tags.set(tag_names)
        Revision.objects.create(
            question=question,
            number=1,
            author=actor,
            title=title,
            body=body,
            tags=" ".join(tag_names),
        )
        update_search_vector([question.pk])
        emit(
            forum_events.QuestionAsked(
                actor_id=actor.pk,
                actor=actor,
                question_id=question.pk,
                category_id=question.category_id,
                mentions=tuple(rendered.mentions),
                question=question,
            )
        )
        publish(
            _feed(category),
            "question.created",
            {
                "id": question.pk,
                "author": actor.username,
                "category": category.slug if category else None,
                "tags": tag_names,
            },
        )
    return question


def edit_question(
    *,
    actor: User,
    question: Question,
    title: str,
    body: str,
    tags: list[str] | str,
    category: Category | None,
    summary: str = "",
    credited_to: User | None = None,
    personal_data: str = REFUSE,
) -> Question:
    """Save a new revision of a question (only when something changed).

    `credited_to` authors the revision when it is not the actor's own work: an edit
    suggestion approved by the actor (advocacy.services.community); the permission is the
    actor's."""
    permissions.check_edit_post(actor, question)
    errors: dict[str, list[str]] = {}
    title = _collect(errors, "title", clean_title, title)
    body = _collect(errors, "body", clean_body, body)
    tag_names = _collect(errors, "tags", clean_tags, tags)
    _raise_if(errors)
    title, body = guard(personal_data, title=title, body=body).values()
    summary = clean_line(summary)[:200]
    with transaction.atomic():
        question = lock_question(question.pk)
        # The caller's copy may be stale (locked or deleted meanwhile): decide on the row.
        permissions.check_edit_post(actor, question)
        if category != question.category:
            permissions.check_use_category(actor, category)
        old_feed = _feed(question.category)
        old_category_id = question.category_id
        old_tags = sorted(question.tags.names())
        if (
            title == question.title
            and body == question.body
            and sorted(tag_names) == old_tags
            and category == question.category
        ):
            return question
        now = timezone.now()
        question.title = title
        if body != question.body:
            question.body = body
            question.body_html = render_markdown(body).html
        question.category = category
        question.edited_at = now
        question.last_activity_at = now
        question.save(
            update_fields=[
                "title",
                "body",
                "body_html",
                "category",
                "edited_at",
                "last_activity_at",
            ]
        )
        question.tags.set(tag_names)
        _add_revision(
            question,
            actor=credited_to or actor,
            title=title,
            body=body,
            tags=tag_names,
            summary=summary,
        )
        update_search_vector([question.pk])
        if question.category_id != old_category_id:
            emit(
                forum_events.QuestionMoved(
                    actor_id=actor.pk,
                    actor=actor,
                    question_id=question.pk,
                    old_category_id=old_category_id,
                    category_id=question.category_id,
                    question=question,
                )
            )
        for stream in dict.fromkeys([old_feed, _feed(category)]):
            publish(stream, "question.updated", {"id": question.pk})
        publish(_thread(question.pk), "question.updated", {"id": question.pk})
    return question


def delete_question(*, actor: User, question: Question) -> Question:
    """Soft delete: the question disappears from lists; author and moderators still see it."""
    permissions.check_delete_post(actor, question)
    with transaction.atomic():
        question = lock_question(question.pk)
        permissions.check_delete_post(actor, question)
        question.deleted_at = timezone.now()
        question.save(update_fields=["deleted_at"])
        publish(_feed(question.category), "question.updated", {"id": question.pk})
        publish(_thread(question.pk), "question.updated", {"id": question.pk})
        emit(
            forum_events.PostDeleted(
                actor_id=actor.pk,
                actor=actor,
                question_id=question.pk,
                answer_id=None,
                post_author_id=question.author_id,
                post=question,
            )
        )
    return question
