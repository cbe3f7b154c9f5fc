"""`{% load points %}`: `{{ member.reputation|rank_name }}` (no query: ranks are cached)
and `{% points_profile member %}` for the profile page."""

from __future__ import annotations

from django import template

from forum.models import User
from gamification.ranks import rank_for

register = template.Library()


@register.filter
def rank_name(reputation: int | None) -> str:
    return rank_for(reputation or 0).name


@register.inclusion_tag("gamification/_profile_points.html", takes_context=True)
def points_profile(context: template.Context, member: User) -> dict[str, object]:
    """Rank, badges, reputation graph and recent points of `member` (five queries)."""
    from forum.permissions import can_see_question
    from gamification import selectors

    viewer = context.get("user")
    recent = selectors.recent_points(member=member)
    for event in recent:
        # A lounge or hidden thread's title is shown only to whom may read it.
        event.question_shown = bool(
            event.question_id
            and viewer is not None
            and event.question.deleted_at is None
            and can_see_question(viewer, event.question)
        )
    return {
        "member": member,
        "rank": rank_for(member.reputation),
        "badges": selectors.badge_summary(member=member),
        "graph": selectors.reputation_graph(member=member),
        "recent": recent,
        "is_self": context.get("is_self", False),
    }
