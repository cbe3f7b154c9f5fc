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
  questions, published on `lounge`).
- **The number of questions a list counts** (the paginator's `COUNT(*)`, 120-430 ms of a
  list's time at 100k questions), keyed like the sidebar by the `feed` stream's last
  event id and by the count query itself (its SQL and parameters: the tab, tag, category
  and what this viewer may see), with the same expiry. What changes a count without
  publishing on `feed` (an answer to an unanswered question, a lounge question) shows
  within LIST_SIDEBAR_SECONDS; pages past the end still give the last real page.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from pathlib import Path

from django.conf import settings
from django.core.cache import cache
from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.functional import cached_property
from django.utils.translation import get_language

from forum import permissions
from forum.models import Question, User
from forum.views.questions.thread_cache import _row, answer_html_seconds

KEY_VERSION = "1"
ROW_PARTIALS = ("_question_row.html", "_user.html", "_avatar.html")


def _partials_digest() -> str:
    digest = hashlib.blake2b(digest_size=8)
    for directory in settings.TEMPLATES[0]["DIRS"]:
        for name in ROW_PARTIALS:
            path = Path(directory) / "forum" / name
            if path.exists():
                digest.update(path.read_bytes())
    return digest.hexdigest()


_PARTIALS = _partials_digest()


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


def sidebar(user: User, live_since: int, read: Callable[[User], dict]) -> dict:
    """`read(user)` (the sidebar's context), shared by every viewer who sees the same
    categories since the feed's last published change."""
    seconds = sidebar_seconds()
    if seconds <= 0:
        return read(user)
    variant = "moderator" if permissions.is_moderator(user) else "public"
    key = f"list-sidebar:{KEY_VERSION}:{variant}:{live_since}"
    found = cache.get(key)
    if found is None:
        found = read(user)
        cache.set(key, found, seconds)
    return found


class _CountCachedPaginator(Paginator):
    def __init__(self, object_list: QuerySet, per_page: int, live_since: int) -> None:
        super().__init__(object_list, per_page)
        self.live_since = live_since

    @cached_property
    def count(self) -> int:
        seconds = sidebar_seconds()
        if seconds <= 0:
            return super().count
        sql, params = self.object_list.query.sql_with_params()
        digest = hashlib.blake2b(repr((sql, params)).encode(), digest_size=16).hexdigest()
        key = f"list-count:{KEY_VERSION}:{self.live_since}:{digest}"
        found = cache.get(key)
        if found is None:
            found = super().count
            cache.set(key, found, seconds)
        return found


def paginate(request: HttpRequest, questions: QuerySet, per_page: int, live_since: int) -> Page:
    """The requested page of a question list (a missing, malformed or out-of-range number
    gives a real page), its total counted once per change of the feed."""
    return _CountCachedPaginator(questions, per_page, live_since).get_page(request.GET.get("page"))
