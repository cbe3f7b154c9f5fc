"""Caches of the question page (P1 in QUALITY.md): the same work is not done twice.

A 50-answer thread costs about 150 ms of Django template rendering (some 350 includes,
7,000 `{% translate %}` lookups, 800 `naturaltime`s), almost all of it the answers, and
almost all of that identical from one request to the next. Three caches, all in the
default cache (Redis in production, shared by every server process):

- **The whole page for anonymous readers**, keyed by the question, the language and the
  question stream's last live event id (`live.backlog.last_id`, read before
  anything else, as the page already did for its socket). Every change to a thread that a
  reader could see is published on that stream by the service that makes it
  (forum/services.py: answers, comments, votes, accepts, edits, closing, locking,
  deleting; hiding must publish there too), so a published change moves the key and the
  next reader renders afresh. A hit costs one Redis GET for the id and one for the page:
  no database query at all. The entry also expires after THREAD_PAGE_SECONDS, which
  bounds what is not published: "5 minutes ago" wording, the view count, authors'
  reputation, a category made private in the admin.
  Only plain requests share it: no query string, no htmx, no pending flash message.

- **Each answer's HTML, for everyone**, keyed by a digest of everything the partial
  shows (`answer_key`): the answer's and its author's, last editor's and comments'
  column values, the question's state (accepted answer, closed, locked...), the
  viewer's `post_state` (their vote, what they may do and why not), which comments
  they may delete, their roles and privileges, the language and the partials' source.
  A partial that shows something per viewer must draw it from these (or be added
  here). Viewers who see the same thing share an entry (all anonymous readers; every
  customer who did not vote on it); nothing needs to be invalidated, because anything that changes what is shown changes the key. Entries
  expire after ANSWER_HTML_SECONDS (relative times again). All keys of a page are read
  with one `get_many`.

- **The page's body for members who see the same thing** (`render_body`): everything
  but the header and footer, keyed by the thread's snapshot (thread_snapshot: it moves
  with every published change), the keys of its answers and what the rest of the body
  shows of the viewer (thread_snapshot.body_material: their roles and privileges, their
  vote on the question, whether they follow it, their comments, why they may not
  answer). A member who sees what another saw before them gets it with one cache read
  (their answers are not read), and nothing of it is rendered. The view count is left out
  (VIEW_COUNT_MARKS) and filled in for each page. The asker, advocates and staff get a
  body of their own (their escalation's status and the escalation card change without
  a publication), as do pages that redisplay a form with what the reader typed.

All store HTML with the CSRF token replaced by CSRF_SENTINEL; the token of the request
at hand is put back when serving, so no reader ever gets another's token. The page's
Content-Security-Policy nonce likewise (NONCE_SENTINEL): each response's header names
a fresh nonce, and the stored page's inline script must carry that one.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Iterable
from pathlib import Path

from django.conf import settings
from django.contrib.humanize.templatetags.humanize import intcomma
from django.contrib.messages import get_messages
from django.core.cache import cache
from django.db import models
from django.http import HttpRequest, HttpResponse
from django.template import Context, NodeList
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language, ngettext

from core import privileges, roles
from forum import permissions
from forum.models import Answer, Question, User
from forum.templatetags.forum_posts import post_state

# Stands for the CSRF token in stored HTML: 64 letters like a real (masked) token, so the
# form fields and the hx-headers JSON render alike, but spelled so no token can match it.
CSRF_SENTINEL = "circoloCsrfSentinel" + "X" * 45
NONCE_SENTINEL = "circoloNonceSentinel"
KEY_VERSION = "2"
# The partials an answer is made of: editing one changes every answer key.
ANSWER_PARTIALS = (
    "_answer.html",
    "_vote_box.html",
    "_comments.html",
    "_comment.html",
    "_user.html",
    "_avatar.html",
)


def thread_page_seconds() -> int:
    """How long an anonymous page is reused at most (0 turns the page cache off)."""
    return int(getattr(settings, "CIRCOLO_THREAD_PAGE_SECONDS", 60))


def answer_html_seconds() -> int:
    """How long one answer's HTML is reused at most (0 turns the answer cache off)."""
    return int(getattr(settings, "CIRCOLO_ANSWER_HTML_SECONDS", 120))


def templates_digest(partials: Iterable[str] | None = None) -> str:
    """A digest of the source of `forum/<partial>` for each of `partials`, or of every
    template when None: editing one changes every key made with it."""
    digest = hashlib.blake2b(digest_size=8)
    for directory in map(Path, settings.TEMPLATES[0]["DIRS"]):
        if partials is None:
            paths = sorted(directory.rglob("*.html"))
        else:
            paths = [directory / "forum" / name for name in partials]
        for path in paths:
            if path.exists():
                digest.update(path.read_bytes())
    return digest.hexdigest()


_PARTIALS = templates_digest(ANSWER_PARTIALS)


# The whole page, anonymous readers --------------------------------------------------------


