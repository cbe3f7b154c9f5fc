"""The thread page's moderation buttons: close, reopen, lock, unlock and delete (a post
or a comment), each a confirmation page (GET), then the POST. URL names (app
"moderation"): close_question, reopen_question, lock_question, unlock_question,
delete_question, delete_answer, delete_comment; their API twins are
`advocacy.moderation.api_posts` (DELETE) and `api_acts` (the other acts).

Links to these pages only appear when the viewer may act (`forum.permissions`), but
every POST checks again through the service, which decides on the locked row. A
moderator's act goes through `advocacy.services.moderation`, which wraps the forum's own
service and the audit row in one transaction; an author deleting their own post, or a
member with the close privilege closing or reopening, is not a moderation act and is
not audited.
"""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from advocacy.services import moderation
from core import roles
from core.web import flashed_errors, form_errors
from forum import permissions, selectors, services
from forum.forms import CloseForm
from forum.models import Comment, Question
from forum.views.questions._helpers import anchor_url, get_post


def _confirm(
    request: HttpRequest,
    *,
    check: Callable[[], None],
    act: Callable[[], object],
    context: dict,
    done: str,
    next_url: str,
) -> HttpResponse:
    """GET: ask for confirmation. POST: act, say so, and go to `next_url`."""
    check()
    if request.method == "POST":
        with flashed_errors(request):
            act()
            messages.success(request, done)
        return redirect(next_url)
    context.setdefault("cancel_url", next_url)
    context["nav"] = "questions"
    return render(request, "forum/confirm.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def delete_post(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    post = get_post(request, kind, pk)
    user = request.user
    if kind == "question":
        context = {
            "heading": _("Delete this question?"),
            "message": _(
                "It disappears from the lists and from search. You and the moderators "
                "can still see it."
            ),
        }
        done = _("The question is deleted.")
    else:
        context = {
            "heading": _("Delete this answer?"),
            "message": _("Only you and the moderators will still see it."),
        }
        done = _("The answer is deleted.")
    context.update({"post": post, "button": _("Delete"), "danger": True})
    return _confirm(
        request,
        check=lambda: permissions.check_delete_post(user, post),
        act=lambda: moderation.delete_post(actor=user, post=post),
        context=context,
        done=done,
        next_url=anchor_url(post),
    )


@login_required
@require_http_methods(["GET", "POST"])
def delete_comment(request: HttpRequest, pk: int) -> HttpResponse:
    comment = get_object_or_404(
        Comment.objects.select_related("question", "answer__question", "author"), pk=pk
    )
    # Only comments on posts the viewer can see, and never a deleted one.
    question = selectors.get_question(pk=comment.thread.pk, user=request.user)
    if comment.deleted_at is not None:
        raise PermissionDenied(_("This post is already deleted."))
    user = request.user
    context = {
        "heading": _("Delete this comment?"),
        "quote": comment.body,
        "button": _("Delete"),
        "danger": True,
    }
    return _confirm(
        request,
        check=lambda: permissions.check_delete_post(user, comment),
        act=lambda: moderation.delete_post(actor=user, post=comment),
        context=context,
        done=_("The comment is deleted."),
        next_url=f"{question.get_absolute_url()}#comments-"
        + (f"question-{question.pk}" if comment.question_id else f"answer-{comment.answer_id}"),
    )


@login_required
@require_http_methods(["GET", "POST"])
def reopen_question(request: HttpRequest, pk: int) -> HttpResponse:
    question = selectors.get_question(pk=pk, user=request.user)
    user = request.user
    context = {
        "heading": _("Reopen this question?"),
        "message": _("Members will be able to answer it again."),
        "button": _("Reopen"),
    }
    return _confirm(
        request,
        check=lambda: permissions.check_close_question(user, question),
        act=lambda: (
            moderation.reopen_question(actor=user, question=question)
            if roles.is_moderator(user)
            else services.reopen_question(actor=user, question=question)
        ),
        context=context,
        done=_("The question is open again."),
        next_url=anchor_url(question),
    )


@login_required
@require_http_methods(["GET", "POST"])
def lock_question(request: HttpRequest, pk: int, locked: bool) -> HttpResponse:
    question = selectors.get_question(pk=pk, user=request.user)
    user = request.user
    if locked:
        context = {
            "heading": _("Lock this question?"),
            "message": _("Nobody but moderators can answer, comment, vote or edit until unlocked."),
            "button": _("Lock"),
        }
        done = _("The question is locked.")
    else:
        context = {
            "heading": _("Unlock this question?"),
            "message": _("Members will be able to answer, comment, vote and edit again."),
            "button": _("Unlock"),
        }
        done = _("The question is unlocked.")
    return _confirm(
        request,
        check=lambda: permissions.check_lock_question(user, question),
        act=lambda: moderation.set_question_lock(actor=user, question=question, locked=locked),
        context=context,
        done=done,
        next_url=anchor_url(question),
    )


@login_required
@require_http_methods(["GET", "POST"])
def close_question(request: HttpRequest, pk: int) -> HttpResponse:
    question: Question = selectors.get_question(pk=pk, user=request.user)
    permissions.check_close_question(request.user, question)
    form = CloseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        # A moderator's close goes through the moderation service, which audits it.
        close = (
            moderation.close_question
            if roles.is_moderator(request.user)
            else services.close_question
        )
        with form_errors(form):
            close(
                actor=request.user,
                question=question,
                reason=data["reason"],
                note=data["note"],
                duplicate_of=data["duplicate_of"],
            )
            messages.success(request, _("The question is closed."))
            return redirect(anchor_url(question))
    context = {"question": question, "form": form, "nav": "questions"}
    return render(request, "forum/close.html", context)


Q = {"kind": "question"}
A = {"kind": "answer"}

urlpatterns = [
    path("q/<int:pk>/close/", close_question, name="close_question"),
    path("q/<int:pk>/reopen/", reopen_question, name="reopen_question"),
    path("q/<int:pk>/lock/", lock_question, {"locked": True}, name="lock_question"),
    path("q/<int:pk>/unlock/", lock_question, {"locked": False}, name="unlock_question"),
    path("q/<int:pk>/delete/", delete_post, Q, name="delete_question"),
    path("a/<int:pk>/delete/", delete_post, A, name="delete_answer"),
    path("c/<int:pk>/delete/", delete_comment, name="delete_comment"),
]
