"""Counting a question's views."""

from __future__ import annotations

from django.core.cache import cache
from django.db.models import F

from forum.models import (
    Question,
    User,
)

# Views ----------------------------------------------------------------------------------

VIEW_DEDUP_SECONDS = 3600


def record_view(*, question: Question, viewer: User, viewer_key: str) -> bool:
    """Count one view of `question`; True when it was counted.

    The author's own visits do not count, and one viewer (`viewer_key`: member id,
    session or address) counts at most once an hour, remembered in the cache. The count
    is one `UPDATE ... SET view_count = view_count + 1`, no lock, no read; the in-memory
    copy is bumped too so the page shows its own visit.
    """
    if viewer.is_authenticated and viewer.pk == question.author_id:
        return False
    if not cache.add(f"view:{question.pk}:{viewer_key}", 1, timeout=VIEW_DEDUP_SECONDS):
        return False
    Question.objects.filter(pk=question.pk).update(view_count=F("view_count") + 1)
    question.view_count += 1
    if not viewer.is_authenticated:
        from forum.deflection import count_solved_view  # the deflection basis

        count_solved_view(question)
    return True
