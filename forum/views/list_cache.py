"""Caches of the question lists (P1b in QUALITY.md): `/`, tabs, tags and categories.

A list page spent most of its time in the template, not the database: twenty rows of
`_question_row.html` (each with its tags' queryset rebuilt by taggit although
prefetched, a dozen `{% url %}`s and `{% translate %}`s, an excerpt cut from the HTML
body) and a sidebar whose two aggregates read every question. Two caches, both in the
default cache (Redis in production, shared by every server process):

- **Each row's HTML**, keyed by a digest of everything the row shows: the question's,
  its author's and its category's column values, its tags, the language and the
  partials' source. A row shows nothing per viewer, so every reader shares it; anything
  that changes it changes the key, so nothing is invalidated. Entries expire after
  ANSWER_HTML_SECONDS, which bounds the "asked 5 minutes ago" wording (and ranks renamed
  in the admin). All rows of a page are read with one `get_many`.
- **The sidebar** (categories with their counts, popular tags), keyed by the `feed`
  stream's last live event id (read by the page already) and whether the viewer sees
  the private categories: asking, retagging, moving, deleting and hiding questions all
  publish on `feed`, so a change that moves a count moves the key. It also expires after
  LIST_SIDEBAR_SECONDS, which bounds what is not published there (the lounge's own
  questions, published on `lounge`). A due sidebar is recomputed by one request while
  the others are served the previous one (`shared`), never by all of them at once.
- **The number of questions a list counts** (the paginator's `COUNT(*)`, 120-430 ms of a
  list's time at 100k questions), keyed like the sidebar by the `feed` stream's last
  event id and by the count query itself (its SQL and parameters: the tab, tag, category
  and what this viewer may see), with the same expiry. What changes a count without
  publishing on `feed` (an answer to an unanswered question, a lounge question) shows
  within LIST_SIDEBAR_SECONDS; pages past the end still give the last real page.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Iterable

from django.conf import settings
from django.contrib.messages import get_messages
from django.core.cache import cache
from django.core.paginator import Page, Paginator
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.utils.functional import cached_property
from django.utils.translation import get_language

from core import roles
from core.cache import bump_counter
from forum.models import Question, User
from forum.views.questions.thread_cache import (
    CSRF_SENTINEL,
    NONCE_SENTINEL,
    TEMPLATES_DIGEST,
    _row,
    answer_html_seconds,
    templates_digest,
)

KEY_VERSION = "2"
# A due sidebar or count is recomputed by one request while the others serve the previous
# value (`shared`): the lock lapses after this, should that request die; an entry is kept
# this many times its freshness so that there is a previous value to serve.
REFRESH_LOCK_SECONDS = 30
STALE_FACTOR = 10
# How often a request waiting for a value another request computes looks for it, at most.
COLD_WAIT_PAUSE_SECONDS = 0.05
ROW_PARTIALS = ("_question_row.html", "_user.html", "_avatar.html")


_PARTIALS = templates_digest(ROW_PARTIALS)


def sidebar_seconds() -> int:
    return int(getattr(settings, "CIRCOLO_LIST_SIDEBAR_SECONDS", 60))


def row_key(question: Question) -> str:
    """A digest of everything `_question_row.html` shows for `question`, as a cache key
    (tags prefetched, author and category selected, as `selectors.question_list` does)."""
    material = (
        _row(question),
        _row(question.author),
        _row(question.category),
        tuple((tag.name, tag.slug) for tag in question.tags.all()),
        get_language(),
        settings.FORCE_SCRIPT_NAME,
    )
    digest = hashlib.blake2b(repr(material).encode(), digest_size=16).hexdigest()
    return f"question-row:{KEY_VERSION}:{_PARTIALS}:{question.pk}:{digest}"


def row_fragments(questions: Iterable[Question]) -> dict[int, tuple[str, str | None]]:
    """{question id: (key, stored HTML or None)} for a page's rows, in one cache read."""
    if answer_html_seconds() <= 0:
        return {}
    keys = {question.pk: row_key(question) for question in questions}
    found = cache.get_many(list(keys.values()))
    return {pk: (key, found.get(key)) for pk, key in keys.items()}


def store_row(key: str, html: str) -> None:
    cache.set(key, html, answer_html_seconds())


