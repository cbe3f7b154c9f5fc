"""The stored anonymous list pages served on the event loop, not in Django's thread.

As fast_page.py does for the question page (read its docstring for why): a request
Django would answer from `list_cache.cached_page` (GET `/`, `/tags/<slug>/` or
`/categories/<slug>/`, with no query string or only a tab and a page number, no htmx,
no session or flash-message cookie) is answered here with the same stored page, the
headers Django sent the last time it rendered a list in that language, and this reader's
own CSRF token and cookie. The key is read as list_cache.page_key makes it: the `feed`
stream's last event id and the lists' version (two Redis GETs), then the page. A missing
page is rendered by Django for one request (single_flight.py); the others meanwhile get
the last page rendered for that list (`list_cache.last_page_key`: every 30 s, and on every
change, one render used to hold every reader of the list for 0.1 to 0.4 s), or, when there
is none, wait for the render.
A signed-in member's plain request (a session cookie, no flash message, no htmx) is
answered here too when everything it needs is stored: the session as the cache holds it
(`cached_db`, checked as Django's authentication checks it: a plain session, a known
backend, the hash of the member's password it was made with), the member's frame
(member_frame.py: their header and footer) and the body every member who sees this list
shares, with its title and head links (fast_page.member_pages: four Redis round trips).
Anything missing is rendered by Django for one request at a time; meanwhile the others
get the last body stored for the list in their frame. Anything else in the session, and
Django answers.
Anything else goes to Django untouched. Only with Redis for both the cache and the
live backlog (production).
"""

from __future__ import annotations

import pickle
import re
from collections.abc import Callable

from django.conf import settings
from django.core.cache import cache
from django.core.handlers.asgi import ASGIRequest
from django.utils import translation

from forum.views import cuts, list_cache, member_frame
from forum.views.lists import TABS_BY_KEY
from forum.views.questions.fast_page import (
    Member,
    Receive,
    Scope,
    Send,
    _cache_url,
    _client,
    member_pages,
    reader,
    recording,
    request_for,
    send_stored,
    served_once,
)
from live.backlog import KEY_PREFIX as LIVE_KEY_PREFIX
from live.conf import redis_url

PATH = re.compile(r"^/(?:(?:tags|categories)/[^/]+/)?$")
HEADERS_KEY = "list-page-headers:{version}:{language}"
MEMBER_HEADERS_KEY = "list-member-headers:{version}:{language}"
# Counted by the tests: how many pages were served here, how many of them were the last
# page rendered for their list, sent while another request rendered its successor, and
# how many were members' pages.
served = 0
served_last = 0
served_members = 0


def enabled() -> bool:
    return bool(
        _cache_url()
        and redis_url()
        and list_cache.list_page_seconds() > 0
        and not settings.CSRF_USE_SESSIONS
    )


def _candidate(scope: Scope) -> bool:
    """True when the request asks for a list page as the list caches store it."""
    if scope["type"] != "http" or scope["method"] != "GET" or not PATH.match(scope["path"]):
        return False
    query = scope.get("query_string", b"").decode("latin-1")
    return list_cache.shareable_query(query, TABS_BY_KEY)


def _headers_key(language: str) -> str:
    return HEADERS_KEY.format(version=list_cache.KEY_VERSION, language=language)


def _member_headers_key(language: str) -> str:
    return MEMBER_HEADERS_KEY.format(version=list_cache.KEY_VERSION, language=language)


def _page_key(
    request: ASGIRequest, language: str, feed_id: bytes | None, version: bytes | None
) -> str:
    """list_cache.page_key_for the request, with the feed's last event id and the lists'
    version as Redis gave them."""
    return list_cache.page_key_for(
        request.path,
        request.META.get("QUERY_STRING", ""),
        language,
        int(feed_id or 0),
        int(version or 0),
    )


async def _serve(scope: Scope, send: Send, last: dict) -> str | None:
    """Send the stored page and return None; or, nothing sent, the page's cache key when
    it is missing ('' when Django must answer anyway), keeping in `last` what
    `_serve_last` needs to send the last page rendered for this list instead."""
    request = request_for(scope)
    if request is None:
        return ""
    language = translation.get_language_from_request(request)
    with translation.override(language):
        language = translation.get_language()
        client = _client()
        feed_id, version = await client.mget(
            f"{LIVE_KEY_PREFIX}:seq:feed", cache.make_key(list_cache.LIST_VERSION_KEY)
        )
        key = _page_key(request, language, feed_id, version)
        last_key = cache.make_key(list_cache.last_page_key(key))
        key = cache.make_key(key)
        page, headers, last_page = await client.mget(
            key, cache.make_key(_headers_key(language)), last_key
        )
        if page is None or headers is None:
            last.update(
                request=request, language=language, key=last_key, page=last_page, headers=headers
            )
            return key
        await send_stored(send, request, cuts.cut(key, page, cuts.PAGE), headers)
    global served  # noqa: PLW0603
    served += 1
    return None


