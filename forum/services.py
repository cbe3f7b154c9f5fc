"""Everything that writes to the forum.

Each service is one transaction: it checks the permission, validates, writes the rows and
the denormalised counters (with F() under the row lock of the question or answer), and
returns what it wrote. Views, the API and commands call these; none writes to the ORM.
"""

from __future__ import annotations

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.db.models.functions import Greatest
from django.utils import timezone
from django.utils.translation import gettext as _

from core.events import emit
from forum import events as forum_events
from forum import permissions, ratelimit
from forum.markdown import render_markdown
from forum.models import (
    Answer,
    Category,
    CloseReason,
    Comment,
    Question,
    Revision,
    User,
    Vote,
)
from forum.personal_data import REFUSE, guard
from forum.search import update_search_vector
from forum.selectors import CounterDifference, counter_differences
from forum.validation import (
    clean_answer_body,
    clean_body,
    clean_comment,
    clean_line,
    clean_tags,
    clean_text,
    clean_title,
)
from live.events import publish

Post = Question | Answer


def _collect(errors: dict[str, list[str]], field: str, func, value):  # noqa: ANN001, ANN202
    try:
        return func(value)
    except ValidationError as exc:
        errors.setdefault(field, []).extend(exc.messages)
        return None


def _raise_if(errors: dict[str, list[str]]) -> None:
    if errors:
        raise ValidationError(errors)


def _throttle_posting(actor: User) -> None:
    if not actor.is_staff:
        ratelimit.hit(f"post:{actor.pk}", settings.CIRCOLO_POST_RATE)


def _lock_question(question_id: int) -> Question:
    return Question.objects.select_for_update().get(pk=question_id)


def _lock_post(post: Post) -> Post:
    return type(post).objects.select_for_update().get(pk=post.pk)


def _lock_post_after_question(post: Post) -> Post:
    """Lock `post`; for an answer, its question first. LOCK ORDER (gamification.services):
    question before answer, as accept_answer and delete_answer take them; a service that
    locks an answer and then writes its question (last_activity_at) would deadlock with
    an acceptance of that answer."""
    if isinstance(post, Answer):
        _lock_question(post.question_id)
    return _lock_post(post)


def _post_fields(post: Post) -> dict[str, Post]:
    return {"question": post} if isinstance(post, Question) else {"answer": post}


def _thread(question_id: int) -> str:
    """The live stream of a question's page."""
    return f"question.{question_id}"


def _feed(category: Category | None) -> str:
    """The list stream that announces a question: `feed`, or for a private category (the
    advocates' lounge) `lounge`, which only moderators may subscribe to."""
    return "lounge" if category is not None and category.is_private else "feed"


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
        question = _lock_question(question.pk)
        # The caller's copy may be stale (locked or deleted meanwhile): decide on the row.
        permissions.check_edit_post(actor, question)
        if category != question.category:
            permissions.check_use_category(actor, category)
        old_feed = _feed(question.category)
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
        for stream in dict.fromkeys([old_feed, _feed(category)]):
            publish(stream, "question.updated", {"id": question.pk})
        publish(_thread(question.pk), "question.updated", {"id": question.pk})
    return question


def _add_revision(
    post: Post, *, actor: User, body: str, summary: str, title: str = "", tags=()
) -> None:  # noqa: ANN001
    """Caller holds the post's row lock, so numbers cannot collide."""
    number = post.revisions.count() + 1
    Revision.objects.create(
        **_post_fields(post),
        number=number,
        author=actor,
        title=title,
        body=body,
        tags=" ".join(tags),
        summary=summary,
    )


def delete_question(*, actor: User, question: Question) -> Question:
    """Soft delete: the question disappears from lists; author and moderators still see it."""
    permissions.check_delete_post(actor, question)
    with transaction.atomic():
        question = _lock_question(question.pk)
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


def close_question(
    *,
    actor: User,
    question: Question,
    reason: str,
    note: str = "",
    duplicate_of: Question | None = None,
) -> Question:
    """Close a question to new answers at once (moderators); a duplicate points at the
    question that answers it. Members with the close privilege vote instead
    (advocacy.services.community), which closes through `close_locked_question`."""
    permissions.check_close_question(actor, question)
    with transaction.atomic():
        question = _lock_question(question.pk)
        permissions.check_close_question(actor, question)
        return close_locked_question(
            actor=actor, question=question, reason=reason, note=note, duplicate_of=duplicate_of
        )


