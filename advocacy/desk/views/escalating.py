"""The escalate form of a question (advocates and staff) and "my escalations"."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from advocacy.desk import forms, permissions, selectors
from advocacy.services import escalations as services
from core import roles
from core.web import form_errors, login_redirect
from forum import selectors as forum_selectors


@require_http_methods(["GET", "POST"])
def escalate(request: HttpRequest, pk: int) -> HttpResponse:
    """The escalate form of a question (the question page's button leads here)."""
    question = forum_selectors.get_question(pk=pk, user=request.user)
    if not request.user.is_authenticated:
        return login_redirect(request, request.path)
    permissions.check_escalate_question(request.user, question)
    open_case = selectors.open_escalation(question=question)
    form = forms.EscalateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with form_errors(form):
            escalation = services.escalate_question(
                actor=request.user,
                question=question,
                reason=form.cleaned_data["reason"],
                priority=form.cleaned_data["priority"],
            )
            messages.success(
                request,
                _("Escalated to staff. You can follow it in “My escalations”.")
                if escalation.is_new
                else _("This question was already with staff: your reason is added to its case."),
            )
            return redirect(question.get_absolute_url())
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "advocacy/escalate.html",
        {"question": question, "form": form, "open_case": open_case, "nav": "questions"},
        status=status,
    )


@require_GET
def mine(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        return login_redirect(request, request.path)
    permissions.check_view_own_escalations(request.user)
    page = Paginator(selectors.escalations_by(member=request.user), 30).get_page(
        request.GET.get("page")
    )
    # The reasons and resolutions are written for staff and escalators, not for the asker.
    sees_reasons = permissions.can_work_desk(request.user) or roles.is_advocate(request.user)
    return render(
        request,
        "advocacy/my_escalations.html",
        {"page": page, "nav": "escalations", "sees_reasons": sees_reasons},
    )
