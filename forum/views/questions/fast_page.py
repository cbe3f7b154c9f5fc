"""The stored anonymous question page served on the event loop, not in Django's thread.

Under ASGI Django runs every synchronous view (and here every request: WhiteNoise and
our locale middleware are synchronous, so the whole middleware chain is adapted) in one
thread per process (asgiref's thread-sensitive executor). A page served from the cache
in a millisecond therefore waits in the same queue as every signed-in page and list
rendered in tens: under load its median stays low but its slowest requests wait for the
whole queue (P1 measured p99 at 40-50x p50). Those requests only touch Redis, so they
need no thread at all.

`fast_thread_pages(app)` wraps the HTTP application. A request that Django would answer
from `thread_cache.cached_page` (GET `/q/<id>/`, no query string, no htmx, no session
or flash-message cookie: an anonymous reader with nothing of their own to show) is
answered here with the same stored page, the same headers Django sent the last time it
rendered one in that language (recorded on the way out, so middleware added later is
followed), this reader's own CSRF token and cookie (by CsrfViewMiddleware's own code),
and the view counted as `services.record_view` does (its one UPDATE in a worker thread
with its own connection, closed at once). Anything else goes to Django untouched, but a
missing page is rendered for one request while the others wait for it (`served_once`,
single_flight.py), and a page about to expire, or whose thread rows are, is rendered
again (from rows read afresh) for one request while the others are still served it
(`thread_cache.page_due`); members' pages likewise (`member_pages`). Only with Redis
for both the cache and the live backlog (production).
"""

from __future__ import annotations

import asyncio
import base64
import io
import os
import pickle
import re
import time
import weakref
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass

import redis.asyncio as aioredis
from asgiref.sync import sync_to_async
from django.conf import settings
from django.contrib.auth import HASH_SESSION_KEY
from django.contrib.sessions.backends.cached_db import KEY_PREFIX as SESSION_KEY_PREFIX
from django.core.cache import cache
from django.core.cache.backends.redis import RedisCache
from django.core.handlers.asgi import ASGIRequest
from django.db import connection
from django.http import HttpResponse
from django.middleware.csrf import CsrfViewMiddleware, get_token
from django.utils import translation
from django.utils.crypto import constant_time_compare
from django.utils.module_loading import import_string

from forum.services.viewing import VIEW_DEDUP_SECONDS
from forum.views import cuts, member_frame, single_flight
from forum.views.questions import thread_cache, thread_snapshot
from live.backlog import KEY_PREFIX as LIVE_KEY_PREFIX
from live.conf import redis_url
from live.streams import user_stream

PATH = re.compile(r"^/q/(\d+)/$")
HEADERS_KEY = "thread-page-headers:{version}:{language}:{partials}"
MEMBER_HEADERS_KEY = "thread-member-headers:{version}:{language}"
# Headers Django computes per response: never replayed.
NOT_REPLAYED = {b"content-length", b"set-cookie"}
# The Content-Security-Policy headers name the response's nonce: recorded with a
# sentinel, replayed with a fresh nonce that the page's inline script carries too.
CSP_HEADERS = {b"content-security-policy", b"content-security-policy-report-only"}
NONCE_IN_HEADER = re.compile(rb"'nonce-[^']*'")
# Counted by the tests: how many pages were served here, and how many were members'.
served = 0
served_members = 0
# A request whose page is still missing after waiting for another's render looks this
# many times in all (the page may have been stored under a newer key), then renders it.
FLIGHT_ATTEMPTS = 3

_clients: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, aioredis.Redis] = (
    weakref.WeakKeyDictionary()
)

Scope = dict
Receive = Callable[[], Awaitable[dict]]
Send = Callable[[dict], Awaitable[None]]


def _cache_url() -> str:
    """The default cache's Redis, or '' when the cache is something else."""
    config = settings.CACHES["default"]
    if not issubclass(import_string(config["BACKEND"]), RedisCache):
        return ""
    location = config["LOCATION"]
    return location if isinstance(location, str) and "," not in location else ""


def enabled() -> bool:
    return bool(
        _cache_url()
        and redis_url()
        and thread_cache.thread_page_seconds() > 0
        and not settings.CSRF_USE_SESSIONS
    )


def _client() -> aioredis.Redis:
    loop = asyncio.get_running_loop()
    client = _clients.get(loop)
    if client is None:
        client = _clients[loop] = aioredis.Redis.from_url(_cache_url())
    return client


def _candidate(scope: Scope) -> int | None:
    """The question id when the request asks for a question page as the caches store it
    (a plain GET, no query string)."""
    if scope["type"] != "http" or scope["method"] != "GET" or scope.get("query_string"):
        return None
    match = PATH.match(scope["path"])
    return int(match.group(1)) if match else None


