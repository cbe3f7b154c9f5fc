"""`{% follow_button target %}`: the follow/unfollow form for a question, tag or category
(one query for a member, none for a visitor)."""

from __future__ import annotations

from django import template

from forum.follows.services import is_following

register = template.Library()


@register.inclusion_tag("forum/_follow_button.html", takes_context=True)
def follow_button(context: template.Context, target, following: bool | None = None) -> dict:  # noqa: ANN001
    """`following` when the caller knows it (a list of what the member follows)."""
    from forum.views.follows import button_context

    user = context.get("user")
    request = context.get("request")
    if following is None:
        following = bool(user is not None and is_following(user, target))
    return {
        **button_context(
            user, target, following=following, next_url=request.get_full_path() if request else ""
        ),
        "csrf_token": context.get("csrf_token"),
    }
