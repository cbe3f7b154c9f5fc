"""Template helpers of the advocate programme and community self-moderation: which of
their links the header shows the viewer (no queries: the privilege table is cached)."""

from __future__ import annotations

from django import template

from advocacy.community.permissions import can_review_suggestions
from advocacy.programme.permissions import can_view_candidates
from core import roles
from forum.models import User

register = template.Library()


@register.simple_tag
def programme_links(user: User) -> dict[str, bool]:
    """`{% programme_links user as links %}`: lounge, review queue, candidates."""
    return {
        "lounge": roles.is_moderator(user),
        "review": can_review_suggestions(user),
        "candidates": can_view_candidates(user),
    }