def reader(scope: Scope) -> str | None:
    """Who asks, as the stored pages see it: '' for an anonymous reader whose page shows
    nothing of theirs (no session or flash-message cookie), the session key of a
    member's plain request, or None when Django must answer (an htmx swap, a flash
    message, an empty or repeated session cookie)."""
    key = ""
    for name, value in scope.get("headers", ()):
        if name == b"hx-request":
            return None
        if name == b"cookie":
            for part in value.decode("latin-1").split(";"):
                cookie, _equals, cookie_value = part.strip().partition("=")
                if cookie == "messages":
                    return None
                if cookie == settings.SESSION_COOKIE_NAME:
                    if key or not cookie_value:
                        return None
                    key = cookie_value
    return key


@dataclass(frozen=True)
class Member:
    """A signed-in request the event loop may answer (`signed_in`)."""

    request: ASGIRequest
    slot: member_frame.Slot
    frame: dict
    framed: cuts.Cut  # its HTML, cut at its marks
    frame_key: str  # as stored (the cache's own key)
    values: list  # of the keys read with the session


async def signed_in(scope: Scope, session_key: str, nav: str, *also: str) -> Member | str:
    """The member's slot and frame (member_frame.py) for `nav`, and the values of the
    cache keys `also`, read with the session. Or, when Django must answer, the key of
    the member's frame when it is not stored, else '': the session is not in the cache
    or not a plain one (member_frame.session_member), or it was made with another
    password than the one the frame was rendered for (or `request_for` says so). Three
    Redis round trips."""
    request = request_for(scope)
    if request is None or not member_frame.SESSION_KEY_FORMAT.match(session_key):
        return ""
    asked, language_cookie = member_frame.request_language(request)
    client = _client()
    session, *values = await client.mget(cache.make_key(SESSION_KEY_PREFIX + session_key), *also)
    if session is None:
        return ""
    session = pickle.loads(session)  # noqa: S301 - our own cache
    member_id = member_frame.session_member(session)
    if member_id is None:
        return ""
    user_seq, version = await client.mget(
        f"{LIVE_KEY_PREFIX}:seq:{user_stream(member_id)}",
        cache.make_key(member_frame.version_key(member_id)),
    )
    slot = member_frame.Slot(
        member_id, asked, language_cookie, int(user_seq or 0), int(version or 0)
    )
    frame_key = cache.make_key(slot.frame_key(nav))
    stored = await client.get(frame_key)
    if stored is None:
        return frame_key
    frame, framed = member_frame.loaded(stored)
    if not constant_time_compare(session.get(HASH_SESSION_KEY) or "", frame["hash"]):
        return ""  # the password changed since: Django ends the session
    return Member(request, slot, frame, framed, frame_key, values)


MemberPage = Callable[[Member, dict], Awaitable[str | None]]


async def member_pages(
    app: Callable,
    scope: Scope,
    receive: Receive,
    send: Send,
    session_key: str,
    *,
    nav: str,
    also: tuple[str, ...],
    page: MemberPage,
    headers_key: Callable[[str], str],
    seconds: int,
    meanwhile: Callable[[dict], Awaitable[bool]] | None = None,
) -> None:
    """A member's plain request for a page: `page(member, mine)` sends it from what is
    stored (returning None) or returns the key of what it misses, which Django renders
    for one request at a time (`served_once`; the headers recorded under `headers_key`
    for `seconds`). A member's due frame (member_frame.due) is rendered likewise while
    their other requests get their page in the frame they had; `meanwhile(mine)` may
    send something else while a missing part renders."""
    if not member_frame.enabled():
        return await app(scope, receive, send)
    mine: dict = {}

    async def serve() -> str | None:
        found = await signed_in(scope, session_key, nav, *also)
        if isinstance(found, str):
            return found
        if member_frame.due(found.frame):
            mine["due"] = found
            return found.frame_key
        return await page(found, mine)

    async def meanwhile_() -> bool:
        due = mine.pop("due", None)
        if due is not None and await page(due, mine) is None:
            return True
        return meanwhile is not None and await meanwhile(mine)

    return await served_once(
        serve,
        lambda: app(scope, receive, recording(send, headers_key, seconds)),
        meanwhile=meanwhile_,
    )


def _headers_key(language: str) -> str:
    return HEADERS_KEY.format(
        version=thread_cache.KEY_VERSION,
        language=language,
        partials=thread_cache._PARTIALS,  # noqa: SLF001
    )


