"""Tunables of the live layer, read from Django settings at call time (tests override them).

LIVE_MAX_MESSAGE_BYTES     largest client message; bigger ones close the socket (4009).
LIVE_MAX_MESSAGES_PER_SECOND  token bucket per socket (also the burst size); 4008 beyond.
LIVE_MAX_SUBSCRIPTIONS     streams one socket may hold; 4008 beyond.
LIVE_MAX_SOCKETS_PER_ADDRESS  open sockets per client address; 4029 beyond.
LIVE_BACKLOG_SIZE          events kept per stream for catch-up with `since`.
LIVE_BACKLOG_SECONDS       and for how long at most.
LIVE_TYPING_SECONDS        how long one `typing` message keeps a member "writing".
LIVE_PRESENCE_DELAY        presence changes within this window go out as one event.
LIVE_PRESENCE_RATE         on a crowded stream the window grows to viewers / this rate,
                           so presence costs about this many frames/s per stream...
LIVE_PRESENCE_MAX_DELAY    ...but the window never exceeds this (seconds).
LIVE_REDIS_URL             where backlog and presence live (defaults to REDIS_URL).
"""

from __future__ import annotations

from django.conf import settings

DEFAULTS: dict[str, object] = {
    "LIVE_MAX_MESSAGE_BYTES": 4096,
    "LIVE_MAX_MESSAGES_PER_SECOND": 20,
    "LIVE_MAX_SUBSCRIPTIONS": 50,
    "LIVE_MAX_SOCKETS_PER_ADDRESS": 50,
    "LIVE_BACKLOG_SIZE": 500,
    "LIVE_BACKLOG_SECONDS": 24 * 3600,
    "LIVE_TYPING_SECONDS": 5.0,
    "LIVE_PRESENCE_DELAY": 0.25,
    "LIVE_PRESENCE_RATE": 400,
    "LIVE_PRESENCE_MAX_DELAY": 5.0,
}


def live_setting(name: str):  # noqa: ANN201 - int, float or str, as configured
    return getattr(settings, name, DEFAULTS.get(name))


def redis_url() -> str:
    """The Redis of the backlog and presence; empty when the site runs without Redis."""
    return getattr(settings, "LIVE_REDIS_URL", "") or getattr(settings, "REDIS_URL", "")
