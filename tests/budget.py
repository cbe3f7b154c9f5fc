"""What a page's query budget depends on besides the page."""

from __future__ import annotations

from django.conf import settings


def session_query() -> int:
    """The query a signed-in request reads its session with: none when sessions are kept
    in the cache as well (`cached_db`, the setting with Redis) and the cache holds it."""
    return 0 if settings.SESSION_ENGINE == "django.contrib.sessions.backends.cached_db" else 1