# Set in the ASGI scope of the request fast_page.py sends to Django to render a stored page
# again before it expires (a scope key: no client can set it).
RENDER_AGAIN = "circolo.render_again"
# A stored page is rendered again once it is this close to expiring (at most a quarter of
# its life), by one request while the others are still served it: when it expired instead,
# every reader waited for its render, on a slow machine up to a second, once a minute.
RENDER_AHEAD_SECONDS = 15


def page_key(request: HttpRequest, pk: int, live_since: int) -> str | None:
    """The shared page's key, or None when this request must get a page of its own."""
    if thread_page_seconds() <= 0 or request.user.is_authenticated:
        return None
    if request.GET or getattr(request, "htmx", False):
        return None
    if len(get_messages(request)):  # a flash message is for this reader only
        return None
    return page_key_for(pk, get_language(), live_since)


def page_key_for(pk: int, language: str, live_since: int) -> str:
    """The shared page's key (fast_page.py reads it without a Django request)."""
    return f"thread-page:{KEY_VERSION}:{pk}:{language}:{live_since}:{_PARTIALS}"


def cached_page(request: HttpRequest, key: str) -> tuple[HttpResponse, int] | None:
    """The stored page with this request's CSRF token, and the question's author id."""
    from django.middleware.csrf import get_token

    entry = cache.get(key)
    if entry is None or rendering_again(request):
        return None
    content, author_id = entry[:2]  # and when it was stored (before 7 December: not kept)
    token = get_token(request).encode()
    content = content.replace(CSRF_SENTINEL.encode(), token)
    nonce = getattr(request, "csp_nonce", None)
    if nonce is not None:  # reading it makes the CSP header name it
        content = content.replace(f'nonce="{NONCE_SENTINEL}"'.encode(), f'nonce="{nonce}"'.encode())
    return HttpResponse(content), author_id


def store_page(
    key: str, response: HttpResponse, *, token: str, question: Question, nonce: str = ""
) -> None:
    """Keep a freshly rendered anonymous page (200 only) for the next readers."""
    if response.status_code != 200 or not token:
        return
    content = response.content.replace(token.encode(), CSRF_SENTINEL.encode())
    if nonce:
        content = content.replace(f'nonce="{nonce}"'.encode(), f'nonce="{NONCE_SENTINEL}"'.encode())
    cache.set(key, (content, question.author_id, time.time()), thread_page_seconds())


def rendering_again(request: HttpRequest) -> bool:
    """Whether this is the request fast_page.py sends to render a page again ahead
    (RENDER_AGAIN): what is stored for it, and rows about to expire, are not reused."""
    return bool(getattr(request, "scope", {}).get(RENDER_AGAIN))


def page_due(built: float) -> bool:
    """Whether a stored page stored at `built` is to be rendered again (RENDER_AHEAD_SECONDS)."""
    seconds = thread_page_seconds()
    return time.time() - built >= seconds - min(RENDER_AHEAD_SECONDS, seconds / 4)


# One answer's HTML, every reader ----------------------------------------------------------


def _row(obj: models.Model | None) -> tuple:
    """Every column value of a row: whatever a partial shows of it is in here."""
    if obj is None:
        return ()
    return tuple(getattr(obj, field.attname) for field in obj._meta.concrete_fields)


# What of the question an answer's partials may depend on (not its counters: a view or a
# new answer elsewhere must not turn every answer's entry over).
QUESTION_FIELDS = (
    "author_id",
    "accepted_answer_id",
    "accepted_on_behalf_by_id",
    "category_id",
    "deleted_at",
    "hidden_at",
    "closed_at",
    "locked_at",
)


def _viewer(user: User) -> tuple:
    """The viewer's roles and privileges (the per-post bits are in post_state): any part of
    a partial that depends on who is looking (e.g. the moderation flag link) follows."""
    if not user.is_authenticated:
        return (False,)
    return (
        True,
        user.is_active,
        roles.is_staff(user),
        roles.is_manager(user),
        roles.is_advocate(user),
        getattr(user, "is_suspended", False),
        roles.is_moderator(user),
        tuple(
            sorted(key for key in privileges.thresholds() if privileges.has_privilege(user, key))
        ),
    )


def answer_key(
    answer: Answer, question: Question, user: User, my_votes: dict, viewer: tuple | None = None
) -> str:
    """A digest of everything `_answer.html` renders for this viewer, as a cache key.

    `viewer`: `_viewer(user)`, when the caller computed it once for many answers.
    """
    comments = getattr(answer, "visible_comment_list", ())
    material = (
        _row(answer),
        _row(answer.author),
        _row(getattr(answer, "last_editor", None)) if answer.edited_at else (),
        tuple(getattr(question, name, None) for name in QUESTION_FIELDS),
        tuple(
            (_row(c), _row(c.author), c.author_id == user.pk, permissions.can_delete_post(user, c))
            for c in comments
        ),
        post_state(answer, user, my_votes),
        viewer if viewer is not None else _viewer(user),
        answer.author_id == user.pk,
        get_language(),
        settings.FORCE_SCRIPT_NAME,
    )
    digest = hashlib.blake2b(repr(material).encode(), digest_size=16).hexdigest()
    return f"answer-html:{KEY_VERSION}:{_PARTIALS}:{answer.pk}:{digest}"


