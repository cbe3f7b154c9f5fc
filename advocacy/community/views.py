"""Pages of community self-moderation: voting to close or reopen, suggesting an edit, and
the review queue of suggestions.

URL names (app "community"): vote_close, suggest_question_edit, suggest_answer_edit,
suggestions, approve_suggestion, reject_suggestion, my_suggestions.
"""

from __future__ import annotations

from dataclasses import dataclass

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from advocacy.community import permissions as community_permissions
from advocacy.community import selectors
from advocacy.models import CloseVote, EditSuggestion
from advocacy.models.community import NOTE_MAX_LENGTH, REVIEW_REASON_MAX_LENGTH
from advocacy.services import community as services
from core.web import flashed_errors, form_errors
from forum import permissions
from forum import selectors as forum_selectors
from forum.forms import CloseForm, EditAnswerForm, EditQuestionForm
from forum.models import Answer, Question
from forum.views.questions._helpers import anchor_url
from forum.views.questions.edit import inline_diff

app_name = "community"
SUGGESTIONS_PER_PAGE = 20


class ReopenForm(forms.Form):
    note = forms.CharField(
        label=gettext_lazy("Why should it be reopened?"),
        required=False,
        max_length=NOTE_MAX_LENGTH,
    )


class ReviewForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Reason"),
        required=False,
        max_length=REVIEW_REASON_MAX_LENGTH,
        widget=forms.TextInput(attrs={"maxlength": REVIEW_REASON_MAX_LENGTH}),
    )


@login_required
@require_http_methods(["GET", "POST"])
def vote_close(request: HttpRequest, pk: int) -> HttpResponse:
    """Vote to close an open question (with a reason) or to reopen a closed one."""
    question = forum_selectors.get_question(pk=pk, user=request.user)
    permissions.check_cast_close_vote(request.user, question)
    tally = selectors.close_tally(question=question, user=request.user)
    closing = tally.kind == CloseVote.Kind.CLOSE
    form_class = CloseForm if closing else ReopenForm
    form = form_class(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        with form_errors(form):
            vote = services.cast_close_vote(
                actor=request.user,
                question=question,
                kind=tally.kind,
                reason=data.get("reason", ""),
                note=data.get("note", ""),
                duplicate_of=data.get("duplicate_of"),
            )
            if vote.settled_at is not None:
                done = _("The question is closed.") if closing else _("The question is open again.")
            else:
                done = _("Your vote is counted.")
            messages.success(request, done)
            return redirect(anchor_url(question))
    context = {
        "question": question,
        "form": form,
        "tally": tally,
        "closing": closing,
        "nav": "questions",
    }
    return render(request, "advocacy/community/vote_close.html", context)


def _suggest(request: HttpRequest, post: Question | Answer) -> HttpResponse:
    is_question = isinstance(post, Question)
    question = post if is_question else post.question
    permissions.check_suggest_edit(request.user, post)
    if is_question:
        initial = EditQuestionForm.initial_for(post)
        form = EditQuestionForm(request.POST or None, initial=initial, user=request.user)
    else:
        form = EditAnswerForm(request.POST or None, initial={"body": post.body})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        with form_errors(form):
            services.suggest_edit(
                actor=request.user,
                post=post,
                title=data.get("title", ""),
                body=data["body"],
                tags=data.get("tags", ""),
                category=data.get("category"),
                summary=data["summary"],
            )
            messages.success(
                request, _("Thank you: your edit will appear once a reviewer approves it.")
            )
            return redirect(anchor_url(post))
    context = {
        "post": post,
        "question": question,
        "is_question": is_question,
        "form": form,
        "nav": "questions",
    }
    return render(request, "advocacy/community/suggest_edit.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def suggest_question_edit(request: HttpRequest, pk: int) -> HttpResponse:
    return _suggest(request, forum_selectors.get_question(pk=pk, user=request.user))


@login_required
@require_http_methods(["GET", "POST"])
def suggest_answer_edit(request: HttpRequest, pk: int) -> HttpResponse:
    return _suggest(request, forum_selectors.get_answer(pk=pk, user=request.user))


@dataclass
class SuggestionView:
    suggestion: EditSuggestion
    title: SafeString | None
    body: SafeString
    tags: SafeString | None
    category_changed: bool


def _diffed(suggestion: EditSuggestion) -> SuggestionView:
    """The suggestion against the post's current text."""
    post = suggestion.post
    if suggestion.question_id:
        return SuggestionView(
            suggestion=suggestion,
            title=inline_diff(post.title, suggestion.title),
            body=inline_diff(post.body, suggestion.body),
            tags=inline_diff(" ".join(sorted(t.name for t in post.tags.all())), suggestion.tags),
            category_changed=suggestion.category_id != post.category_id,
        )
    return SuggestionView(suggestion, None, inline_diff(post.body, suggestion.body), None, False)


@login_required
@require_GET
def suggestions(request: HttpRequest) -> HttpResponse:
    """The review queue: pending suggestions, oldest first, each as a diff."""
    community_permissions.check_review_suggestions(request.user)
    page_obj = Paginator(
        selectors.pending_suggestions(user=request.user), SUGGESTIONS_PER_PAGE
    ).get_page(request.GET.get("page"))
    page_obj.object_list = [_diffed(s) for s in page_obj.object_list]
    context = {"page_obj": page_obj, "form": ReviewForm(), "nav": "questions"}
    return render(request, "advocacy/community/suggestions.html", context)


def _review(request: HttpRequest, pk: int, *, approve: bool) -> HttpResponse:
    suggestion = get_object_or_404(
        EditSuggestion.objects.select_related("question", "answer__question"), pk=pk
    )
    # Only suggestions on posts the reviewer can see; others look missing.
    forum_selectors.get_question(pk=suggestion.thread.pk, user=request.user)
    community_permissions.check_review_suggestion(request.user, suggestion)
    form = ReviewForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(e for errs in form.errors.values() for e in errs))
        return redirect("community:suggestions")
    service = services.approve_suggestion if approve else services.reject_suggestion
    with flashed_errors(request):
        service(actor=request.user, suggestion=suggestion, reason=form.cleaned_data["reason"])
        messages.success(
            request,
            _("The edit is applied.") if approve else _("The suggestion is rejected."),
        )
    return redirect("community:suggestions")


@login_required
@require_POST
def approve_suggestion(request: HttpRequest, pk: int) -> HttpResponse:
    return _review(request, pk, approve=True)


@login_required
@require_POST
def reject_suggestion(request: HttpRequest, pk: int) -> HttpResponse:
    return _review(request, pk, approve=False)


@login_required
@require_GET
def my_suggestions(request: HttpRequest) -> HttpResponse:
    page_obj = Paginator(
        selectors.suggestions_by(member=request.user), SUGGESTIONS_PER_PAGE
    ).get_page(request.GET.get("page"))
    return render(
        request,
        "advocacy/community/my_suggestions.html",
        {"page_obj": page_obj, "nav": "questions"},
    )


urlpatterns = [
    path("q/<int:pk>/close-vote/", vote_close, name="vote_close"),
    path("q/<int:pk>/suggest-edit/", suggest_question_edit, name="suggest_question_edit"),
    path("a/<int:pk>/suggest-edit/", suggest_answer_edit, name="suggest_answer_edit"),
    path("suggestions/", suggestions, name="suggestions"),
    path("suggestions/mine/", my_suggestions, name="my_suggestions"),
    path("suggestions/<int:pk>/approve/", approve_suggestion, name="approve_suggestion"),
    path("suggestions/<int:pk>/reject/", reject_suggestion, name="reject_suggestion"),
]
