"""Community self-moderation: close and reopen votes, edit suggestions and their review.

Close votes: one transaction under the question's row lock, so votes on one question are
counted one at a time; when the pending votes of a kind reach the rule's number the
question closes (or reopens) through the forum's `close_locked_question` in the same
transaction and the votes are settled. Two "third" votes racing close the question once:
the second finds it closed and is refused with nothing written. A moderator's vote is
binding at once.

Edit suggestions: members below the "edit any post" privilege suggest; reviewers approve
(the forum's edit service writes the revision, credited to the suggester) or reject with a
reason. Both decisions are audited and notify the suggester.
"""

from __future__ import annotations

from collections import Counter
from functools import partial

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop

from advocacy.community import permissions as community_permissions
from advocacy.community.selectors import rules
from advocacy.models import AuditEntry, CloseVote, EditSuggestion
from advocacy.models.community import NOTE_MAX_LENGTH, REVIEW_REASON_MAX_LENGTH
from advocacy.programme import actions
from core import audit, ratelimit, roles
from core.text import clean_line, clean_note
from forum import permissions, personal_data
from forum import services as forum_services
from forum.locks import lock_post, lock_question
from forum.models import Answer, Category, CloseReason, Notification, Question, User
from forum.posts import post_fields
from forum.validation import clean_answer_body, clean_body, clean_tags, clean_title
from notifications.bell import notify_member

Kind = CloseVote.Kind
REJECT_REASON_MIN_LENGTH = 5


def _state(question: Question) -> dict[str, object]:
    return {
        "closed_at": question.closed_at,
        "close_reason": question.close_reason,
        "duplicate_of": question.duplicate_of_id,
    }


# Close and reopen votes -------------------------------------------------------------------


def cast_close_vote(
    *,
    actor: User,
    question: Question,
    kind: str,
    reason: str = "",
    note: str = "",
    duplicate_of: Question | None = None,
) -> CloseVote:
    """Vote to close (`kind` "close", with a CloseReason) or to reopen a question.

    Returns the vote, settled when it decided. Raises PermissionDenied (no close
    privilege, suspended, deleted or locked question) and ValidationError (bad kind or
    reason, the question already in that state, a second vote by the same member).
    """
    permissions.check_cast_close_vote(actor, question)
    errors: dict[str, list[str]] = {}
    if kind not in Kind.values:
        errors["kind"] = [_("A vote is to close or to reopen.")]
    if kind == Kind.CLOSE:
        if reason not in CloseReason.values:
            errors["reason"] = [_("Choose a reason for closing.")]
        elif reason == CloseReason.DUPLICATE and duplicate_of is None:
            errors["duplicate_of"] = [_("Say which question this one duplicates.")]
    else:
        reason, duplicate_of = "", None
    if reason != CloseReason.DUPLICATE:
        duplicate_of = None
    try:
        note = clean_note(
            note,
            field="note",
            max_length=NOTE_MAX_LENGTH,
            too_long=_("A note has at most %(n)d characters."),
            one_line=True,
        )
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        question = lock_question(question.pk, related=("category",))
        permissions.check_cast_close_vote(actor, question)
        if kind == Kind.CLOSE and question.is_closed:
            raise ValidationError({"kind": [_("This question is already closed.")]})
        if kind == Kind.REOPEN and not question.is_closed:
            raise ValidationError({"kind": [_("This question is not closed.")]})
        now = timezone.now()
        _settle_stale_votes(question, now=now)
        # Votes of the other kind belong to an earlier round (the question changed state
        # since): they no longer count.
        CloseVote.objects.filter(
            question=question,
            settled_at__isnull=True,
            kind=Kind.REOPEN if kind == Kind.CLOSE else Kind.CLOSE,
        ).update(settled_at=now)
        try:
            with transaction.atomic():
                vote = CloseVote.objects.create(
                    question=question,
                    voter=actor,
                    kind=kind,
                    reason=reason,
                    duplicate_of=duplicate_of,
                    note=note,
                )
        except IntegrityError:
            raise ValidationError(
                {"kind": [_("You have already voted on this question.")]}
            ) from None
        audit.record(
            actor=actor,
            action=actions.CLOSE_VOTE if kind == Kind.CLOSE else actions.REOPEN_VOTE,
            target=question,
            after={"reason": reason, "duplicate_of": duplicate_of.pk if duplicate_of else None},
            reason=note,
        )
        pending = list(
            CloseVote.objects.filter(question=question, kind=kind, settled_at__isnull=True)
            .select_related("duplicate_of")
            .order_by("created_at", "pk")
        )
        r = rules()
        needed = r.close_votes_needed if kind == Kind.CLOSE else r.reopen_votes_needed
        if roles.is_moderator(actor) or len(pending) >= needed:
            _decide(actor=actor, question=question, kind=kind, votes=pending, note=note)
            vote.refresh_from_db(fields=["settled_at"])
    return vote