def answer_fragments(
    answers: Iterable[Answer],
    question: Question,
    user: User,
    my_votes: dict,
    skip: str = "",
    key: Callable[[Answer], str] | None = None,
    body: tuple | None = None,
) -> tuple[dict[int, tuple[str, str | None]], tuple | None]:
    """({answer id: (key, stored HTML or None)}, the body's `shared_body` (render_body))
    for a page's answers and, when `body` is given, the page's body: one cache read for
    the body and, when it is missing, one for every answer.

    `skip`: the post key ("answer-12") whose comment form is being redisplayed with what
    the reader typed; that answer is rendered, neither read nor stored.
    `key`: how to key an answer when not by `answer_key` (thread_snapshot.AnswerKeys).
    `body`: everything the body shows for this viewer besides its answers
    (thread_snapshot.body_material), or None when the body is not to be shared.
    """
    if answer_html_seconds() <= 0:
        return {}, None
    if key is None:
        viewer = _viewer(user)

        def key(answer: Answer) -> str:
            return answer_key(answer, question, user, my_votes, viewer)

    keys = {answer.pk: key(answer) for answer in answers if skip != f"answer-{answer.pk}"}
    stored_body = None
    if body is not None:
        body_key = _body_key(body, list(keys.values()))
        if (html := cache.get(body_key)) is not None:
            return {}, (body_key, html, None)  # the answers are in it
        stored_body = (body_key, None, thread_page_seconds())
    found = cache.get_many(list(keys.values()))
    return {pk: (key, found.get(key)) for pk, key in keys.items()}, stored_body


def render_answer(context: Context, answer: Answer) -> SafeString:
    """`_answer.html` for `answer` in the page's context, from the cache when it can.

    The page view put `answer_fragments` (above) in the context; an answer missing from
    it is rendered as the plain include would and not stored.
    """
    token = str(context.get("csrf_token") or "")
    entry = (context.get("answer_fragments") or {}).get(answer.pk)
    if entry and entry[1] is not None and token:
        return mark_safe(entry[1].replace(CSRF_SENTINEL, token))
    template = context.template.engine.get_template("forum/_answer.html")
    with context.push(answer=answer):
        html = template.render(context)
    if entry and token:  # without a token to stand in for, the HTML is not for others
        cache.set(entry[0], html.replace(token, CSRF_SENTINEL), answer_html_seconds())
    return mark_safe(html)  # rendered (and escaped) by the template engine


# The whole page body, members ---------------------------------------------------------------


# The body includes partials from several apps: editing any template changes every key.
TEMPLATES_DIGEST = templates_digest()


def _body_key(material: tuple, answer_keys: list[str]) -> str:
    digest = hashlib.blake2b(repr((material, answer_keys)).encode(), digest_size=16).hexdigest()
    return f"thread-body:{KEY_VERSION}:{TEMPLATES_DIGEST}:{digest}"


def render_body(context: Context, nodelist: NodeList) -> SafeString:
    """A page's body (`{% shared_body %}`: the question page's, a list's), stored for the
    next viewer who sees exactly the same (the view put `shared_body` in the context: its
    key, its stored HTML or None, and for how long to store it), with this request's CSRF
    token."""
    token = str(context.get("csrf_token") or "")
    entry = context.get("shared_body")
    if not (entry and token):
        return nodelist.render(context)
    html = entry[1]
    if html is None:
        with context.push(storing_body=True):
            html = nodelist.render(context)
        cache.set(entry[0], html.replace(token, CSRF_SENTINEL), entry[2])
    if (question := context.get("question")) is not None:
        html = with_view_count(html, question.view_count)
    return mark_safe(html.replace(CSRF_SENTINEL, token))  # escaped by the template engine


# The view count changes with every reader counted, not on the thread's stream: a stored
# body holds these marks in its place, filled in for each page.
VIEW_COUNT_MARKS = {style: f"<!--circolo-view-count-{style}-->" for style in ("phrase", "number")}


def with_view_count(html: str, views: int) -> str:
    """A stored body with the view count in place of its marks (in the active language)."""
    for style, mark in VIEW_COUNT_MARKS.items():
        html = html.replace(mark, _view_count(views, style))
    return html


def view_count_values(views: int) -> dict[str, bytes]:
    """The values of the view-count marks in a stored body's Cut (forum.views.cuts), in
    the active language."""
    return {f"view-count-{style}": _view_count(views, style).encode() for style in VIEW_COUNT_MARKS}


def _view_count(views: int, style: str) -> str:
    if style == "number":
        return intcomma(views)
    return ngettext("Viewed %(counter)s time", "Viewed %(counter)s times", views) % {
        "counter": views
    }


def view_count_html(context: Context, views: int, style: str) -> SafeString:
    """`{% view_count %}`: its mark while a body is being stored, else the count."""
    if context.get("storing_body"):
        return mark_safe(VIEW_COUNT_MARKS[style])
    return conditional_escape(_view_count(views, style))
