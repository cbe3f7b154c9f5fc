"""A fixed-window rate limiter on the shared cache (Redis in production).

Used by the services (posting, flags, suggested edits, erasure) and a few views (preview,
CSP reports), so the HTML views and the API share one budget.
"""

from __future__ import annotations

import time

from django.core.cache import cache
from django.utils.translation import gettext as _

_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


class RateLimited(Exception):
    def __init__(self, retry_after: int) -> None:
        self.retry_after = retry_after
        super().__init__(
            _("You are doing that too often. Try again in %(seconds)d seconds.")
            % {"seconds": retry_after}
        )


def parse_rate(rate: str) -> tuple[int, int]:
    """'20/10m' -> (20, 600)."""
    count, _slash, period = rate.partition("/")
    digits = period.rstrip("smhd") or "1"
    return int(count), int(digits) * _UNITS[period[-1]]


def hit(key: str, rate: str) -> None:
    """Count one action for `key`; raise RateLimited when the window's budget is spent."""
    limit, window = parse_rate(rate)
    now = int(time.time())
    bucket = now // window
    cache_key = f"rl:{key}:{bucket}"
    cache.add(cache_key, 0, timeout=window + 1)
    try:
        count = cache.incr(cache_key)
    except ValueError:  # expired between add and incr
        cache.set(cache_key, 1, timeout=window + 1)
        count = 1
    if count > limit:
        raise RateLimited(retry_after=(bucket + 1) * window - now)