# The acts that open or close a question, whoever did them (a moderator's close in the
# queue, or the votes).
_STATE_CHANGES = (
    "question.close",
    "question.duplicate",
    "question.reopen",
    actions.CLOSED_BY_VOTES,
    actions.REOPENED_BY_VOTES,
)


def _settle_stale_votes(question: Question, *, now) -> None:  # noqa: ANN001
    """Pending votes cast before the question last changed state (closed or reopened by a
    moderator, or by votes) belong to an earlier round: settle them so they never count
    again. The change is the question's `closed_at`, or its latest audited close/reopen."""
    changed_at = (
        AuditEntry.objects.filter(
            target_type=ContentType.objects.get_for_model(Question),
            target_id=question.pk,
            action__in=_STATE_CHANGES,
        )
        .order_by("-created_at")
        .values_list("created_at", flat=True)
        .first()
    )
    if question.closed_at and (changed_at is None or question.closed_at > changed_at):
        changed_at = question.closed_at
    if changed_at is not None:
        CloseVote.objects.filter(
            question=question, settled_at__isnull=True, created_at__lt=changed_at
        ).update(settled_at=now)


def _decide(
    *, actor: User, question: Question, kind: str, votes: list[CloseVote], note: str
) -> None:
    """Close or reopen `question` (locked by the caller) as the pending `votes` say."""
    before = _state(question)
    if kind == Kind.CLOSE:
        # The reason most voters gave (ties: the earliest vote's); for a duplicate, the
        # original most of them named.
        reasons = Counter(v.reason for v in votes)
        top = max(reasons.values())
        reason = next(v.reason for v in votes if reasons[v.reason] == top)
        duplicate_of = None
        if reason == CloseReason.DUPLICATE:
            targets = Counter(v.duplicate_of_id for v in votes if v.duplicate_of_id)
            best = max(targets.values())
            duplicate_of = next(
                v.duplicate_of
                for v in votes
                if v.duplicate_of_id and targets[v.duplicate_of_id] == best
            )
        forum_services.close_locked_question(
            actor=actor, question=question, reason=reason, note=note, duplicate_of=duplicate_of
        )
    else:
        forum_services.reopen_locked_question(actor=actor, question=question)
    CloseVote.objects.filter(pk__in=[v.pk for v in votes]).update(settled_at=timezone.now())
    audit.record(
        actor=actor,
        action=actions.CLOSED_BY_VOTES if kind == Kind.CLOSE else actions.REOPENED_BY_VOTES,
        target=question,
        before=before,
        after={**_state(question), "voters": [v.voter_id for v in votes]},
        reason=note,
    )


# Edit suggestions -------------------------------------------------------------------------


def suggest_edit(
    *,
    actor: User,
    post: Question | Answer,
    body: str,
    title: str = "",
    tags: list[str] | str = "",
    category: Category | None = None,
    summary: str = "",
) -> EditSuggestion:
    """Suggest an edit of someone else's question or answer, for review.

    For an answer only `body` counts. Raises PermissionDenied (may edit directly, or may
    not edit at all), ValidationError (the fields, nothing changed, a suggestion already
    pending on the post) and RateLimited (the posting rate).
    """
    permissions.check_suggest_edit(actor, post)
    is_question = isinstance(post, Question)
    errors: dict[str, list[str]] = {}

    def collect(field: str, func, value):  # noqa: ANN001, ANN202
        try:
            return func(value)
        except ValidationError as exc:
            errors.setdefault(field, []).extend(exc.messages)
            return None

    if is_question:
        title = collect("title", clean_title, title)
        body = collect("body", clean_body, body)
        tag_names = collect("tags", clean_tags, tags) or []
        permissions.check_use_category(actor, category)
    else:
        body = collect("body", clean_answer_body, body)
        title, tag_names, category = "", [], None
    summary = clean_line(summary or "")[:200]
    if errors:
        raise ValidationError(errors)
    # A suggestion is stored text too: refused with personal data (the edit form masks
    # it on request before calling here), as forum.services does for posts.
    title, body = personal_data.guard(personal_data.REFUSE, title=title, body=body).values()
    if not roles.is_staff(actor):
        ratelimit.hit(f"post:{actor.pk}", settings.CIRCOLO_POST_RATE)
    with transaction.atomic():
        post = lock_post(post)
        permissions.check_suggest_edit(actor, post)
        unchanged = body == post.body
        if is_question:
            unchanged = (
                unchanged
                and title == post.title
                and sorted(tag_names) == sorted(post.tags.names())
                and (category.pk if category else None) == post.category_id
            )
        if unchanged:
            raise ValidationError({"body": [_("Your suggestion changes nothing.")]})
        try:
            with transaction.atomic():
                suggestion = EditSuggestion.objects.create(
                    **post_fields(post),
                    author=actor,
                    title=title,
                    body=body,
                    tags=" ".join(tag_names),
                    category=category,
                    summary=summary,
                    base_revision=post.revisions.count(),
                )
        except IntegrityError:
            raise ValidationError(
                {"body": [_("This post already has an edit waiting for review.")]}
            ) from None
    return suggestion


