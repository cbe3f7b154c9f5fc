"""`{% load points %}`: `{{ member.reputation|rank_name }}` (no query: ranks are cached)."""

from __future__ import annotations

from django import template

from gamification.ranks import rank_for

register = template.Library()


@register.filter
def rank_name(reputation: int | None) -> str:
    return rank_for(reputation or 0).name
