"""One failed-login lockout for every way in: the HTML login (allauth, through
forum.account_adapter), `POST /api/v1/auth/token/` and the password reset form.

Two budgets, both in the shared cache (Redis in production, so every process sees them):

- per account: `account` failures within `window` seconds lock the account for `lock`
  seconds. The account is found from the username or any of its e-mail addresses, so
  guessing by e-mail and by username spends one budget; an identifier that names no
  account gets a budget of its own all the same (the lockout does not tell who exists).
- per address: `address` failures from one client address (core.clientaddr: trusted
  proxies only) within `window` lock that address out of every account.

A successful log-in does not reset the counters (an attacker who owns one account could
otherwise interleave successes to keep guessing); a successful password reset lifts the
account's lock. The numbers come from `CIRCOLO_LOGIN_LOCKOUT`.
"""

from __future__ import annotations

import hashlib
import math
import time

from django.conf import settings
from django.core.cache import cache
from django.db.models import Q
from django.http import HttpRequest
from django.utils.translation import ngettext

from core.clientaddr import client_address
from core.ratelimit import RateLimited

DEFAULTS = {"account": 5, "address": 20, "window": 15 * 60, "lock": 15 * 60}


class LockedOut(RateLimited):
    """Too many failed log-ins; `code` says whether the account or the address is locked."""

    def __init__(self, *, retry_after: int, code: str) -> None:
        self.retry_after = retry_after
        self.code = code
        minutes = max(1, math.ceil(retry_after / 60))
        if code == "account_locked":
            message = ngettext(
                "Too many failed log-ins to this account. Try again in %(minutes)d minute, "
                "or reset your password.",
                "Too many failed log-ins to this account. Try again in %(minutes)d minutes, "
                "or reset your password.",
                minutes,
            )
        else:
            message = ngettext(
                "Too many failed log-ins from your network. Try again in %(minutes)d minute.",
                "Too many failed log-ins from your network. Try again in %(minutes)d minutes.",
                minutes,
            )
        Exception.__init__(self, message % {"minutes": minutes})


def _conf() -> dict[str, int]:
    return {**DEFAULTS, **getattr(settings, "CIRCOLO_LOGIN_LOCKOUT", {})}


def account_key(identifier: str) -> str:
    """The budget an identifier (username or e-mail address) spends: its account's."""
    from forum.models import User

    ident = (identifier or "").strip().lower()
    user_id = (
        User.objects.filter(
            Q(username__iexact=ident)
            | Q(email__iexact=ident)
            | Q(emailaddress__email__iexact=ident)
        )
        .values_list("pk", flat=True)
        .first()
        if ident
        else None
    )
    if user_id:
        return f"user:{user_id}"
    # Whatever was typed, hashed: a fixed-length, printable cache key.
    return f"login:{hashlib.sha256(ident.encode()).hexdigest()[:32]}"


def _address_key(request: HttpRequest) -> str:
    return hashlib.sha256(client_address(request).encode()).hexdigest()[:32]


def _keys(request: HttpRequest, identifier: str) -> list[tuple[str, str, int]]:
    """(cache key, code, limit) of the account's budget, then the address's."""
    conf = _conf()
    return [
        (f"lockout:account:{account_key(identifier)}", "account_locked", conf["account"]),
        (f"lockout:address:{_address_key(request)}", "address_locked", conf["address"]),
    ]


def check(request: HttpRequest, identifier: str, *, account: bool = True) -> None:
    """Raise LockedOut when the account named by `identifier` (unless `account` is
    False) or the client's address is locked (the longer wait wins)."""
    keys = _keys(request, identifier)
    if not account:
        keys = keys[1:]
    locks = cache.get_many([f"{key}:until" for key, _code, _limit in keys])
    now = time.time()
    worst: tuple[int, str] | None = None
    for key, code, _limit in keys:
        until = locks.get(f"{key}:until")
        if until is not None and until > now:
            wait = math.ceil(until - now)
            if worst is None or wait > worst[0]:
                worst = (wait, code)
    if worst is not None:
        raise LockedOut(retry_after=worst[0], code=worst[1])


def _count(key: str, limit: int, conf: dict[str, int]) -> None:
    counter = f"{key}:failures"
    cache.add(counter, 0, timeout=conf["window"])
    try:
        failures = cache.incr(counter)
    except ValueError:  # expired between add and incr
        cache.set(counter, 1, timeout=conf["window"])
        failures = 1
    if failures >= limit:
        cache.set(f"{key}:until", time.time() + conf["lock"], timeout=conf["lock"])
        # A fresh count after the lock, whatever the cache's own clock says.
        cache.delete(counter)


def record_failure(request: HttpRequest, identifier: str) -> None:
    """Count one failed attempt against the account and the address; lock whichever
    reached its limit."""
    conf = _conf()
    for key, _code, limit in _keys(request, identifier):
        _count(key, limit, conf)


def check_and_count(request: HttpRequest, identifier: str) -> None:
    """For actions that spend the budget whatever their outcome (a password reset
    request): refuse when the address is locked, else count the attempt against it.
    A locked account may still ask for a reset: that is how its owner gets back in."""
    check(request, identifier, account=False)
    conf = _conf()
    _count(f"lockout:address:{_address_key(request)}", conf["address"], conf)


def clear_account(user_id: int) -> None:
    """Lift an account's lock and forget its failures (after a successful password reset)."""
    key = f"lockout:account:user:{user_id}"
    cache.delete_many([f"{key}:until", f"{key}:failures"])
