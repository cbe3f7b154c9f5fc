"""The desk's pages (staff), the escalate form (advocates and staff) and "my escalations".

Thin: parse the form, fetch, call one service, redirect back with a message; a refused
act shows why (403 with the reason, 409 when another agent was first) and changes
nothing. Every page works without JavaScript; `static/js/desk.js` keeps the queue and a
case live on the `desk` stream and ticks the countdowns.

URL names (app "desk"): queue, case, claim, assign, bulk_assign, status, priority, note,
answer, resolve, dismiss, escalate, mine.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from advocacy.desk import forms, permissions, selectors
from advocacy.models import CannedResponse, Escalation
from advocacy.services import escalations as services
from core.web import apply_service_errors, form_errors, login_redirect
from forum import selectors as forum_selectors
from forum.models import Category
from live.backlog import last_id

QUEUE_PAGE_SIZE = 50


def _guard(request: HttpRequest) -> HttpResponse | None:
    """The login redirect for an anonymous visitor, or None for staff; anyone else is
    refused (PermissionDenied, answered by core.web)."""
    if not request.user.is_authenticated:
        back = request.get_full_path() if request.method == "GET" else reverse("desk:queue")
        return login_redirect(request, back)
    permissions.check_work_desk(request.user)
    return None


def _escalation(pk: int) -> Escalation:
    return selectors.get_escalation(pk=pk)


# The queue ----------------------------------------------------------------------------------


@require_GET
def queue(request: HttpRequest) -> HttpResponse:
    if (refusal := _guard(request)) is not None:
        return refusal
    live_since = last_id("desk")  # before the queue is read
    categories = list(Category.objects.all())
    form = forms.QueueFilterForm(request.GET or None, categories=categories)
    filters = form.cleaned_data if form.is_valid() else {}
    view = filters.get("view") or "all"
    category_slug = filters.get("category") or ""
    escalations = selectors.desk_queue(
        user=request.user,
        status=filters.get("status") or "active",
        mine=view == "mine",
        unassigned=view == "unassigned",
        priority=filters.get("priority") or "",
        category=next((c for c in categories if c.slug == category_slug), None),
    )
    page = Paginator(escalations, QUEUE_PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "nav": "desk",
        "page": page,
        "filter_form": form,
        "view": view,
        "counts": selectors.queue_counts(user=request.user),
        "staff": selectors.staff_members(),
        "live_since": live_since,
        "query": _query_without(request, "page", "partial"),
        "view_query": _query_without(request, "page", "partial", "view"),
    }
    template = (
        "advocacy/desk/_queue.html" if request.GET.get("partial") else "advocacy/desk/queue.html"
    )
    return render(request, template, context)


def _query_without(request: HttpRequest, *names: str) -> str:
    query = request.GET.copy()
    for name in names:
        query.pop(name, None)
    return query.urlencode()


@require_POST
def bulk_assign(request: HttpRequest) -> HttpResponse:
    if (refusal := _guard(request)) is not None:
        return refusal
    staff = selectors.staff_members()
    ids = [pk for pk in request.POST.getlist("escalations") if pk.isdigit() and len(pk) < 19]
    form = forms.BulkAssignForm(request.POST, staff=staff, escalation_ids=[int(pk) for pk in ids])
    back = request.POST.get("next") or ""
    target = back if back.startswith("/desk/") else "/desk/"
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect(target)
    assignee = next((m for m in staff if m.pk == form.cleaned_data["assignee"]), None)
    try:
        done = services.bulk_assign_escalations(
            actor=request.user, escalation_ids=form.cleaned_data["escalations"], assignee=assignee
        )
    except ValidationError as exc:
        for error in exc.messages:
            messages.error(request, error)
        return redirect(target)
    messages.success(
        request,
        _("%(count)d escalations assigned to %(name)s.")
        % {"count": len(done), "name": assignee.name if assignee else _("nobody")},
    )
    return redirect(target)


# A case -------------------------------------------------------------------------------------


def _canned_prefill(request: HttpRequest, escalation: Escalation) -> str:
    pk = request.GET.get("canned", "")
    if not pk.isdigit() or len(pk) > 18:
        return ""
    canned = CannedResponse.objects.filter(pk=int(pk), is_active=True).first()
    if canned is None:
        return ""
    return selectors.fill_placeholders(canned.body, escalation=escalation, agent=request.user)


def render_case(
    request: HttpRequest, escalation: Escalation, *, status: int = 200, error: str = "", **bound
) -> HttpResponse:
    """The case view; `bound` forms (note_form, answer_form, resolve_form, dismiss_form)
    keep what was typed after an error."""
    live_since = last_id("desk")  # before the case is read
    answers = selectors.case_answers(escalation=escalation)
    question = escalation.question
    thread = forum_selectors.question_thread(question=question, user=request.user)
    staff = selectors.staff_members()
    canned = selectors.canned_responses(language=get_language() or "")
    prefill = _canned_prefill(request, escalation)
    context = {
        "nav": "desk",
        "escalation": escalation,
        "question": question,
        "thread_answers": thread.answers,
        "history": selectors.case_history(escalation=escalation),
        "customer": selectors.customer_360(member=question.author, exclude=escalation),
        "canned": [
            (c, selectors.fill_placeholders(c.body, escalation=escalation, agent=request.user))
            for c in canned
        ],
        "note_form": bound.get("note_form") or forms.NoteForm(),
        "answer_form": bound.get("answer_form")
        or forms.OfficialAnswerForm(initial={"body": prefill} if prefill else None),
        "resolve_form": bound.get("resolve_form") or forms.ResolveForm(answers=answers),
        "dismiss_form": bound.get("dismiss_form") or forms.DismissForm(),
        "status_form": forms.StatusForm(initial={"status": escalation.status}),
        "priority_form": forms.PriorityForm(initial={"priority": escalation.priority}),
        "assign_form": forms.AssignForm(initial={"assignee": escalation.assignee_id}, staff=staff),
        "case_form": bound.get("case_form")
        or forms.CaseForm(
            initial={
                "assignee": escalation.assignee_id,
                "status": escalation.status,
                "priority": escalation.priority,
            },
            staff=staff,
            status=escalation.status,
        ),
        "error": error,
        "live_since": live_since,
    }
    return render(request, "advocacy/desk/case.html", context, status=status)


@require_GET
def case(request: HttpRequest, pk: int) -> HttpResponse:
    if (refusal := _guard(request)) is not None:
        return refusal
    return render_case(request, _escalation(pk))


def _act(request: HttpRequest, pk: int, act, *, success: str, form_name: str = "", form=None):  # noqa: ANN001, ANN202
    """Run `act(escalation)` for a POST on a case: success -> back to the case with
    `success`; refused -> the case with the reason (403 / 409); invalid -> the case with
    the bound form and its errors (400)."""
    if (refusal := _guard(request)) is not None:
        return refusal
    escalation = _escalation(pk)
    if form is not None and not form.is_valid():
        return render_case(request, escalation, status=400, **{form_name: form})
    try:
        act(escalation)
    except PermissionDenied as exc:
        return render_case(request, escalation, status=403, error=str(exc))
    except services.EscalationConflict as exc:
        return render_case(request, _escalation(pk), status=409, error=str(exc))
    except ValidationError as exc:
        if form is None:
            return render_case(request, escalation, status=400, error=" ".join(exc.messages))
        apply_service_errors(form, exc)
        return render_case(request, escalation, status=400, **{form_name: form})
    messages.success(request, success)
    return redirect("desk:case", pk=pk)


@require_POST
def claim(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(
        request,
        pk,
        lambda e: services.claim_escalation(actor=request.user, escalation=e),
        success=_("You claimed this escalation."),
    )


@require_POST
def assign(request: HttpRequest, pk: int) -> HttpResponse:
    staff = selectors.staff_members()
    form = forms.AssignForm(request.POST, staff=staff)

    def act(escalation: Escalation) -> None:
        assignee_id = form.cleaned_data["assignee"]
        assignee = next((m for m in staff if m.pk == assignee_id), None)
        services.assign_escalation(actor=request.user, escalation=escalation, assignee=assignee)

    if not form.is_valid():
        return _act(request, pk, lambda e: None, success="", form_name="assign_form", form=form)
    return _act(request, pk, act, success=_("Assignment saved."))


@require_POST
def update_case(request: HttpRequest, pk: int) -> HttpResponse:
    """The case page's one Save: each field that differs from the case is changed through
    its own service, all in one transaction (a refusal changes none of them)."""
    if (refusal := _guard(request)) is not None:
        return refusal
    staff = selectors.staff_members()
    current = _escalation(pk)
    form = forms.CaseForm(request.POST, staff=staff, status=current.status)

    def act(escalation: Escalation) -> None:
        data = form.cleaned_data
        with transaction.atomic():
            if data["assignee"] != escalation.assignee_id:
                assignee = next((m for m in staff if m.pk == data["assignee"]), None)
                services.assign_escalation(
                    actor=request.user, escalation=escalation, assignee=assignee
                )
            if data["status"] and data["status"] != escalation.status:
                services.set_escalation_status(
                    actor=request.user, escalation=escalation, status=data["status"]
                )
            if data["priority"] != escalation.priority:
                services.set_escalation_priority(
                    actor=request.user, escalation=escalation, priority=data["priority"]
                )

    return _act(request, pk, act, success=_("Case saved."), form_name="case_form", form=form)


@require_POST
def set_status(request: HttpRequest, pk: int) -> HttpResponse:
    form = forms.StatusForm(request.POST)
    return _act(
        request,
        pk,
        lambda e: services.set_escalation_status(
            actor=request.user, escalation=e, status=form.cleaned_data["status"]
        ),
        success=_("Status changed."),
        form_name="status_form",
        form=form,
    )


@require_POST
def set_priority(request: HttpRequest, pk: int) -> HttpResponse:
    form = forms.PriorityForm(request.POST)
    return _act(
        request,
        pk,
        lambda e: services.set_escalation_priority(
            actor=request.user, escalation=e, priority=form.cleaned_data["priority"]
        ),
        success=_("Priority changed."),
        form_name="priority_form",
        form=form,
    )


@require_POST
def note(request: HttpRequest, pk: int) -> HttpResponse:
    form = forms.NoteForm(request.POST)
    return _act(
        request,
        pk,
        lambda e: services.add_note(
            actor=request.user, escalation=e, body=form.cleaned_data["body"]
        ),
        success=_("Note added."),
        form_name="note_form",
        form=form,
    )


@require_POST
def answer(request: HttpRequest, pk: int) -> HttpResponse:
    form = forms.OfficialAnswerForm(request.POST)
    return _act(
        request,
        pk,
        lambda e: services.post_official_answer(
            actor=request.user, escalation=e, body=form.cleaned_data["body"]
        ),
        success=_("Your official answer is posted in the thread."),
        form_name="answer_form",
        form=form,
    )


@require_POST
def resolve(request: HttpRequest, pk: int) -> HttpResponse:
    if (refusal := _guard(request)) is not None:
        return refusal
    escalation = _escalation(pk)
    form = forms.ResolveForm(request.POST, answers=selectors.case_answers(escalation=escalation))
    return _act(
        request,
        pk,
        lambda e: services.resolve_escalation(
            actor=request.user,
            escalation=e,
            resolution=form.cleaned_data["resolution"],
            verdicts=form.verdicts(),
        ),
        success=_("Escalation resolved."),
        form_name="resolve_form",
        form=form,
    )


@require_POST
def dismiss(request: HttpRequest, pk: int) -> HttpResponse:
    form = forms.DismissForm(request.POST)
    return _act(
        request,
        pk,
        lambda e: services.dismiss_escalation(
            actor=request.user, escalation=e, reason=form.cleaned_data["reason"]
        ),
        success=_("Escalation dismissed."),
        form_name="dismiss_form",
        form=form,
    )


# Escalating and "my escalations" -----------------------------------------------------------


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
    sees_reasons = permissions.can_work_desk(request.user) or request.user.is_advocate
    return render(
        request,
        "advocacy/my_escalations.html",
        {"page": page, "nav": "escalations", "sees_reasons": sees_reasons},
    )
