"""The privacy settings page: download your data, erase your account."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from core.ratelimit import RateLimited
from privacy import erasure, export


class EraseForm(forms.Form):
    password = forms.CharField(
        label=gettext_lazy("Your password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    confirm = forms.BooleanField(
        label=gettext_lazy(
            "I understand: my account is erased for good, my posts stay under “Deleted member”."
        )
    )


@login_required
@require_http_methods(["GET", "POST"])
def privacy_settings(request: HttpRequest) -> HttpResponse:
    """GET: the page. POST: erase the account (password and confirmation required)."""
    status = 200
    form = EraseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        member = request.user
        try:
            erasure.check_password(member, form.cleaned_data["password"])
            erasure.erase_member(actor=member, member=member)
        except PermissionDenied as exc:
            form.add_error("password", str(exc))
            status = 403
        except RateLimited as exc:
            form.add_error(None, str(exc))
            status = 429
        else:
            logout(request)
            messages.success(request, _("Your account has been erased. Goodbye."))
            return redirect("forum:question_list")
    elif request.method == "POST":
        status = 400
    return render(request, "privacy/settings.html", {"form": form}, status=status)


@login_required
@require_GET
def download_export(request: HttpRequest) -> HttpResponse:
    response = HttpResponse(
        export.export_json(member=request.user), content_type="application/json"
    )
    response["Content-Disposition"] = f'attachment; filename="{export.filename(request.user)}"'
    response["Cache-Control"] = "no-store"
    return response
