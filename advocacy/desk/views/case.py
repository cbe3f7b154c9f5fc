"""A case: its page and the acts on it (claim, assign, status, priority, note, the
official answer, resolve, dismiss)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from advocacy.desk import forms, selectors
from advocacy.desk.views._common import get_case, staff_guard
from advocacy.models import CannedResponse, Escalation
from advocacy.services import escalations as services
from core.web import apply_service_errors
from forum import selectors as forum_selectors
from live.backlog import last_id


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
    if (refusal := staff_guard(request)) is not None:
        return refusal
    return render_case(request, get_case(pk))


def _act(request: HttpRequest, pk: int, act, *, success: str, form_name: str = "", form=None):  # noqa: ANN001, ANN202
    """Run `act(escalation)` for a POST on a case: success -> back to the case with
    `success`; refused -> the case with the reason (403 / 409); invalid -> the case with
    the bound form and its errors (400)."""
    if (refusal := staff_guard(request)) is not None:
        return refusal
    escalation = get_case(pk)
    if form is not None and not form.is_valid():
        return render_case(request, escalation, status=400, **{form_name: form})
    try:
        act(escalation)
    except PermissionDenied as exc:
        return render_case(request, escalation, status=403, error=str(exc))
    except services.EscalationConflict as exc:
        return render_case(request, get_case(pk), status=409, error=str(exc))
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
    if (refusal := staff_guard(request)) is not None:
        return refusal
    staff = selectors.staff_members()
    current = get_case(pk)
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
    if (refusal := staff_guard(request)) is not None:
        return refusal
    escalation = get_case(pk)
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
