"""Posting and deleting comments."""

from __future__ import annotations

from django.db import transaction
from django.db.models import F
from django.db.models.functions import Greatest
from django.utils import timezone

from core.events import emit
from forum import events as forum_events
from forum import permissions
from forum.locks import lock_post_after_question
from forum.markdown import render_markdown
from forum.models import (
    Answer,
    Comment,
    Question,
    User,
)
from forum.personal_data import REFUSE, guard
from forum.posts import post_fields
from forum.services._common import (
    Post,
    _collect,
    _raise_if,
    _thread,
    _throttle_posting,
)
from forum.validation import clean_comment
from live.events import publish

# Comments -------------------------------------------------------------------------------


def post_comment(*, actor: User, post: Post, body: str, personal_data: str = REFUSE) -> Comment:
    permissions.check_comment_post(actor, post)
    body = _collect(errors := {}, "body", clean_comment, body)
    _raise_if(errors)
    body = guard(personal_data, body=body)["body"]
    _throttle_posting(actor)
    rendered = render_markdown(body)
    with transaction.atomic():
        post = lock_post_after_question(post)
        permissions.check_comment_post(actor, post)  # deleted or locked while we rendered?
        comment = Comment.objects.create(
            **post_fields(post), author=actor, body=body, body_html=rendered.html
        )
        type(post).objects.filter(pk=post.pk).update(comment_count=F("comment_count") + 1)
        question_id = post.pk if isinstance(post, Question) else post.question_id
        Question.objects.filter(pk=question_id).update(last_activity_at=comment.created_at)
        emit(
            forum_events.CommentPosted(
                actor_id=actor.pk,
                actor=actor,
                question_id=question_id,
                answer_id=None if isinstance(post, Question) else post.pk,
                comment_id=comment.pk,
                post_author_id=post.author_id,
                mentions=tuple(rendered.mentions),
                comment=comment,
                post=post,
            )
        )
        publish(
            _thread(question_id),
            "comment.created",
            {
                "id": comment.pk,
                "question": question_id,
                "post": "question" if isinstance(post, Question) else "answer",
                "post_id": post.pk,
                "author": actor.username,
            },
        )
    return comment


def delete_comment(*, actor: User, comment: Comment) -> Comment:
    permissions.check_delete_post(actor, comment)
    with transaction.atomic():
        comment = Comment.objects.select_for_update(no_key=True).get(pk=comment.pk)
        permissions.check_delete_post(actor, comment)  # already deleted by a stale copy?
        comment.deleted_at = timezone.now()
        comment.save(update_fields=["deleted_at"])
        post_model = Question if comment.question_id else Answer
        post_model.objects.filter(pk=comment.question_id or comment.answer_id).update(
            comment_count=Greatest(F("comment_count") - 1, 0)
        )
        question_id = comment.question_id or comment.answer.question_id
        publish(
            _thread(question_id),
            "comment.deleted",
            {
                "id": comment.pk,
                "question": question_id,
                "post": "question" if comment.question_id else "answer",
                "post_id": comment.question_id or comment.answer_id,
            },
        )
    return comment
