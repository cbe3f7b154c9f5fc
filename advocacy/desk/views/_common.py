"""What the desk's pages share: the staff guard and the case lookup."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.urls import reverse

from advocacy.desk import permissions, selectors
from advocacy.models import Escalation
from core.web import login_redirect


def staff_guard(request: HttpRequest) -> HttpResponse | None:
    """The login redirect for an anonymous visitor, or None for staff; anyone else is
    refused (PermissionDenied, answered by core.web)."""
    if not request.user.is_authenticated:
        back = request.get_full_path() if request.method == "GET" else reverse("desk:queue")
        return login_redirect(request, back)
    permissions.check_work_desk(request.user)
    return None


def get_case(pk: int) -> Escalation:
    return selectors.get_escalation(pk=pk)