def shared(key: str, live_since: int, compute: Callable[[], object]) -> object:
    """`compute()`, shared by every process and reused while the feed has not published
    since (`live_since`) and for at most `sidebar_seconds()`.

    When it is due (the feed moved on, or it is older than that), exactly one request
    recomputes it (whoever first takes a short lock in the cache) while every other
    request keeps being served the previous value: under load a due sidebar (2 s of
    aggregates over every question on a busy box) was otherwise computed by all the
    requests at once, one after the other in each process's view thread, and the list
    stalled for tens of seconds. A value never computed (or evicted) is computed by one
    request too, while the others wait for it (`_wait_for`)."""
    seconds = sidebar_seconds()
    if seconds <= 0:
        return compute()
    entry = cache.get(key)
    if entry is not None:
        value, since, stored_at = entry
        due = since != live_since or time.time() - stored_at >= seconds
        lock = f"{key}:refreshing:{live_since}:{stored_at}"
        if not due or not cache.add(lock, 1, REFRESH_LOCK_SECONDS):
            return value
        return _store(key, live_since, compute)
    # Never computed (or evicted): one request computes it while the others wait for its
    # value. Django runs each request's view in its own thread, so under load every
    # request of a cold list used to run the aggregates at once (32 connections: 32
    # COUNT(*)s and sidebars over 100k questions on 2 cores, 0 pages served in 10 s).
    lock = f"{key}:computing"
    if not cache.add(lock, 1, REFRESH_LOCK_SECONDS):
        entry = _wait_for(key, time.monotonic() + REFRESH_LOCK_SECONDS)
        if entry is not None:
            return entry[0]
        return _store(key, live_since, compute)  # that request died: compute it here
    try:
        return _store(key, live_since, compute)
    finally:
        cache.delete(lock)


def _store(key: str, live_since: int, compute: Callable[[], object]) -> object:
    value = compute()
    cache.set(key, (value, live_since, time.time()), sidebar_seconds() * STALE_FACTOR)
    return value


def _wait_for(key: str, deadline: float) -> tuple | None:
    """The entry another request is computing, once stored; None when it did not come
    before `deadline` or that request gave up (its lock is gone and nothing stored)."""
    lock = f"{key}:computing"
    pause = 0.005
    while time.monotonic() < deadline:
        entry = cache.get(key)
        if entry is not None or cache.get(lock) is None:
            return entry if entry is not None else cache.get(key)
        time.sleep(pause)  # another process's request: only the cache can tell us
        pause = min(pause * 2, COLD_WAIT_PAUSE_SECONDS)
    return None


def sidebar(user: User, live_since: int, read: Callable[[User], dict]) -> dict:
    """`read(user)` (the sidebar's context), shared by every viewer who sees the same
    categories (`shared`: until the feed publishes, refreshed by one request at a time)."""
    variant = "moderator" if roles.is_moderator(user) else "public"
    return shared(f"list-sidebar:{KEY_VERSION}:{variant}", live_since, lambda: read(user))


class _CountCachedPaginator(Paginator):
    def __init__(self, object_list: QuerySet, per_page: int, live_since: int) -> None:
        super().__init__(object_list, per_page)
        self.live_since = live_since

    @cached_property
    def count(self) -> int:
        if sidebar_seconds() <= 0:
            return super().count
        sql, params = self.object_list.query.sql_with_params()
        digest = hashlib.blake2b(repr((sql, params)).encode(), digest_size=16).hexdigest()
        return shared(
            f"list-count:{KEY_VERSION}:{digest}",
            self.live_since,
            lambda: super(_CountCachedPaginator, self).count,
        )


def paginate(request: HttpRequest, questions: QuerySet, per_page: int, live_since: int) -> Page:
    """The requested page of a question list (a missing, malformed or out-of-range number
    gives a real page), its total counted once per change of the feed."""
    return _CountCachedPaginator(questions, per_page, live_since).get_page(request.GET.get("page"))


# The whole list page, anonymous readers -------------------------------------------------
#
# An anonymous reader's list page (`/`, a tag's, a category's; a tab and a page number in
# the query string) shows nothing of its own but the CSRF token and the CSP nonce, stored
# as thread_cache's sentinels and put back per response. The page is keyed by its path
# and query string, the language, the `feed` stream's last event id (new, retagged, moved,
# hidden and deleted questions: the ids the page already reads for "N new questions") and
# LIST_VERSION_KEY, a counter bumped after every event published on a question's stream
# (answers, acceptances, votes, comments, edits: live.events._deliver), so a published
# change to any question shown renders every list afresh for the next reader. What is not
# published (view counts, "5 minutes ago") is bounded by the entry's expiry,
# LIST_PAGE_SECONDS. Only anonymous renders are stored, so a hidden question a moderator
# sees never reaches a shared entry; fast_list.py serves the entries on the event loop.

LIST_VERSION_KEY = "list-pages-version"
# The query strings a shared page is kept for: a tab and a page number, nothing else.
_QUERY_NAMES = frozenset({"sort", "page"})
_MAX_PAGE_DIGITS = 5


def list_page_seconds() -> int:
    """How long an anonymous list page is reused at most (0 turns the page cache off)."""
    return int(getattr(settings, "CIRCOLO_LIST_PAGE_SECONDS", 30))


