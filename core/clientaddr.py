"""The client's address, believing `X-Forwarded-For` only as far as our own proxies.

`CIRCOLO_TRUSTED_PROXIES` says how many proxies we run in front of the application (0,
the default: none, use the connection's address, `REMOTE_ADDR`). With N proxies, each
appends the address it saw to `X-Forwarded-For`, so the client is the N-th entry from
the right; anything further left was written by the client and is ignored. DRF's
`NUM_PROXIES` and allauth's `ALLAUTH_TRUSTED_PROXY_COUNT` are set from the same setting
(config/settings/base.py), so the throttles, the login lockout and the socket limits all
see one address.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest


def _from_forwarded_for(header: str, remote_addr: str) -> str:
    proxies = int(getattr(settings, "CIRCOLO_TRUSTED_PROXIES", 0))
    if proxies <= 0 or not header:
        return remote_addr
    entries = [entry.strip() for entry in header.split(",") if entry.strip()]
    if not entries:
        return remote_addr
    return entries[-min(proxies, len(entries))]


def client_address(request: HttpRequest) -> str:
    """The address of the client of an HTTP request ("" when unknown)."""
    return _from_forwarded_for(
        request.META.get("HTTP_X_FORWARDED_FOR", ""), request.META.get("REMOTE_ADDR") or ""
    )


def scope_address(scope: dict) -> str:
    """The address of the client of an ASGI (socket) connection ("" when unknown)."""
    client = scope.get("client") or ("",)
    header = b""
    for name, value in scope.get("headers", ()):
        if name == b"x-forwarded-for":
            header = value
            break
    return _from_forwarded_for(header.decode("latin-1"), str(client[0] or ""))
