"""A member's frame: the header and footer of their pages, kept so that a signed-in
list or question page is served on the event loop (fast_list.py, fast_page.py) as a body
shared by the members who see the same, inside the frame of the member asking.

What a member's header shows of them (reputation, the bell's unread count, their avatar,
the links their roles and privileges open) is rendered once into `_member_frame.html`,
with marks where a page puts its title, its head links, its address (the language
form's `next`) and its body. A frame is keyed by the member's `Slot`:

- the member, and the language their request asks for (cookie or Accept-Language, and
  whether the language cookie is there: without it the member's own language wins);
- their `user` stream's last live event id: reputation, new and read notifications and
  badges are all published there, so any of them moves the key;
- the member's frame version, bumped after commit when anything else the frame or their
  bodies depend on changes: the member's row (roles, name, avatar, language, password:
  a frame also holds the session hash it is valid for), what they follow, and their own
  questions being hidden, deleted or restored (such members get a list body of their
  own, so Django answers them);

and by the page's `nav` (the header marks the current section). A list's body is keyed
as list_cache.member_body_key keys it; a question page's is kept per member, thread
event and slot (`keep_thread`: the body's key, title and head links), as Django last
rendered it for them (their votes and what they may do are in it).

Frames are rendered again after `list_cache.list_page_seconds()` (`due`: one request
renders while the member's others are served the frame they had) and kept question
pages expire with their bodies, which bounds what changes without moving either key (a
reputation recomputed by the manager, a suspension running out); one of the member's
requests has Django render the page again in its last seconds, from the thread's rows
read afresh, while the others are still served it (fast_page.py). Moderators get no
frame: their header counts open flags, which anybody's flag changes.

Frames exist only where the fast paths run (Redis for the cache and the live backlog,
sessions in the cache); Django stores them when it renders a member's page.
"""

from __future__ import annotations

import pickle
import re
import time
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING

from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.messages import get_messages
from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import post_save
from django.http import HttpRequest
from django.middleware.csrf import get_token
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.html import escape
from django.utils.safestring import mark_safe

from core import events, roles
from core.cache import bump_counter
from forum.events import FollowingChanged
from forum.follows.models import Follow
from forum.models import Question, User
from forum.views import cuts, list_cache
from forum.views.questions import thread_cache
from forum.views.questions.thread_cache import CSRF_SENTINEL, NONCE_SENTINEL, TEMPLATES_DIGEST
from live.backlog import last_id
from live.streams import user_stream

if TYPE_CHECKING:
    from forum.views.questions.thread_snapshot import Snapshot

KEY_VERSION = "1"
# Where a page puts its own parts into a member's frame.
MARKS = {name: f"<!--circolo-frame-{name}-->" for name in ("title", "head", "here", "body")}
# A session holding anything else (pending messages, a login in progress) is answered by
# Django, whose middleware acts on it.
PLAIN_SESSION_KEYS = frozenset(
    {
        SESSION_KEY,
        BACKEND_SESSION_KEY,
        HASH_SESSION_KEY,
        "_session_expiry",
        # allauth's record of how the member signed in (read for reauthentication only).
        "account_authentication_methods",
        "account_authentication_methods_user",
    }
)
SESSION_KEY_FORMAT = re.compile(r"^[a-z0-9]{8,64}$")
# A stored frame's marks: the page's and the response's own (forum.views.cuts).
FRAME = cuts.Marks({**cuts.RESPONSE, **MARKS})


def enabled() -> bool:
    from forum.views import fast_list

    return (
        fast_list.enabled()
        and settings.SESSION_ENGINE == "django.contrib.sessions.backends.cached_db"
        and settings.SESSION_CACHE_ALIAS == "default"
    )


def version_key(member_id: int) -> str:
    return f"member-frame-version:{member_id}"


@dataclass(frozen=True)
class Slot:
    """What a member's pages are keyed by: read before a page renders, so that a change
    published meanwhile moves the keys it is stored under."""

    member_id: int
    language: str  # as the request asks (cookie or Accept-Language), before the member's own
    language_cookie: bool
    user_seq: int  # the member's `user` stream's last live event id
    version: int  # the member's frame version (`bump`)

    def _parts(self) -> str:
        return (
            f"{self.member_id}:{self.language}:{int(self.language_cookie)}:"
            f"{self.user_seq}:{self.version}"
        )

    def frame_key(self, nav: str) -> str:
        return f"member-frame:{KEY_VERSION}:{TEMPLATES_DIGEST}:{nav}:{self._parts()}"

    def thread_key(self, pk: int, live_since: int) -> str:
        """The key of what the member's question page shows around their frame: the
        key of its shared body, its title and head links (the thread's `live_since`)."""
        return f"member-thread:{KEY_VERSION}:{TEMPLATES_DIGEST}:{pk}:{live_since}:{self._parts()}"


def head_key(body_key: str) -> str:
    """The key of a shared list body's title and head links (stored beside the body)."""
    return f"list-head:{body_key}"


def session_member(session: dict) -> int | None:
    """The id of the member a plain signed-in session (as the cache holds it) is for."""
    if not session.keys() <= PLAIN_SESSION_KEYS:
        return None
    if session.get(BACKEND_SESSION_KEY) not in settings.AUTHENTICATION_BACKENDS:
        return None
    try:
        return int(session[SESSION_KEY])
    except (KeyError, TypeError, ValueError):
        return None


def request_language(request: HttpRequest) -> tuple[str, bool]:
    """The language the request asks for (before the member's own), and whether it came
    with the language cookie (forum.middleware.UserLocaleMiddleware)."""
    with translation.override(translation.get_language_from_request(request)):
        language = translation.get_language()
    return language, settings.LANGUAGE_COOKIE_NAME in request.COOKIES