def shareable_query(query: str, tabs: Iterable[str]) -> bool:
    """True for '' and for `sort=<tab>`/`page=<n>` (each at most once), as sent."""
    if not query:
        return True
    seen = set()
    for part in query.split("&"):
        name, equals, value = part.partition("=")
        if not equals or name not in _QUERY_NAMES or name in seen:
            return False
        seen.add(name)
        if name == "sort" and value not in tabs:
            return False
        if name == "page" and not (value.isdigit() and len(value) <= _MAX_PAGE_DIGITS):
            return False
    return True


def page_key_for(path: str, query: str, language: str, feed_id: int, version: int) -> str:
    digest = hashlib.blake2b(f"{path}?{query}".encode(), digest_size=16).hexdigest()
    return f"list-page:{KEY_VERSION}:{digest}:{language}:{feed_id}:{version}"


# The last page rendered for a list (its path, query and language), whatever feed event
# and version it was rendered at, is kept this long: while one request renders a page that
# is due (expired, or a change moved its key), the fast path serves this one to the others
# instead of holding them all for the render (fast_list.py).
LAST_PAGE_SECONDS = 600


def last_page_key(key: str) -> str:
    """The key of the last page rendered for the list `key` (from `page_key_for`) shows."""
    return key.rsplit(":", 2)[0] + ":last"


def list_version() -> int:
    return int(cache.get(LIST_VERSION_KEY) or 0)


def bump_list_version() -> None:
    """Every shared list page is due (a question's stream published a change)."""
    bump_counter(LIST_VERSION_KEY)


def page_key(request: HttpRequest, feed_id: int, tabs: Iterable[str]) -> str | None:
    """The shared page's key, or None when this request must get a page of its own (a
    member, htmx, a flash message, a query string other than a tab and a page)."""
    if list_page_seconds() <= 0 or request.user.is_authenticated:
        return None
    if getattr(request, "htmx", False) or len(get_messages(request)):
        return None
    query = request.META.get("QUERY_STRING", "")
    if not shareable_query(query, tabs):
        return None
    return page_key_for(request.path, query, get_language(), feed_id, list_version())


def member_body_key(
    request: HttpRequest, feed_id: int, tabs: Iterable[str], *, following: bool
) -> str | None:
    """The key of the list's body (all but the header and footer) that every member who
    sees the same list shares, or None when this member gets a body of their own.

    Members see what anonymous readers see (rows show nothing per viewer), except the
    moderators (the lounge, hidden questions: they share a variant of their own), those
    whose own questions are hidden or deleted (the list shows them to their author: one
    query tells) and the follow button of a tag's or a category's page (`following`)."""
    user = request.user
    if list_page_seconds() <= 0 or not user.is_authenticated or getattr(request, "htmx", False):
        return None
    query = request.META.get("QUERY_STRING", "")
    if not shareable_query(query, tabs):
        return None
    moderator = roles.is_moderator(user)
    if not moderator:
        own = Question.objects.filter(author=user)
        if own.filter(Q(hidden_at__isnull=False) | Q(deleted_at__isnull=False)).exists():
            return None
    page = page_key_for(request.path, query, get_language(), feed_id, list_version())
    return body_key_for(page, moderator=moderator, following=following)


def body_key_for(page_key: str, *, moderator: bool, following: bool) -> str:
    return f"list-body:{TEMPLATES_DIGEST}:{page_key}:{int(moderator)}:{int(following)}"


def cached_page(request: HttpRequest, key: str) -> HttpResponse | None:
    """The stored page with this request's CSRF token and CSP nonce."""
    content = cache.get(key)
    if content is None:
        return None
    content = content.replace(CSRF_SENTINEL.encode(), get_token(request).encode())
    nonce = getattr(request, "csp_nonce", None)
    if nonce is not None:  # reading it makes the CSP header name it
        content = content.replace(f'nonce="{NONCE_SENTINEL}"'.encode(), f'nonce="{nonce}"'.encode())
    return HttpResponse(content)


def store_page(key: str, response: HttpResponse, *, token: str, nonce: str = "") -> None:
    """Keep a freshly rendered anonymous page (200 only) for the next readers."""
    if response.status_code != 200 or not token:
        return
    content = response.content.replace(token.encode(), CSRF_SENTINEL.encode())
    if nonce:
        content = content.replace(f'nonce="{nonce}"'.encode(), f'nonce="{NONCE_SENTINEL}"'.encode())
    cache.set(key, content, list_page_seconds())
    cache.set(last_page_key(key), content, LAST_PAGE_SECONDS)


def _published(sender: object, *, stream: str, **kwargs: object) -> None:
    if stream.startswith("question."):
        bump_list_version()


def register() -> None:
    from live.events import published

    published.connect(_published, dispatch_uid="forum.list_pages")
