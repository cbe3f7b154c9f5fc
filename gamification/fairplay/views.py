"""The staff page of fair-play cases: the list (open or reviewed), each case with its
evidence, and "mark reviewed". Staff and managers only; anyone else is refused (403) and
nothing changes. Thin: parse, fetch, check, call one service, render.

URL names (app "gamification"): fair_play, fair_play_case, review_fair_play_case.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from core.web import login_redirect
from gamification.fairplay import selectors, services
from gamification.fairplay.models import FairPlayCase
from gamification.fairplay.permissions import check_review_fair_play

MAX_ID = 2**63 - 1
PER_PAGE = 25


class CaseListForm(forms.Form):
    status = forms.ChoiceField(choices=FairPlayCase.Status.choices, required=False)
    page = forms.IntegerField(min_value=1, max_value=10_000, required=False)


class ReviewForm(forms.Form):
    note = forms.CharField(
        label=gettext_lazy("Note (optional)"),
        max_length=services.REVIEW_NOTE_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


def _staff_only(request: HttpRequest, next_url: str = "") -> HttpResponse | None:
    """The login redirect for an anonymous visitor, or None for staff; anyone else is
    refused (PermissionDenied, answered by core.web)."""
    if not request.user.is_authenticated:
        return login_redirect(request, next_url or request.get_full_path())
    check_review_fair_play(request.user)
    return None


@require_GET
def case_list(request: HttpRequest) -> HttpResponse:
    if refusal := _staff_only(request):
        return refusal
    form = CaseListForm(request.GET)
    status, number = FairPlayCase.Status.OPEN, 1
    if form.is_valid():
        status = form.cleaned_data["status"] or FairPlayCase.Status.OPEN
        number = form.cleaned_data["page"] or 1
    page = Paginator(selectors.cases(status=status), PER_PAGE).get_page(number)
    context = {
        "page_obj": page,
        "status": status,
        "statuses": FairPlayCase.Status.choices,
        "open_count": FairPlayCase.objects.filter(status=FairPlayCase.Status.OPEN).count(),
    }
    return render(request, "gamification/fair_play.html", context)


def _case_context(pk: int, **extra: object) -> dict:
    found = selectors.case_with_evidence(pk=pk) if pk <= MAX_ID else None
    if found is None:
        raise Http404(_("There is no such case."))
    case, evidence = found
    return {
        "case": case,
        "evidence": evidence,
        "evidence_shown": selectors.EVIDENCE_SHOWN,
        "form": ReviewForm(),
        **extra,
    }


@require_GET
def case_detail(request: HttpRequest, pk: int) -> HttpResponse:
    if refusal := _staff_only(request):
        return refusal
    return render(request, "gamification/fair_play_case.html", _case_context(pk))


@require_POST
def review(request: HttpRequest, pk: int) -> HttpResponse:
    if refusal := _staff_only(request, reverse("gamification:fair_play_case", args=[pk])):
        return refusal
    context = _case_context(pk)
    form = ReviewForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError(form.errors["note"])
        services.review_case(
            actor=request.user, case=context["case"], note=form.cleaned_data["note"]
        )
    except ValidationError as exc:
        context["form"] = form
        context["error"] = " ".join(exc.messages)
        return render(request, "gamification/fair_play_case.html", context, status=400)
    messages.success(request, _("Case marked as reviewed."))
    return redirect("gamification:fair_play_case", pk=pk)