def close_locked_question(
    *,
    actor: User,
    question: Question,
    reason: str,
    note: str = "",
    duplicate_of: Question | None = None,
) -> Question:
    """Validate and write a close. The caller holds the question's row lock (`question`
    is the locked row) and has decided that `actor` may close it: a moderator, or the
    member whose vote completed the community's close votes. Raises ValidationError."""
    errors: dict[str, list[str]] = {}
    if reason not in CloseReason.values:
        errors["reason"] = [_("Choose a reason for closing.")]
    if reason == CloseReason.DUPLICATE:
        if duplicate_of is None:
            errors["duplicate_of"] = [_("Say which question this one duplicates.")]
        elif duplicate_of.pk == question.pk:
            errors["duplicate_of"] = [_("A question cannot duplicate itself.")]
        elif not _may_point_to(actor, question, duplicate_of):
            errors["duplicate_of"] = [_("That question has been deleted.")]
    if question.is_closed:
        errors["reason"] = [_("This question is already closed.")]
    _raise_if(errors)
    question.closed_at = timezone.now()
    question.closed_by = actor
    question.close_reason = reason
    question.close_note = clean_line(note)[:500]
    question.duplicate_of = duplicate_of if reason == CloseReason.DUPLICATE else None
    question.save(
        update_fields=["closed_at", "closed_by", "close_reason", "close_note", "duplicate_of"]
    )
    publish(_feed(question.category), "question.updated", {"id": question.pk})
    publish(
        _thread(question.pk),
        "question.closed",
        {"id": question.pk, "reason": reason, "duplicate_of": question.duplicate_of_id},
    )
    return question


def _may_point_to(actor: User, question: Question, target: Question) -> bool:
    """A duplicate's original must be alive and visible to the actor, and a public
    question never points into the lounge (its readers would see the lounge's title)."""
    found = permissions.visible_questions(
        Question.objects.filter(pk=target.pk, deleted_at__isnull=True), actor
    ).select_related("category")
    original = found.first()
    if original is None:
        return False
    if original.category_id and original.category.is_private:
        return bool(question.category_id and question.category.is_private)
    return True


def reopen_question(*, actor: User, question: Question) -> Question:
    """Reopen at once (moderators); members vote (advocacy.services.community)."""
    permissions.check_close_question(actor, question)
    with transaction.atomic():
        question = _lock_question(question.pk)
        permissions.check_close_question(actor, question)
        return reopen_locked_question(actor=actor, question=question)


def reopen_locked_question(*, actor: User, question: Question) -> Question:
    """Write a reopen. The caller holds the question's row lock and has decided that
    `actor` may reopen it (see `close_locked_question`). Raises ValidationError."""
    if not question.is_closed:
        raise ValidationError({"reason": [_("This question is not closed.")]})
    question.closed_at = None
    question.closed_by = None
    question.close_reason = ""
    question.close_note = ""
    question.duplicate_of = None
    question.save(
        update_fields=["closed_at", "closed_by", "close_reason", "close_note", "duplicate_of"]
    )
    publish(_feed(question.category), "question.updated", {"id": question.pk})
    publish(_thread(question.pk), "question.updated", {"id": question.pk})
    return question


def set_question_lock(*, actor: User, question: Question, locked: bool) -> Question:
    """Lock (no answers, comments, votes or edits by members) or unlock a question."""
    permissions.check_lock_question(actor, question)
    with transaction.atomic():
        question = _lock_question(question.pk)
        question.locked_at = timezone.now() if locked else None
        question.save(update_fields=["locked_at"])
        publish(_thread(question.pk), "question.updated", {"id": question.pk})
    return question


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
        question = _lock_question(question.pk)
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
        answer = _lock_post_after_question(answer)
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
        question = _lock_question(answer.question_id)
        answer = _lock_post(answer)
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


def accept_answer(*, actor: User, answer: Answer) -> Question:
    """Mark `answer` as the accepted one; a previously accepted answer is replaced."""
    permissions.check_accept_answer(actor, answer)
    with transaction.atomic():
        question = _lock_question(answer.question_id)
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
        question = _lock_question(answer.question_id)
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


# Comments -------------------------------------------------------------------------------