def _member_headers_key(language: str) -> str:
    return MEMBER_HEADERS_KEY.format(version=thread_cache.KEY_VERSION, language=language)


def _count_view(pk: int) -> None:
    """`services.record_view`'s UPDATE, in a worker thread with its own connection."""
    from django.db.models import F

    from forum.models import Question

    try:
        Question.objects.filter(pk=pk).update(view_count=F("view_count") + 1)
    finally:
        connection.close()


def request_for(scope: Scope) -> ASGIRequest | None:
    """The request as Django would see it, or None when Django must answer it (a host
    not allowed: 400; plain HTTP where SecurityMiddleware redirects)."""
    request = ASGIRequest(scope, io.BytesIO())
    try:
        request.get_host()  # ALLOWED_HOSTS, as Django checks it
    except Exception:  # noqa: BLE001 - Django answers it (400)
        return None
    if settings.SECURE_SSL_REDIRECT and not request.is_secure():
        return None  # SecurityMiddleware redirects it
    return request


async def _serve(
    scope: Scope, send: Send, pk: int, render_again: Callable[[], Awaitable[None]]
) -> str | None:
    """Send the stored page and return None; or, nothing sent, the page's cache key when
    it is missing ('' when Django must answer anyway). When the page is due
    (thread_cache.page_due), one request has Django `render_again` it (and answers with
    that) while the others are still sent the stored one."""
    request = request_for(scope)
    if request is None:
        return ""
    language = translation.get_language_from_request(request)
    with translation.override(language):
        language = translation.get_language()
        client = _client()
        live_since = await client.get(f"{LIVE_KEY_PREFIX}:seq:question.{pk}")
        key = thread_cache.page_key_for(pk, language, int(live_since or 0))
        key = cache.make_key(key)
        page, headers = await client.mget(key, cache.make_key(_headers_key(language)))
        if page is None or headers is None:
            return key
        content, built = cuts.kept(key, page, _stored_page)
        flight = await _ahead(client, key, built)
        if flight is None:
            viewer = f"view:{pk}:a{request.META.get('REMOTE_ADDR', '')}"
            # As services.record_view: once an hour per reader (anonymous: by address).
            if await client.set(cache.make_key(viewer), 1, nx=True, ex=VIEW_DEDUP_SECONDS):
                await sync_to_async(_count_view, thread_sensitive=False)(pk)
            await send_stored(send, request, content, headers)
    if flight is not None:
        return await flight.run(render_again)
    global served  # noqa: PLW0603
    served += 1
    return None


async def _ahead(client: aioredis.Redis, key: str, built: float) -> single_flight.Flight | None:
    """The right to have Django render the page stored under `key` (its rows read at
    `built`) again, for the first request that finds it due (thread_cache.page_due);
    None for the others, and while it is not due."""
    if not thread_cache.page_due(built):
        return None
    return await single_flight.lead(client, f"{key}:again")


def _stored_page(stored: bytes) -> tuple[cuts.Cut, float]:
    """An anonymous page as stored (thread_cache.store_page), cut, and when it was stored."""
    content, _author_id, *built = pickle.loads(stored)  # noqa: S301 - our own cache
    return cuts.Cut(content, cuts.PAGE), (built or [0.0])[0]


async def _member_page(
    send: Send, pk: int, member: Member, render_again: Callable[[], Awaitable[None]]
) -> str | None:
    """Send the member's question page (their frame around the body they share with the
    members who see the same, as Django last rendered it for them) and return None; or,
    nothing sent, the key of what is missing. As `_serve`, when the page is due (the
    thread's rows it shows, or the thread's newer rows, about to expire) one of the
    member's requests has Django `render_again` it while their others are served."""
    request, slot = member.request, member.slot
    live_since = int(member.values[0] or 0)
    language = member.frame["language"]
    client = _client()
    kept_key = cache.make_key(slot.thread_key(pk, live_since))
    headers_key = cache.make_key(_member_headers_key(language))
    kept, headers = await client.mget(kept_key, headers_key)
    if headers is None:
        return headers_key  # lapsed (every member's at once): one render records them
    if kept is None:
        return kept_key
    body_key, title, links, *shown = pickle.loads(kept)  # noqa: S301 - our own cache
    head_key = cache.make_key(thread_snapshot.head_key(pk, live_since))
    body, head = await client.mget(cache.make_key(body_key), head_key)
    if body is None or head is None:
        return kept_key
    stamp, built, views = pickle.loads(head)  # noqa: S301
    # `shown`: when the rows the kept body shows were read (kept before 7 December: not
    # kept, due at once). Its body expires a minute after that at the earliest.
    flight = await _ahead(client, kept_key, min(built, *shown) if shown else 0.0)
    if flight is not None:
        return await flight.run(render_again)
    # As services.record_view, then thread_snapshot.count_view: once an hour per member.
    viewer = cache.make_key(f"view:{pk}:u{slot.member_id}")
    if await client.set(viewer, 1, nx=True, ex=VIEW_DEDUP_SECONDS):
        await sync_to_async(_count_view, thread_sensitive=False)(pk)
        views += 1
        left = int(thread_snapshot.snapshot_seconds() - (time.time() - built))
        if left >= 1:
            await client.set(head_key, pickle.dumps((stamp, built, views)), ex=left)
    body = cuts.cut(cache.make_key(body_key), body, cuts.THREAD_BODY)
    with translation.override(language):
        values = member_frame.page_values(title, links, request.get_full_path(), body)
        values.update(thread_cache.view_count_values(views))
        await send_stored(send, request, member.framed, headers, values)
    global served_members  # noqa: PLW0603
    served_members += 1
    return None


