"""The desk's queue and its bulk assignment."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from advocacy.desk import forms, selectors
from advocacy.desk.views._common import staff_guard
from advocacy.services import escalations as services
from forum.models import Category
from live.backlog import last_id

QUEUE_PAGE_SIZE = 50


@require_GET
def queue(request: HttpRequest) -> HttpResponse:
    if (refusal := staff_guard(request)) is not None:
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
    if (refusal := staff_guard(request)) is not None:
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
