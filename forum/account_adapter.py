"""allauth's adapter, wired to the shared failed-login lockout (forum.lockout).

allauth's own `login_failed` rate limit is switched off in the settings: one lockout,
shared with the API's token endpoint, replaces it.
"""

from __future__ import annotations

from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from django.http import HttpRequest

from forum import lockout


def _identifier(credentials: dict[str, Any]) -> str:
    return str(credentials.get("email") or credentials.get("username") or "")


class AccountAdapter(DefaultAccountAdapter):
    def pre_authenticate(self, request: HttpRequest, **credentials: Any) -> None:
        """Raises forum.lockout.LockedOut (a 429 page, forum.middleware) when locked."""
        lockout.check(request, _identifier(credentials))
        super().pre_authenticate(request, **credentials)

    def authentication_failed(self, request: HttpRequest, **credentials: Any) -> None:
        lockout.record_failure(request, _identifier(credentials))
        super().authentication_failed(request, **credentials)

    def _delete_login_attempts_cached_email(self, request: HttpRequest, **credentials: Any) -> None:
        # Called by allauth for each address of a member who just reset the password.
        super()._delete_login_attempts_cached_email(request, **credentials)
        key = lockout.account_key(_identifier(credentials))
        if key.startswith("user:"):
            lockout.clear_account(int(key.removeprefix("user:")))
