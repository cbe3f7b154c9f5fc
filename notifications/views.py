"""The notifications page: answers to your questions, comments on your posts, @mentions
and accepted answers, newest first, unread ones highlighted; "mark all as read".

The header's bell (`bell.notification_bell`) links here and counts the unread ones
live. Opening the page with JavaScript marks the notifications it shows read with a POST
(hx-trigger="load"), as Discourse does when the list is opened; without JavaScript the
"Mark all as read" button does it. The GET itself changes nothing.

URL names (notifications/urls.py, namespace "notifications"): list, read.
"""

from __future__ import annotations

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_POST

from core.web import refuse
from forum.models import Question
from forum.permissions import visible_questions
from notifications import bell as notifications

NOTIFICATIONS_PER_PAGE = 30
MAX_IDS = 200  # more than a page shows; a longer list is not from our page
_MAX_ID = 2**63 - 1


class IdListField(forms.Field):
    """Repeated `ids` values as a list of positive ints ([] when none were sent)."""

    widget = forms.MultipleHiddenInput

    def to_python(self, value: object) -> list[int]:
        if not value:
            return []
        if not isinstance(value, list | tuple) or len(value) > MAX_IDS:
            raise ValidationError(_("Send at most %(max)d ids."), params={"max": MAX_IDS})
        try:
            ids = [int(item) for item in value]
        except (TypeError, ValueError):
            raise ValidationError(_("Ids are whole numbers."), code="invalid") from None
        if any(not 0 < item <= _MAX_ID for item in ids):
            raise ValidationError(_("Ids are whole numbers."), code="invalid")
        return ids


class MarkReadForm(forms.Form):
    """No ids: mark all of the member's notifications read; ids: only those."""

    ids = IdListField(required=False)


def _target_url(notification) -> str:  # noqa: ANN001 - a forum.Notification
    if notification.link or not notification.question_id:
        return notification.link
    url = notification.question.get_absolute_url()
    if notification.comment_id:
        return f"{url}#comment-{notification.comment_id}"
    if notification.answer_id:
        return f"{url}#answer-{notification.answer_id}"
    return url


@login_required
@require_GET
def notification_list(request: HttpRequest) -> HttpResponse:
    items = notifications.notifications_for(request.user).filter(
        Q(question__isnull=True)
        | Q(question__in=visible_questions(Question.objects.all(), request.user))
    )
    page_obj = Paginator(items, NOTIFICATIONS_PER_PAGE).get_page(request.GET.get("page"))
    page_obj.object_list = list(page_obj.object_list)
    for notification in page_obj.object_list:
        notification.url = _target_url(notification)
        notification.text = notifications.describe(notification)
    unread_ids = [n.pk for n in page_obj.object_list if n.read_at is None]
    context = {
        "page_obj": page_obj,
        "unread_ids": unread_ids,
        "unread_total": notifications.unread_count(request.user),
    }
    return render(request, "forum/notifications.html", context)


@login_required
@require_POST
def mark_read(request: HttpRequest) -> HttpResponse:
    form = MarkReadForm(request.POST)
    if not form.is_valid():
        return refuse(request, form.errors["ids"][0], status=400)
    ids = form.cleaned_data["ids"] or None
    notifications.mark_notifications_read(actor=request.user, ids=ids)
    if request.htmx:
        return HttpResponse(status=204)
    return redirect("notifications:list")
