"""Editing questions and answers, and the revision history with inline diffs."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from core.web import form_errors
from forum import permissions, selectors, services
from forum.forms import EditAnswerForm, EditQuestionForm
from forum.models import Answer, Question, Revision
from forum.views.questions._helpers import anchor_url, get_post
from forum.views.questions.ask import preview_html

# Word-level diffs are quadratic in the worst case; beyond this many characters in a
# changed block the diff stays at line level.
WORD_DIFF_LIMIT = 4000
_TOKENS = re.compile(r"\s+|\w+|[^\w\s]", re.UNICODE)


def _mark(tag: str, text: str) -> str:
    return f"<{tag}>{escape(text)}</{tag}>" if text else ""


def _word_diff(old: str, new: str) -> str:
    a, b = _TOKENS.findall(old), _TOKENS.findall(new)
    out = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if op == "equal":
            out.append(escape("".join(a[i1:i2])))
        else:
            out.append(_mark("del", "".join(a[i1:i2])) + _mark("ins", "".join(b[j1:j2])))
    return "".join(out)


def inline_diff(old: str, new: str) -> SafeString:
    """Escaped text with <del>/<ins> around what changed: by line, then by word within."""
    a, b = old.splitlines(keepends=True), new.splitlines(keepends=True)
    out = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b).get_opcodes():
        before, after = "".join(a[i1:i2]), "".join(b[j1:j2])
        if op == "equal":
            out.append(escape(before))
        elif op == "replace" and len(before) + len(after) <= WORD_DIFF_LIMIT:
            out.append(_word_diff(before, after))
        else:
            out.append(_mark("del", before) + _mark("ins", after))
    return mark_safe("".join(out))  # every piece of text went through escape()


@dataclass
class RevisionView:
    revision: Revision
    title: SafeString | None
    body: SafeString
    tags: SafeString | None


def _revision_views(revisions: list[Revision], *, with_title: bool) -> list[RevisionView]:
    """Each revision diffed against the one before (the first against nothing), newest first."""
    views = []
    previous = None
    for revision in revisions:
        if previous is None:
            title, body, tags = escape(revision.title), escape(revision.body), escape(revision.tags)
        else:
            title = inline_diff(previous.title, revision.title)
            body = inline_diff(previous.body, revision.body)
            tags = inline_diff(previous.tags, revision.tags)
        views.append(
            RevisionView(
                revision=revision,
                title=title if with_title else None,
                body=body,
                tags=tags if with_title else None,
            )
        )
        previous = revision
    return views[::-1]


@require_GET
def revisions(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    """Every saved version of a post, visible to whoever can see the post."""
    post = get_post(request, kind, pk)
    rows = list(post.revisions.select_related("author").order_by("number"))
    question = post if isinstance(post, Question) else post.question
    context = {
        "post": post,
        "kind": kind,
        "question": question,
        "revisions": _revision_views(rows, with_title=kind == "question"),
        "nav": "questions",
    }
    return render(request, "forum/revisions.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def edit_question(request: HttpRequest, pk: int) -> HttpResponse:
    question = selectors.get_question(pk=pk, user=request.user)
    permissions.check_edit_post(request.user, question)
    context: dict = {"question": question, "nav": "questions"}
    if request.method == "GET":
        form = EditQuestionForm(initial=EditQuestionForm.initial_for(question), user=request.user)
    else:
        form = EditQuestionForm(request.POST, user=request.user)
        if "preview" in request.POST:
            context["preview"], context["preview_truncated"] = preview_html(
                request.POST.get("body", "")
            )
        elif form.is_valid():
            data = form.cleaned_data
            with form_errors(form):
                services.edit_question(
                    actor=request.user,
                    question=question,
                    title=data["title"],
                    body=data["body"],
                    tags=data["tags"],
                    category=data["category"],
                    summary=data["summary"],
                )
                messages.success(request, _("Your changes are saved."))
                return redirect(anchor_url(question))
    context["form"] = form
    return render(request, "forum/edit_question.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def edit_answer(request: HttpRequest, pk: int) -> HttpResponse:
    answer: Answer = selectors.get_answer(pk=pk, user=request.user)
    permissions.check_edit_post(request.user, answer)
    context: dict = {"answer": answer, "question": answer.question, "nav": "questions"}
    if request.method == "GET":
        form = EditAnswerForm(initial={"body": answer.body})
    else:
        form = EditAnswerForm(request.POST)
        if "preview" in request.POST:
            context["preview"], context["preview_truncated"] = preview_html(
                request.POST.get("body", "")
            )
        elif form.is_valid():
            with form_errors(form):
                services.edit_answer(
                    actor=request.user,
                    answer=answer,
                    body=form.cleaned_data["body"],
                    summary=form.cleaned_data["summary"],
                )
                messages.success(request, _("Your changes are saved."))
                return redirect(anchor_url(answer))
    context["form"] = form
    return render(request, "forum/edit_answer.html", context)
