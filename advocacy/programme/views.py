"""Pages of the advocate programme: the candidates (staff; the manager decides), approve
and revoke (the manager), the advocates list (everyone) and the lounge's entry point.

URL names (app "programme"): advocates, candidates, approve, revoke, lounge.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from advocacy.models.audit import REASON_MAX_LENGTH
from advocacy.programme import permissions, selectors
from advocacy.services import programme as services
from core.web import form_errors
from forum import permissions as forum_permissions
from forum.models import Category, User

app_name = "programme"


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Reason"),
        max_length=REASON_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": REASON_MAX_LENGTH}),
        help_text=gettext_lazy("The member reads it in their notification."),
    )


class ApproveForm(forms.Form):
    note = forms.CharField(
        label=gettext_lazy("Note for the audit log"),
        required=False,
        max_length=REASON_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2, "maxlength": REASON_MAX_LENGTH}),
    )


def _errors(exc: ValidationError) -> str:
    return " ".join(exc.messages)


@require_GET
def advocates(request: HttpRequest) -> HttpResponse:
    """Who the advocates are; the manager can revoke from here."""
    members = list(selectors.advocates())
    approvals = selectors.last_decisions(members)
    for member in members:
        decision = approvals.get(member.pk)
        member.advocate_since = decision.created_at if decision else None
    context = {
        "advocates": members,
        "can_manage": permissions.can_manage_advocates(request.user),
        "can_view_candidates": permissions.can_view_candidates(request.user),
        "nav": "advocates",
    }
    return render(request, "advocacy/programme/advocates.html", context)


@login_required
@require_GET
def candidates(request: HttpRequest) -> HttpResponse:
    """Members near or past every threshold, with their figures against the rules."""
    permissions.check_view_candidates(request.user)
    context = {
        "candidates": selectors.candidates(),
        "rules": selectors.rules(),
        "can_manage": permissions.can_manage_advocates(request.user),
        "approve_form": ApproveForm(),
        "nav": "advocates",
    }
    return render(request, "advocacy/programme/candidates.html", context)


def _member(username: str) -> User:
    return get_object_or_404(User, username=username, is_active=True)


@login_required
@require_POST
def approve(request: HttpRequest, username: str) -> HttpResponse:
    permissions.check_manage_advocates(request.user)
    member = _member(username)
    form = ApproveForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
        return redirect("programme:candidates")
    try:
        services.approve_advocate(actor=request.user, member=member, note=form.cleaned_data["note"])
    except ValidationError as exc:
        messages.error(request, _errors(exc))
        return redirect("programme:candidates")
    messages.success(request, _("%(name)s is now an advocate.") % {"name": member.name})
    return redirect("programme:advocates")


@login_required
@require_http_methods(["GET", "POST"])
def revoke(request: HttpRequest, username: str) -> HttpResponse:
    permissions.check_manage_advocates(request.user)
    member = _member(username)
    if not member.is_advocate:
        raise Http404("Not an advocate.")
    form = ReasonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with form_errors(form):
            services.revoke_advocate(
                actor=request.user, member=member, reason=form.cleaned_data["reason"]
            )
            messages.success(
                request, _("%(name)s is no longer an advocate.") % {"name": member.name}
            )
            return redirect("programme:advocates")
    context = {"member": member, "form": form, "nav": "advocates"}
    return render(request, "advocacy/programme/revoke.html", context)


@require_GET
def lounge(request: HttpRequest) -> HttpResponse:
    """The advocates' lounge: the (first) private category's page, for moderators."""
    categories = forum_permissions.visible_categories(
        Category.objects.filter(is_private=True), request.user
    )
    category = categories.order_by("position", "pk").first()
    if category is None:
        raise Http404("No lounge.")
    return redirect(category)


urlpatterns = [
    path("advocates/", advocates, name="advocates"),
    path("advocates/candidates/", candidates, name="candidates"),
    path("advocates/<str:username>/approve/", approve, name="approve"),
    path("advocates/<str:username>/revoke/", revoke, name="revoke"),
    path("lounge/", lounge, name="lounge"),
]