def _lock_pending(suggestion: EditSuggestion) -> EditSuggestion:
    suggestion = (
        EditSuggestion.objects.select_for_update(of=("self",))
        .select_related("question__category", "answer__question__category", "author")
        .get(pk=suggestion.pk)
    )
    if suggestion.status != EditSuggestion.Status.PENDING:
        raise ValidationError({"suggestion": [_("This suggestion has already been reviewed.")]})
    return suggestion


_clean_review_reason = partial(
    clean_note,
    field="reason",
    max_length=REVIEW_REASON_MAX_LENGTH,
    min_length=REJECT_REASON_MIN_LENGTH,
    empty=gettext_lazy("Give a reason of at least %(n)d characters."),
    too_long=gettext_lazy("A reason has at most %(n)d characters."),
)


def approve_suggestion(
    *, actor: User, suggestion: EditSuggestion, reason: str = ""
) -> EditSuggestion:
    """Apply the suggestion as a new revision of its post, credited to its author (the
    forum's edit service, with the reviewer's permission), audited, and notify them."""
    community_permissions.check_review_suggestion(actor, suggestion)
    reason = _clean_review_reason(reason, required=False)
    with transaction.atomic():
        suggestion = _lock_pending(suggestion)
        community_permissions.check_review_suggestion(actor, suggestion)
        post = suggestion.post
        summary = suggestion.summary or _("Suggested edit")
        if suggestion.question_id:
            forum_services.edit_question(
                actor=actor,
                question=post,
                title=suggestion.title,
                body=suggestion.body,
                tags=suggestion.tags,
                category=suggestion.category,
                summary=summary,
                credited_to=suggestion.author,
            )
        else:
            forum_services.edit_answer(
                actor=actor,
                answer=post,
                body=suggestion.body,
                summary=summary,
                credited_to=suggestion.author,
            )
        return _close_review(
            actor=actor,
            suggestion=suggestion,
            status=EditSuggestion.Status.APPROVED,
            reason=reason,
            message=gettext_noop("Your suggested edit to “%(title)s” was approved."),
        )


def reject_suggestion(*, actor: User, suggestion: EditSuggestion, reason: str) -> EditSuggestion:
    """Reject the suggestion with a reason the suggester reads; audited."""
    community_permissions.check_review_suggestion(actor, suggestion)
    reason = _clean_review_reason(reason, required=True)
    with transaction.atomic():
        suggestion = _lock_pending(suggestion)
        community_permissions.check_review_suggestion(actor, suggestion)
        return _close_review(
            actor=actor,
            suggestion=suggestion,
            status=EditSuggestion.Status.REJECTED,
            reason=reason,
            message=gettext_noop("Your suggested edit to “%(title)s” was rejected: %(reason)s"),
        )


def _close_review(
    *, actor: User, suggestion: EditSuggestion, status: str, reason: str, message: str
) -> EditSuggestion:
    suggestion.status = status
    suggestion.reviewer = actor
    suggestion.reviewed_at = timezone.now()
    suggestion.review_reason = reason
    suggestion.save(update_fields=["status", "reviewer", "reviewed_at", "review_reason"])
    thread = suggestion.thread
    audit.record(
        actor=actor,
        action=actions.SUGGESTION_APPROVE
        if status == EditSuggestion.Status.APPROVED
        else actions.SUGGESTION_REJECT,
        target=suggestion.post,
        before={"suggestion": suggestion.pk, "status": EditSuggestion.Status.PENDING},
        after={"suggestion": suggestion.pk, "status": status, "author": suggestion.author_id},
        reason=reason,
    )
    notify_member(
        suggestion.author,
        Notification.Kind.MODERATION,
        message,
        params={"title": thread.title, "reason": reason},
        link=suggestion.post.get_absolute_url(),
        actor=actor,
        question=thread,
    )
    return suggestion
