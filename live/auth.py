"""Who is on the other end of a socket, and whether the page that opened it is ours.

- `RequireOrigin`: refuses a handshake whose Origin header is missing, or is not the
  site's own origin (scheme, host and port, compared as Django's CSRF check compares
  them: `http(s)://<Host header>`, https when the request is secure) nor one of
  `CSRF_TRUSTED_ORIGINS`; the Host must also be one of ALLOWED_HOSTS. Browsers always
  send an Origin on WebSocket handshakes, so a missing one means a non-browser client,
  which must still say which site it talks to. (Channels' `AllowedHostsOriginValidator`
  compared the host only: `http://127.0.0.1:9999` and `https://localhost` passed for a
  site on `http://127.0.0.1:8000`.)
- `TokenOrSessionAuthMiddleware`: `Authorization: Token <key>` header or `?token=<key>`
  (DRF's authtoken keys, for apps and scripts), else the session cookie (the site's
  pages). A token that is presented but unknown, or belongs to a disabled member, is
  refused at the handshake rather than silently treated as anonymous. Prefer the header:
  a query string can end up in proxy logs. A handshake with neither a token nor a
  session cookie is anonymous at once: channels' session and auth middleware would take
  it through the database thread only to find no session key (a reconnect storm of
  signed-out readers queued there, bench/p4_storm.py).
"""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

from channels.auth import AuthMiddleware
from channels.db import database_sync_to_async
from channels.security.websocket import WebsocketDenier
from channels.sessions import CookieMiddleware, SessionMiddleware
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.http import parse_cookie
from django.http.request import split_domain_port, validate_host


def _header(scope: dict, name: bytes) -> bytes | None:
    for key, value in scope.get("headers", []):
        if key.lower() == name:
            return value
    return None


_DEFAULT_PORTS = {"http": 80, "https": 443}


def _origin(url: str) -> tuple[str, str, int] | None:
    """(scheme, host, port) of an origin or URL, default ports filled in; None if invalid."""
    try:
        parsed = urlsplit(url.strip())
        scheme = parsed.scheme.lower()
        if scheme not in _DEFAULT_PORTS or not parsed.hostname:
            return None
        return scheme, parsed.hostname.lower(), parsed.port or _DEFAULT_PORTS[scheme]
    except ValueError:  # a port that is not a number, or out of range
        return None


def _is_secure(scope: dict) -> bool:
    if scope.get("scheme") in ("wss", "https"):
        return True
    proxy_header = getattr(settings, "SECURE_PROXY_SSL_HEADER", None)
    if proxy_header:
        name, value = proxy_header
        header = name.removeprefix("HTTP_").replace("_", "-").lower().encode()
        seen = _header(scope, header)
        return seen is not None and seen.decode("latin1").split(",")[0].strip() == value
    return False


def _trusted(candidate: tuple[str, str, int], trusted: str) -> bool:
    """Is `candidate` the origin `trusted` (a CSRF_TRUSTED_ORIGINS entry, which may start
    its host with `*.` for any subdomain)?"""
    wildcard = "://*." in trusted
    allowed = _origin(trusted.replace("://*.", "://", 1) if wildcard else trusted)
    if allowed is None:
        return False
    scheme, host, port = allowed
    if candidate[0] != scheme or candidate[2] != port:
        return False
    return candidate[1] == host or (wildcard and candidate[1].endswith("." + host))


def origin_allowed(scope: dict) -> bool:
    """Does the handshake's Origin name this site (scheme, host and port)?"""
    origin, host = _header(scope, b"origin"), _header(scope, b"host")
    if not origin or not host:
        return False
    candidate = _origin(origin.decode("latin1"))
    if candidate is None:
        return False
    host_text = host.decode("latin1")
    domain, _port = split_domain_port(host_text)
    if not domain or not validate_host(domain, settings.ALLOWED_HOSTS):
        return False
    scheme = "https" if _is_secure(scope) else "http"
    if candidate == _origin(f"{scheme}://{host_text}"):
        return True
    return any(_trusted(candidate, trusted) for trusted in settings.CSRF_TRUSTED_ORIGINS)


class RequireOrigin:
    def __init__(self, app) -> None:  # noqa: ANN001 - an ASGI application
        self.app = app

    async def __call__(self, scope, receive, send):  # noqa: ANN001, ANN204
        if scope["type"] == "websocket" and not origin_allowed(scope):
            return await WebsocketDenier()(scope, receive, send)
        return await self.app(scope, receive, send)


def token_from_scope(scope: dict) -> str | None:
    """The token key the client presented, or None when it presented none."""
    header = _header(scope, b"authorization")
    if header is not None:
        scheme, _space, key = header.decode("latin1").strip().partition(" ")
        return key.strip() if scheme.lower() == "token" else ""
    values = parse_qs(scope.get("query_string", b"").decode("latin1")).get("token")
    return values[0] if values else None


def _has_session_cookie(scope: dict) -> bool:
    cookies = _header(scope, b"cookie")
    return cookies is not None and bool(
        parse_cookie(cookies.decode("latin1")).get(settings.SESSION_COOKIE_NAME)
    )


@database_sync_to_async
def user_for_token(key: str):  # noqa: ANN201 - a User or None
    from rest_framework.authtoken.models import Token

    if not key or len(key) > 40:
        return None
    token = Token.objects.select_related("user").filter(key=key).first()
    if token is None or not token.user.is_active:
        return None
    return token.user


class TokenOrSessionAuthMiddleware:
    """Sets scope["user"]: the token's member, else the session's member or anonymous."""

    def __init__(self, app) -> None:  # noqa: ANN001 - an ASGI application
        self.app = app
        self.session_app = CookieMiddleware(SessionMiddleware(AuthMiddleware(app)))

    async def __call__(self, scope, receive, send):  # noqa: ANN001, ANN204
        key = token_from_scope(scope)
        if key is None:
            if _has_session_cookie(scope):
                return await self.session_app(scope, receive, send)
            return await self.app(dict(scope, user=AnonymousUser()), receive, send)
        user = await user_for_token(key)
        if user is None:
            return await WebsocketDenier()(scope, receive, send)
        return await self.app(dict(scope, user=user), receive, send)