def post_comment(*, actor: User, post: Post, body: str, personal_data: str = REFUSE) -> Comment:
    permissions.check_comment_post(actor, post)
    body = _collect(errors := {}, "body", clean_comment, body)
    _raise_if(errors)
    body = guard(personal_data, body=body)["body"]
    _throttle_posting(actor)
    rendered = render_markdown(body)
    with transaction.atomic():
        post = _lock_post_after_question(post)
        permissions.check_comment_post(actor, post)  # deleted or locked while we rendered?
        comment = Comment.objects.create(
            **_post_fields(post), author=actor, body=body, body_html=rendered.html
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
        comment = Comment.objects.select_for_update().get(pk=comment.pk)
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
    fields = _post_fields(post)
    try:
        with transaction.atomic():
            post = _lock_post(post)
            permissions.check_vote_post(actor, post, value=value)  # deleted or locked meanwhile?
            existing = Vote.objects.filter(voter=actor, **_post_fields(post)).first()
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
            post.refresh_from_db(fields=["score"])
            publish(
                _thread(post.pk if isinstance(post, Question) else post.question_id),
                "vote.changed",
                {
                    "target": "question" if isinstance(post, Question) else "answer",
                    "id": post.pk,
                    "score": post.score,
                },
            )
    except IntegrityError:
        # Another request of the same member won the race; its vote stands.
        post.refresh_from_db(fields=["score"])
        current = Vote.objects.filter(voter=actor, **fields).values_list("value", flat=True)
        return post.score, next(iter(current), 0)
    return post.score, value


# Counters -------------------------------------------------------------------------------


def repair_counters() -> list[CounterDifference]:
    """Store the recount of every cached counter that differs from its rows.

    Each drifting post is fixed in its own transaction under its row lock, the lock every
    counter writer takes (or waits for with its UPDATE), and recounted there: a vote,
    answer or comment landing meanwhile is counted exactly once. Returns what was fixed.
    """
    fixed: list[CounterDifference] = []
    models = {"question": Question, "answer": Answer}
    drifting = list(dict.fromkeys((d.model, d.pk) for d in counter_differences()))
    for model_name, pk in drifting:
        model = models[model_name]
        with transaction.atomic():
            if not list(model.objects.select_for_update().filter(pk=pk).values_list("pk")):
                continue  # deleted meanwhile
            found = counter_differences(model=model, pk=pk)
            if found:
                model.objects.filter(pk=pk).update(**{d.field: d.real for d in found})
                fixed.extend(found)
    return fixed


# Members --------------------------------------------------------------------------------


def update_profile(
    *,
    actor: User,
    member: User,
    display_name: str,
    bio: str,
    locale: str,
    avatar=None,  # noqa: ANN001 - an UploadedFile, False to clear, None to keep
) -> User:
    permissions.check_edit_profile(actor, member)
    errors: dict[str, list[str]] = {}
    display_name = clean_line(display_name)
    if len(display_name) > 50:
        errors["display_name"] = [_("A display name has at most 50 characters.")]
    bio = clean_text(bio).strip()
    if len(bio) > 2000:
        errors["bio"] = [_("“About me” has at most 2000 characters.")]
    if locale and locale not in dict(settings.LANGUAGES):
        errors["locale"] = [_("Choose one of the languages offered.")]
    _raise_if(errors)
    member.display_name = display_name
    member.bio = bio
    member.locale = locale
    update_fields = ["display_name", "bio", "locale"]
    if avatar is False:
        member.avatar = ""
        update_fields.append("avatar")
    elif avatar is not None:
        member.avatar = avatar
        update_fields.append("avatar")
    member.save(update_fields=update_fields)
    return member


# Views ----------------------------------------------------------------------------------

VIEW_DEDUP_SECONDS = 3600


def record_view(*, question: Question, viewer: User, viewer_key: str) -> bool:
    """Count one view of `question`; True when it was counted.

    The author's own visits do not count, and one viewer (`viewer_key`: member id,
    session or address) counts at most once an hour, remembered in the cache. The count
    is one `UPDATE ... SET view_count = view_count + 1`, no lock, no read; the in-memory
    copy is bumped too so the page shows its own visit.
    """
    if viewer.is_authenticated and viewer.pk == question.author_id:
        return False
    if not cache.add(f"view:{question.pk}:{viewer_key}", 1, timeout=VIEW_DEDUP_SECONDS):
        return False
    Question.objects.filter(pk=question.pk).update(view_count=F("view_count") + 1)
    question.view_count += 1
    if not viewer.is_authenticated:
        from forum.deflection import count_solved_view  # the deflection basis

        count_solved_view(question)
    return True