def loaded(stored: bytes) -> tuple[dict, cuts.Cut]:
    """A frame as the cache holds it, and its HTML cut at its marks. Cut for each request
    (about 7 KB, some 20 microseconds), not kept by cuts.kept: every member has frames of
    their own, and keeping them would push the pages everybody reads out of it."""
    frame = pickle.loads(stored)  # noqa: S301 - our own cache
    return frame, cuts.Cut(frame["html"], FRAME)


def page_values(title: str, links: str, here: str, body: cuts.Cut) -> dict[str, bytes | cuts.Cut]:
    """What a member's page puts into the marks of their frame: a page's title, head links,
    address (its full path, escaped here as the template would) and body."""
    return {
        "title": title.encode(),
        "head": links.encode(),
        "here": escape(here).encode(),
        "body": body,
    }


def bump(member_id: int) -> None:
    """The member's frames are due (after the transaction commits, if one is open)."""

    transaction.on_commit(partial(bump_counter, version_key(member_id)))


# Storing (Django, while it renders a member's page) ------------------------------------


def slot(request: HttpRequest) -> Slot | None:
    """The member's slot, or None when their pages are not to be stored (not signed in,
    a moderator, a flash message waiting, or no fast path)."""
    user = request.user
    if not user.is_authenticated or roles.is_moderator(user) or not enabled():
        return None
    if len(get_messages(request)):
        return None
    language, language_cookie = request_language(request)
    return Slot(
        member_id=user.pk,
        language=language,
        language_cookie=language_cookie,
        user_seq=last_id(user_stream(user.pk)),
        version=int(cache.get(version_key(user.pk)) or 0),
    )


def keep_frame(request: HttpRequest, slot: Slot, nav: str) -> None:
    """Render and keep the member's frame for `nav`, unless it is stored already."""
    key = slot.frame_key(nav)
    if (kept := cache.get(key)) is not None and not due(kept):
        return
    token = get_token(request)
    marks = {name: mark_safe(mark) for name, mark in MARKS.items()}  # noqa: S308 - our own marks
    html = render_to_string(
        "forum/_member_frame.html",
        {"marks": marks, "nav": nav, "csrf_token": token},
        request=request,
    )
    html = html.replace(token, CSRF_SENTINEL)
    nonce = str(getattr(request, "csp_nonce", ""))
    if nonce:
        html = html.replace(f'nonce="{nonce}"', f'nonce="{NONCE_SENTINEL}"')
    follows = list(
        Follow.objects.filter(user=request.user, question__isnull=True).values_list(
            "tag__slug", "category__slug"
        )
    )
    frame = {
        "html": html,
        "hash": request.user.get_session_auth_hash(),
        "language": translation.get_language(),
        "tags": frozenset(tag for tag, _category in follows if tag),
        "categories": frozenset(category for _tag, category in follows if category),
        "stored": time.time(),
    }
    cache.set(key, frame, list_cache.LAST_PAGE_SECONDS)


def due(frame: dict) -> bool:
    """Whether a frame is to be rendered again: older than `list_page_seconds()`, which
    bounds what changes it without moving its key. Until then (and while one request
    renders it again) it is served, for at most `list_cache.LAST_PAGE_SECONDS`."""
    return time.time() - frame["stored"] >= list_cache.list_page_seconds()


def keep_thread(
    request: HttpRequest, slot: Slot, snapshot: Snapshot, live_since: int, body_key: str
) -> None:
    """Keep what the member's question page shows around their frame (the key of the
    body they share with the members who see the same, its title and head links, and
    when the thread's rows it shows were read: it is due with them), and their frame."""
    question = snapshot.question
    context = {"question": question}
    title = render_to_string("forum/_thread_title.html", context)
    links = render_to_string("forum/_thread_links.html", context)
    cache.set(
        slot.thread_key(question.pk, live_since),
        (body_key, title, links, snapshot.built),
        thread_cache.thread_page_seconds(),
    )
    keep_frame(request, slot, "questions")


def last_body_key(body_key: str) -> str:
    """The key of the last body stored for the same list (its path, query, language and
    variant), whatever the feed event and version it was rendered at: sent in a member's
    frame while one request renders a body that is due (fast_list.py)."""
    *start, _feed_id, _version, moderator, following = body_key.split(":")
    return ":".join(["list-body-last", *start[1:], moderator, following])


def store_shared(body_key: str, context: dict) -> None:
    """Keep a shared list body's title and head links beside it, and the three as the
    last body stored for that list."""
    title = render_to_string("forum/_list_title.html", context)
    links = render_to_string("forum/_list_head.html", context)
    cache.set(head_key(body_key), (title, links), list_cache.list_page_seconds())
    if (body := cache.get(body_key)) is not None:
        cache.set(last_body_key(body_key), (body, title, links), list_cache.LAST_PAGE_SECONDS)


# What else a frame shows, or the shared body depends on ----------------------------------


def _member_saved(sender: type, instance: User, **kwargs: object) -> None:
    bump(instance.pk)


def _question_saved(
    sender: type, instance: Question, update_fields: frozenset | None = None, **kwargs: object
) -> None:
    if update_fields is None or {"hidden_at", "deleted_at", "author"} & set(update_fields):
        bump(instance.author_id)


def following_changed(event: FollowingChanged) -> None:
    bump(event.actor_id)  # the follow buttons of a tag's, a category's or a question's page


def register() -> None:
    events.subscribe(FollowingChanged, following_changed, phase=events.AFTER_COMMIT)
    post_save.connect(_member_saved, sender=User, dispatch_uid="forum.member_frame.user")
    post_save.connect(_question_saved, sender=Question, dispatch_uid="forum.member_frame.question")
