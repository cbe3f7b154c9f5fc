"""The e-mail settings page and the one-click unsubscribe page (no login needed)."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from forum.models import Notification, User
from notifications.mail import choices as email_preferences
from notifications.mail import tokens
from notifications.mail.forms import EmailPreferencesForm
from notifications.mail.preferences import email_kinds_for, email_modes_for, verified_email
from notifications.models import EmailMode


@login_required
@require_http_methods(["GET", "POST"])
def email_settings(request: HttpRequest) -> HttpResponse:
    member = request.user
    modes = email_modes_for(member)
    form = EmailPreferencesForm(request.POST or None, modes=modes, kinds=email_kinds_for(member))
    if request.method == "POST" and form.is_valid():
        try:
            email_preferences.set_email_preferences(actor=member, modes=form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Your e-mail settings are saved."))
            return redirect("mail:settings")
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "mail/settings.html",
        {"form": form, "address": verified_email(member), "modes": EmailMode.choices},
        status=status,
    )


def _scope_label(scope: str) -> str:
    if scope == tokens.ALL:
        return _("all notification e-mails")
    if scope == tokens.DIGEST:
        return _("the daily digest")
    return str(Notification.Kind(scope).label)


@csrf_exempt  # the signed token is the credential; mail clients POST without a session
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """GET: a page with one button (link scanners that fetch GET change nothing). POST:
    the button, or a mail client's RFC 8058 one-click request
    (`List-Unsubscribe=One-Click`): the e-mails stop. A replayed link does it again,
    harmlessly; a tampered one changes nothing."""
    found = tokens.read_token(token)
    member = User.objects.filter(pk=found.user_id, is_active=True).first() if found else None
    if member is None:
        return render(request, "mail/unsubscribe.html", {"invalid": True}, status=400)
    # The page speaks the member's language, whoever's browser opens the link.
    with translation.override(
        member.locale or translation.get_language() or settings.LANGUAGE_CODE
    ):
        scope = found.scope
        if request.method == "POST" and request.POST.get("scope") == tokens.ALL:
            scope = tokens.ALL
        context = {"token": token, "scope": scope, "what": _scope_label(scope)}
        if request.method == "POST":
            email_preferences.unsubscribe(member=member, scope=scope)
            context["done"] = True
        return render(request, "mail/unsubscribe.html", context)
