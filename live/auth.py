"""Who is on the other end of a socket, and whether the page that opened it is ours.

- `RequireOrigin`: refuses a handshake without an Origin header. Browsers always send
  one on WebSocket handshakes, so a missing Origin means a non-browser client, which
  must still say which site it talks to. `AllowedHostsOriginValidator` alone lets a
  missing Origin through when ALLOWED_HOSTS contains "*"; this does not.
- `TokenOrSessionAuthMiddleware`: `Authorization: Token <key>` header or `?token=<key>`
  (DRF's authtoken keys, for apps and scripts), else the session cookie (the site's
  pages). A token that is presented but unknown, or belongs to a disabled member, is
  refused at the handshake rather than silently treated as anonymous. Prefer the header:
  a query string can end up in proxy logs.
"""

from __future__ import annotations

from urllib.parse import parse_qs

from channels.auth import AuthMiddleware
from channels.db import database_sync_to_async
from channels.security.websocket import WebsocketDenier
from channels.sessions import CookieMiddleware, SessionMiddleware


def _header(scope: dict, name: bytes) -> bytes | None:
    for key, value in scope.get("headers", []):
        if key.lower() == name:
            return value
    return None


class RequireOrigin:
    def __init__(self, app) -> None:  # noqa: ANN001 - an ASGI application
        self.app = app

    async def __call__(self, scope, receive, send):  # noqa: ANN001, ANN204
        if scope["type"] == "websocket" and not _header(scope, b"origin"):
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
            return await self.session_app(scope, receive, send)
        user = await user_for_token(key)
        if user is None:
            return await WebsocketDenier()(scope, receive, send)
        return await self.app(dict(scope, user=user), receive, send)
