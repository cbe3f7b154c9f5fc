"""Template tags of the moderation area: the nav link and the flag link under posts."""

from __future__ import annotations

from django import template

from advocacy import permissions
from advocacy.moderation.selectors import open_flag_count
from core import roles
from forum.models import Question
from forum.posts import post_type

register = template.Library()


@register.inclusion_tag("advocacy/_nav.html", takes_context=True)
def moderation_nav(context: template.Context) -> dict:
    """ "Moderation (n)" for moderators (n = posts with open flags), "Review" for members
    with the review privilege; nothing for others (no query for them)."""
    user = context.get("user")
    if user is None or not user.is_authenticated:
        return {"show": False}
    if roles.is_moderator(user):
        return {"show": True, "count": open_flag_count(), "nav": context.get("nav")}
    if permissions.can_review_first_posts(user):
        return {"show": True, "count": None, "nav": context.get("nav")}
    return {"show": False}


@register.inclusion_tag("advocacy/_flag_link.html", takes_context=True)
def flag_link(context: template.Context, post: object) -> dict:
    """A "Flag" link (the form opens in place with htmx) when the viewer may flag `post`,
    and "Moderate" (the post's page in the queue) for moderators. Reads no row."""
    user = context.get("user")
    question = context.get("question")
    thread = question if isinstance(question, Question) else None
    show = user is not None and permissions.can_flag_post(user, post, thread=thread)
    moderate = user is not None and roles.is_moderator(user)
    return {"show": show, "moderate": moderate, "kind": post_type(post), "post": post}


@register.filter
def audit_value(value: object) -> str:
    """A before/after value of the audit log, readable: nested mappings as "key: value"
    pairs and lists comma-separated, instead of Python's repr (issue 15)."""
    if isinstance(value, dict):
        return "; ".join(f"{key}: {audit_value(item)}" for key, item in value.items())
    if isinstance(value, list | tuple):
        return ", ".join(audit_value(item) for item in value)
    if value is None or value == "":
        return "—"
    return str(value)