async def served_once(
    serve: Callable[[], Awaitable[str | None]],
    render: Callable[[], Awaitable[None]],
    meanwhile: Callable[[], Awaitable[bool]] | None = None,
) -> None:
    """`serve()` the stored page; when it is missing, `render()` it in Django for one
    request per key at a time while the others wait and are then served it
    (single_flight.py), or, when `meanwhile()` sends them something else (an older copy),
    are served that at once. A page still missing after a wait (not storable) is
    rendered."""
    for _ in range(FLIGHT_ATTEMPTS):
        key = await serve()
        if key is None:
            return None
        if not key:
            break
        flight = await single_flight.lead(_client(), key)
        if flight is not None:
            return await flight.run(render)
        if meanwhile is not None and await meanwhile():
            return None
        await single_flight.wait(_client(), key)
    return await render()


async def send_stored(
    send: Send,
    request: ASGIRequest,
    page: cuts.Cut,
    headers: bytes,
    values: Mapping[str, bytes | cuts.Cut] | None = None,
) -> None:
    """Send a stored page (cut at its marks, with `values` for those not the response's
    own; its pickled headers) with this reader's own CSRF token and cookie
    (CsrfViewMiddleware's own code) and a fresh CSP nonce. Called in the page's language."""
    middleware = CsrfViewMiddleware(lambda r: HttpResponse())
    middleware.process_request(request)
    token = get_token(request)
    response = HttpResponse()
    middleware._set_csrf_cookie(request, response)  # noqa: SLF001 - Django's own cookie
    nonce = base64.b64encode(os.urandom(16))
    body = page.join({**(values or {}), "csrf": token.encode(), "nonce": b'nonce="' + nonce + b'"'})
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


def recording(send: Send, headers_key: Callable[[str], str], seconds: int) -> Send:
    """`send`, keeping the headers of a plain 200 page for the next readers, under
    `headers_key(language)` for `seconds`."""

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
                    cache.make_key(headers_key(language.decode())),
                    pickle.dumps(kept),
                    ex=seconds,
                )
        await send(message)

    return recording_send


def fast_thread_pages(app: Callable) -> Callable:
    """Wrap the HTTP application (config/asgi.py)."""

    async def application(scope: Scope, receive: Receive, send: Send) -> None:
        pk = _candidate(scope) if enabled() else None
        if pk is None:
            return await app(scope, receive, send)
        session_key = reader(scope)
        if session_key is None:
            return await app(scope, receive, send)
        seconds = thread_cache.thread_page_seconds()

        def again(headers_key: Callable[[str], str]) -> Awaitable[None]:
            # Django renders the page again ahead of its expiry (thread_cache.RENDER_AGAIN).
            scope_again = {**scope, thread_cache.RENDER_AGAIN: True}
            return app(scope_again, receive, recording(send, headers_key, seconds))

        if session_key:
            return await member_pages(
                app,
                scope,
                receive,
                send,
                session_key,
                nav="questions",
                also=(f"{LIVE_KEY_PREFIX}:seq:question.{pk}",),
                page=lambda member, _mine: _member_page(
                    send, pk, member, lambda: again(_member_headers_key)
                ),
                headers_key=_member_headers_key,
                seconds=seconds,
            )
        return await served_once(
            lambda: _serve(scope, send, pk, lambda: again(_headers_key)),
            lambda: app(scope, receive, recording(send, _headers_key, seconds)),
        )

    return application


async def close_client() -> None:
    """Close the running loop's client (tests call this before their loop goes away)."""
    client = _clients.pop(asyncio.get_running_loop(), None)
    if client is not None:
        await client.aclose()
