"""A fixed-window rate limiter on the shared cache (Redis in production).

Used by the services (posting, flags, suggested edits, erasure) and a few views (preview,
CSP reports), so the HTML views and the API share one budget.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

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


# Set by `exempt()`: the seeders write through the services, as members, far faster than
# any member may; no request ever sets it.
_EXEMPT: ContextVar[bool] = ContextVar("ratelimit_exempt", default=False)


@contextmanager
def exempt() -> Iterator[None]:
    """No rate limit applies inside this block (and nothing is counted): for seeders only
    (`seed_demo`), whose members' ids repeat from one seeded database to the next on the
    same cache, so their counters would otherwise carry over and refuse a second seed."""
    token = _EXEMPT.set(True)
    try:
        yield
    finally:
        _EXEMPT.reset(token)


def hit(key: str, rate: str) -> None:
    """Count one action for `key`; raise RateLimited when the window's budget is spent."""
    if _EXEMPT.get():
        return
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
