"""The stored anonymous list pages served on the event loop, not in Django's thread.

As fast_page.py does for the question page (read its docstring for why): a request
Django would answer from `list_cache.cached_page` (GET `/`, `/tags/<slug>/` or
`/categories/<slug>/`, with no query string or only a tab and a page number, no htmx,
no session or flash-message cookie) is answered here with the same stored page, the
headers Django sent the last time it rendered a list in that language, and this reader's
own CSRF token and cookie. The key is read as list_cache.page_key makes it: the `feed`
stream's last event id and the lists' version (two Redis GETs), then the page. Anything
else, and any miss, goes to Django untouched. Only with Redis for both the cache and the
live backlog (production).
"""

from __future__ import annotations

import base64
import io
import os
import pickle
import re
from collections.abc import Callable

from django.conf import settings
from django.core.cache import cache
from django.core.handlers.asgi import ASGIRequest
from django.http import HttpResponse
from django.middleware.csrf import CsrfViewMiddleware, get_token
from django.utils import translation

from forum.views import list_cache
from forum.views.lists import TABS_BY_KEY
from forum.views.questions import thread_cache
from forum.views.questions.fast_page import (
    CSP_HEADERS,
    NONCE_IN_HEADER,
    NOT_REPLAYED,
    Receive,
    Scope,
    Send,
    _cache_url,
    _client,
)
from live.backlog import KEY_PREFIX as LIVE_KEY_PREFIX
from live.conf import redis_url

PATH = re.compile(r"^/(?:(?:tags|categories)/[^/]+/)?$")
HEADERS_KEY = "list-page-headers:{version}:{language}"
# Counted by the tests: how many pages were served here.
served = 0


def enabled() -> bool:
    return bool(
        _cache_url()
        and redis_url()
        and list_cache.list_page_seconds() > 0
        and not settings.CSRF_USE_SESSIONS
    )


def _candidate(scope: Scope) -> bool:
    """True when the request is one the list page cache would serve."""
    if scope["type"] != "http" or scope["method"] != "GET" or not PATH.match(scope["path"]):
        return False
    query = scope.get("query_string", b"").decode("latin-1")
    if not list_cache.shareable_query(query, TABS_BY_KEY):
        return False
    for name, value in scope.get("headers", ()):
        if name == b"hx-request":
            return False
        if name == b"cookie":
            for part in value.decode("latin-1").split(";"):
                cookie = part.strip().partition("=")[0]
                if cookie in (settings.SESSION_COOKIE_NAME, "messages"):
                    return False
    return True


def _headers_key(language: str) -> str:
    return HEADERS_KEY.format(version=list_cache.KEY_VERSION, language=language)


async def _serve(scope: Scope, send: Send) -> bool:
    """Send the stored page; False (nothing sent) when Django must answer."""
    request = ASGIRequest(scope, io.BytesIO())
    try:
        request.get_host()  # ALLOWED_HOSTS, as Django checks it
    except Exception:  # noqa: BLE001 - Django answers it (400)
        return False
    if settings.SECURE_SSL_REDIRECT and not request.is_secure():
        return False  # SecurityMiddleware redirects it
    language = translation.get_language_from_request(request)
    with translation.override(language):
        language = translation.get_language()
        client = _client()
        feed_id, version = await client.mget(
            f"{LIVE_KEY_PREFIX}:seq:feed", cache.make_key(list_cache.LIST_VERSION_KEY)
        )
        key = list_cache.page_key_for(
            request.path,
            request.META.get("QUERY_STRING", ""),
            language,
            int(feed_id or 0),
            int(version or 0),
        )
        page, headers = await client.mget(
            cache.make_key(key), cache.make_key(_headers_key(language))
        )
        if page is None or headers is None:
            return False
        content = pickle.loads(page)  # noqa: S301 - our own cache
        middleware = CsrfViewMiddleware(lambda r: HttpResponse())
        middleware.process_request(request)
        token = get_token(request)
        response = HttpResponse()
        middleware._set_csrf_cookie(request, response)  # noqa: SLF001 - Django's own cookie
    nonce = base64.b64encode(os.urandom(16))
    body = content.replace(thread_cache.CSRF_SENTINEL.encode(), token.encode()).replace(
        f'nonce="{thread_cache.NONCE_SENTINEL}"'.encode(), b'nonce="' + nonce + b'"'
    )
    sentinel = f"'nonce-{thread_cache.NONCE_SENTINEL}'".encode()
    response_headers = [
        *(
            (name, value.replace(sentinel, b"'nonce-" + nonce + b"'"))
            for name, value in pickle.loads(headers)  # noqa: S301
        ),
        (b"Content-Length", str(len(body)).encode()),
        *(
            (b"Set-Cookie", morsel.output(header="").strip().encode("latin-1"))
            for morsel in response.cookies.values()
        ),
    ]
    await send({"type": "http.response.start", "status": 200, "headers": response_headers})
    await send({"type": "http.response.body", "body": body})
    global served  # noqa: PLW0603
    served += 1
    return True


def _recording(send: Send) -> Send:
    """`send`, keeping the headers of a plain 200 page for the next readers."""

    async def recording_send(message: dict) -> None:
        if message["type"] == "http.response.start" and message["status"] == 200:
            headers = message.get("headers", [])
            cookies = [v for n, v in headers if n.lower() == b"set-cookie"]
            csrf_only = all(v.startswith(f"{settings.CSRF_COOKIE_NAME}=".encode()) for v in cookies)
            language = {n.lower(): v for n, v in headers}.get(b"content-language")
            if csrf_only and language:
                sentinel = f"'nonce-{thread_cache.NONCE_SENTINEL}'".encode()
                kept = [
                    (n, NONCE_IN_HEADER.sub(sentinel, v) if n.lower() in CSP_HEADERS else v)
                    for n, v in headers
                    if n.lower() not in NOT_REPLAYED
                ]
                await _client().set(
                    cache.make_key(_headers_key(language.decode())),
                    pickle.dumps(kept),
                    ex=list_cache.list_page_seconds(),
                )
        await send(message)

    return recording_send


def fast_list_pages(app: Callable) -> Callable:
    """Wrap the HTTP application (config/asgi.py)."""

    async def application(scope: Scope, receive: Receive, send: Send) -> None:
        if not (enabled() and _candidate(scope)):
            return await app(scope, receive, send)
        if await _serve(scope, send):
            return None
        return await app(scope, receive, _recording(send))

    return application