async def _serve_last(send: Send, last: dict) -> bool:
    """Send the last page rendered for this list (kept by `_serve`), if there is one."""
    if last.get("page") is None or last.get("headers") is None:
        return False
    page = cuts.cut(last["key"], last["page"], cuts.PAGE)
    with translation.override(last["language"]):
        await send_stored(send, last["request"], page, last["headers"])
    global served_last  # noqa: PLW0603
    served_last += 1
    return True


def _following(path: str, frame: dict) -> bool:
    """Whether the frame's member follows the tag or category whose page `path` is."""
    section, _slash, slug = path.strip("/").partition("/")
    return slug in frame.get(section, ())


async def _member_page(send: Send, member: Member, mine: dict) -> str | None:
    """Send the member's page (their frame around the shared body) and return None; or,
    nothing sent, the key of what is missing, keeping in `mine` what `_serve_member_last`
    needs to send the last body stored for this list instead."""
    request, frame = member.request, member.frame
    feed_id, version = member.values
    language = frame["language"]
    body_key = list_cache.body_key_for(
        _page_key(request, language, feed_id, version),
        moderator=False,
        following=_following(request.path_info, frame),
    )
    headers_key = cache.make_key(_member_headers_key(language))
    head_key = cache.make_key(member_frame.head_key(body_key))
    last_key = cache.make_key(member_frame.last_body_key(body_key))
    body_key = cache.make_key(body_key)
    body, head, headers, last_body = await _client().mget(body_key, head_key, headers_key, last_key)
    if headers is None:
        return headers_key  # lapsed (every member's at once): one render records them
    if body is None or head is None:
        mine.update(member=member, headers=headers, key=last_key, body=last_body)
        return body_key
    title, links = pickle.loads(head)  # noqa: S301
    shared = (cuts.cut(body_key, body, cuts.PAGE), title, links)
    await _send_member_page(send, member, headers, shared)
    global served_members  # noqa: PLW0603
    served_members += 1
    return None


async def _send_member_page(send: Send, member: Member, headers: bytes, shared: tuple) -> None:
    body, title, links = shared
    request = member.request
    values = member_frame.page_values(title, links, request.get_full_path(), body)
    with translation.override(member.frame["language"]):
        await send_stored(send, request, member.framed, headers, values)


async def _serve_member_last(send: Send, mine: dict) -> bool:
    """The last body stored for this list in the member's frame, while its due body
    renders (kept in `mine` by `_member_page`)."""
    if mine.get("body") is None:
        return False
    shared = cuts.kept(mine["key"], mine["body"], _last_shared)
    await _send_member_page(send, mine["member"], mine["headers"], shared)
    global served_last  # noqa: PLW0603
    served_last += 1
    return True


def _last_shared(stored: bytes) -> tuple[cuts.Cut, str, str]:
    """The last body stored for a list, cut, with its title and head links."""
    body, title, links = pickle.loads(stored)  # noqa: S301 - our own cache
    return cuts.Cut(body, cuts.PAGE), title, links


def fast_list_pages(app: Callable) -> Callable:
    """Wrap the HTTP application (config/asgi.py)."""

    async def application(scope: Scope, receive: Receive, send: Send) -> None:
        if not (enabled() and _candidate(scope)):
            return await app(scope, receive, send)
        session_key = reader(scope)
        if session_key is None:
            return await app(scope, receive, send)
        if session_key:
            return await member_pages(
                app,
                scope,
                receive,
                send,
                session_key,
                nav="tags" if scope["path"].startswith("/tags/") else "questions",
                also=(f"{LIVE_KEY_PREFIX}:seq:feed", cache.make_key(list_cache.LIST_VERSION_KEY)),
                page=lambda member, mine: _member_page(send, member, mine),
                headers_key=_member_headers_key,
                seconds=list_cache.LAST_PAGE_SECONDS,
                meanwhile=lambda mine: _serve_member_last(send, mine),
            )
        last: dict = {}
        return await served_once(
            lambda: _serve(scope, send, last),
            # The headers are kept as long as the last page they are sent with: kept only
            # as long as the page, they expired with it, and every reader of an expired
            # list waited for its render.
            lambda: app(
                scope, receive, recording(send, _headers_key, list_cache.LAST_PAGE_SECONDS)
            ),
            meanwhile=lambda: _serve_last(send, last),
        )

    return application
