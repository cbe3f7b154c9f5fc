"""The header's notifications bell: `{% load bell %}` then `{% notification_bell %}`.

It renders `forum/_bell.html` for a member: the unread count, and the `user` stream's last
event id, read in that order, so the page's socket subscribes with `since` and misses no
notification that the rendered count does not include (static/js/live.js keeps the count
current afterwards).
"""

from __future__ import annotations

from django import template

from live.backlog import last_id
from live.streams import user_stream
from notifications.bell import unread_count

register = template.Library()


@register.inclusion_tag("forum/_bell.html", takes_context=True)
def notification_bell(context: template.Context) -> dict:
    user = context.get("user")
    if user is None or not user.is_authenticated:
        return {"member": None}
    since = last_id(user_stream(user.pk))
    request = context.get("request")
    match = getattr(request, "resolver_match", None)
    here = match is not None and match.view_name == "notifications:list"
    return {"member": user, "since": since, "unread": unread_count(user), "here": here}
