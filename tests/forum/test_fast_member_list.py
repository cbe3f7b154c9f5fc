"""Signed-in question lists served on the event loop (forum/views/fast_list.py): the
member's own frame (forum/views/member_frame.py) around the body every member shares.
The same page Django renders for them; whatever their header shows changes it at once
(a notification, their profile, what they follow); a session Django would end, or one
it must look at, goes to Django; moderators and members with a hidden question of
their own never get the shared body."""

from __future__ import annotations

import asyncio
import re
from datetime import UTC, datetime, timedelta
from types import ModuleType

import pytest
import redis
import time_machine
from asgiref.sync import sync_to_async
from django.conf import settings
from django.contrib import messages
from django.contrib.messages.storage.session import SessionStorage
from django.contrib.sessions.backends.cached_db import SessionStore
from django.core.cache import cache
from django.db import connection, transaction
from django.http import HttpResponse
from django.test import Client, RequestFactory

from advocacy.services.moderation.posts import hide_post, set_hidden
from forum.follows.services import set_following
from forum.models import Notification
from forum.views import fast_list, list_cache, lists, member_frame, single_flight
from forum.views.questions import fast_page
from notifications.bell import notify_member
from tests.factories import CategoryFactory, QuestionFactory, UserFactory
from tests.forum.test_fast_page import _headers, _same_page, _token, get
from tests.forum.test_single_flight_pages import (
    READERS,
    HeldRenders,
    _last_page_while_the_render_is_held,
    _until,
    rendered_once,
)
from tests.pages import NEEDS_FAST_PATHS

pytestmark = [
    pytest.mark.django_db(transaction=True),
    NEEDS_FAST_PATHS,
]


@pytest.fixture(autouse=True)
async def _page_cache_on(settings):
    settings.CIRCOLO_LIST_PAGE_SECONDS = 60
    yield
    await fast_page.close_client()


@pytest.fixture
def listed(db):
    return QuestionFactory(
        title="Roaming in Svizzera?", tags=["roaming"], category=CategoryFactory(slug="viaggi")
    )


def _committed(work):  # noqa: ANN001, ANN202
    try:
        return work()
    finally:
        connection.close()  # this worker thread's own connection


async def _signed_in(member) -> tuple[bytes, bytes]:  # noqa: ANN001
    """The cookie header of a fresh session of `member`."""

    def login() -> str:
        client = Client()
        client.force_login(member)
        return client.cookies[settings.SESSION_COOKIE_NAME].value

    session = await sync_to_async(_committed)(login)
    return (b"cookie", f"{settings.SESSION_COOKIE_NAME}={session}".encode())


async def _member():  # noqa: ANN202
    return await sync_to_async(_committed)(lambda: UserFactory(username="giulia", reputation=1234))


async def _twice(
    path: str, cookie: tuple, query: bytes = b"", *, counted: ModuleType = fast_list
) -> tuple[tuple, tuple]:
    """Django's page (which stores what was missing), then the one served after it on the
    event loop (counted by `counted.served_members`)."""
    first = await get(path, cookie, query=query)
    served = counted.served_members
    second = await get(path, cookie, query=query)
    assert counted.served_members == served + 1, f"{path}?{query} came from Django"
    return first, second


def _new_password(member) -> None:  # noqa: ANN001
    member.set_password("una-password-nuova-e-lunga")
    member.save()


async def test_a_member_gets_djangos_page_from_the_event_loop(listed):
    cookie = await _signed_in(await _member())
    for path, query in (
        ("/", b""),
        ("/", b"sort=unanswered&page=1"),
        ("/tags/roaming/", b""),
        ("/categories/viaggi/", b""),
    ):
        (status, headers, first), (again, again_headers, second) = await _twice(path, cookie, query)
        assert status == again == 200
        assert _headers(again_headers) == _headers(headers)
        assert _token(first) != _token(second)
        assert _same_page(second) == _same_page(first)
        assert "Roaming in Svizzera?" in second
        assert "data-live-points-value>1234<" in second
        assert "Log out" in second
        assert f'name="next" value="{path}' in second
    # Another member shares the bodies, not the frames.
    other = await _signed_in(await sync_to_async(_committed)(lambda: UserFactory(reputation=7)))
    served = fast_list.served_members
    _status, _headers_, html = await get("/", other)
    assert fast_list.served_members == served  # their frame is rendered by Django first
    assert "data-live-points-value>7<" in html
    _status, _headers_, html = await get("/", other)
    assert fast_list.served_members == served + 1
    assert "data-live-points-value>7<" in html
    assert "data-live-points-value>1234<" not in html


async def test_a_notification_shows_in_the_bell_at_once(listed):
    member = await _member()
    cookie = await _signed_in(member)
    await _twice("/", cookie)
    await sync_to_async(_committed)(
        lambda: notify_member(member, Notification.Kind.WELCOME, "Benvenuta!")
    )
    _status, _headers_, html = await get("/", cookie)
    assert re.search(r'class="bell-count" aria-hidden="true">1<', html)
    _status, _headers_, html = await get("/", cookie)
    assert re.search(r'class="bell-count" aria-hidden="true">1<', html)


async def test_the_members_own_language_and_name_show_at_once(listed):
    member = await _member()
    cookie = await _signed_in(member)
    await _twice("/", cookie)

    def italian() -> None:
        member.locale = "it"
        member.username = "giulia_r"
        member.save()

    await sync_to_async(_committed)(italian)
    (_status, headers, _first), (_again, _headers_, html) = await _twice("/", cookie)
    assert dict(headers)[b"Content-Language"] == b"it"
    assert '<html lang="it"' in html
    assert "/u/giulia_r/" in html
    # The language switcher's cookie wins over the member's own language.
    language = (b"cookie", cookie[1] + f"; {settings.LANGUAGE_COOKIE_NAME}=en".encode())
    (_status, headers, _first), (_again, _headers_, html) = await _twice("/", language)
    assert '<html lang="en"' in html


async def test_following_a_tag_shows_on_its_page_at_once(listed):
    member = await _member()
    cookie = await _signed_in(member)
    _first, (_status, _headers_, html) = await _twice("/tags/roaming/", cookie)
    assert 'aria-pressed="false"' in html
    tag = await sync_to_async(lambda: listed.tags.get())()
    await sync_to_async(_committed)(lambda: set_following(actor=member, target=tag, following=True))
    _first, (_status, _headers_, html) = await _twice("/tags/roaming/", cookie)
    assert 'aria-pressed="true"' in html


async def test_a_changed_password_ends_the_other_sessions(listed):
    member = await _member()
    old = await _signed_in(member)
    await _twice("/", old)

    await sync_to_async(_committed)(lambda: _new_password(member))
    new = await _signed_in(member)
    await _twice("/", new)
    served = fast_list.served_members
    _status, _headers_, html = await get("/", old)
    assert fast_list.served_members == served
    assert "Log out" not in html
    assert "Log in" in html


def _forget_frames() -> None:
    client = redis.Redis.from_url(settings.CACHES["default"]["LOCATION"])
    for key in client.scan_iter("*member-frame:*"):
        client.delete(key)


async def test_a_frame_serves_only_sessions_made_with_the_members_password(listed, monkeypatch):
    """Should a frame outlive a password change (its version not bumped), a frame rendered
    for the new password still does not serve a session made with the old one."""
    monkeypatch.setattr(member_frame, "bump", lambda member_id: None)
    member = await _member()
    old = await _signed_in(member)
    await _twice("/", old)

    await sync_to_async(_committed)(lambda: _new_password(member))
    _forget_frames()
    new = await _signed_in(member)
    await _twice("/", new)  # the frame, stored again, holds the new password's hash
    served = fast_list.served_members
    _status, _headers_, html = await get("/", old)
    assert fast_list.served_members == served
    assert "Log in" in html


async def test_a_session_ended_elsewhere_is_not_served(listed):
    member = await _member()
    cookie = await _signed_in(member)
    await _twice("/", cookie)
    session_key = cookie[1].decode().partition("=")[2]

    def log_out_everywhere() -> None:
        SessionStore(session_key).delete()

    await sync_to_async(_committed)(log_out_everywhere)
    served = fast_list.served_members
    _status, _headers_, html = await get("/", cookie)
    assert fast_list.served_members == served
    assert "Log in" in html


async def test_moderators_and_members_with_a_hidden_question_get_their_own_page(listed):
    advocate = await sync_to_async(_committed)(lambda: UserFactory(is_advocate=True))
    hidden = await sync_to_async(_committed)(lambda: QuestionFactory(title="Una domanda nascosta"))
    await sync_to_async(_committed)(lambda: hide_post(actor=advocate, post=hidden, reason="spam"))
    served = fast_list.served_members
    for who in (advocate, hidden.author):
        cookie = await _signed_in(who)
        for _ in range(3):
            _status, _headers_, html = await get("/", cookie)
            assert "Una domanda nascosta" in html
    assert fast_list.served_members == served
    # Once a member's question is hidden, they no longer get the shared body.
    member = await _member()
    cookie = await _signed_in(member)
    mine = await sync_to_async(_committed)(
        lambda: QuestionFactory(title="La mia domanda", author=member)
    )
    await _twice("/", cookie)

    # Hidden by other members' flags (nothing published on their own stream): the list
    # shows it to them alone.
    def hidden_by_flags() -> None:
        with transaction.atomic():
            set_hidden(actor=None, post=mine, hidden=True, why="flags")

    await sync_to_async(_committed)(hidden_by_flags)
    await _twice("/", await _signed_in(await sync_to_async(_committed)(UserFactory)))
    served = fast_list.served_members  # another member's body is stored: not theirs
    for _ in range(2):
        _status, _headers_, html = await get("/", cookie)
        assert "La mia domanda" in html
    assert fast_list.served_members == served


async def test_flash_messages_htmx_and_odd_sessions_go_to_django(listed):
    member = await _member()
    cookie = await _signed_in(member)
    await _twice("/", cookie)
    served = fast_list.served_members
    for headers in (
        (cookie, (b"hx-request", b"true")),
        ((b"cookie", cookie[1] + b"; messages=x"),),
        ((b"cookie", cookie[1] + b"; " + cookie[1]),),
        ((b"cookie", f"{settings.SESSION_COOKIE_NAME}=../../etc".encode()),),
        ((b"cookie", f"{settings.SESSION_COOKIE_NAME}=abcdefgh12345678".encode()),),
    ):
        status, _headers_, _html = await get("/", *headers)
        assert status == 200
    assert fast_list.served_members == served

    # A session holding anything else (here flash messages, kept there when too many for
    # their cookie) is Django's to look at.
    def flash() -> None:
        request = RequestFactory().get("/")
        request.session = SessionStore(cookie[1].decode().partition("=")[2])
        storage = SessionStorage(request)
        storage.add(messages.SUCCESS, "Profilo salvato.")
        storage.update(HttpResponse())
        request.session.save()

    await sync_to_async(_committed)(flash)
    status, _headers_, _html = await get("/", cookie)
    assert status == 200
    assert fast_list.served_members == served


async def test_a_member_signed_in_through_the_login_form_is_served(listed):
    def sign_in() -> str:
        member = UserFactory(username="mario")
        member.set_password("una-password-lunga-1")
        member.save()
        client = Client()
        response = client.post(
            "/accounts/login/", {"login": "mario", "password": "una-password-lunga-1"}
        )
        assert response.status_code == 302
        return client.cookies[settings.SESSION_COOKIE_NAME].value

    session = await sync_to_async(_committed)(sign_in)
    cookie = (b"cookie", f"{settings.SESSION_COOKIE_NAME}={session}".encode())
    _first, (_status, _headers_, html) = await _twice("/", cookie)
    assert "/u/mario/" in html


async def test_while_a_due_list_renders_members_get_the_last_body_in_their_frame(
    listed, monkeypatch
):
    cookie = await _signed_in(await _member())
    await _twice("/", cookie)
    await asyncio.to_thread(list_cache.bump_list_version)  # a change: the body is due
    pages = await _last_page_while_the_render_is_held(monkeypatch, cookie)
    assert all("data-live-points-value>1234<" in html for *_rest, html in pages)
    assert len({_token(html) for *_rest, html in pages}) == READERS


async def test_while_a_members_due_frame_renders_their_other_requests_get_the_one_they_had(
    listed, monkeypatch
):
    cookie = await _signed_in(await _member())
    await _twice("/", cookie)
    later = datetime.now(UTC) + timedelta(seconds=list_cache.list_page_seconds() + 1)
    with time_machine.travel(later):  # the frame is due: rendered again by one request
        renders = HeldRenders(monkeypatch, lists)
        served, waiting = fast_list.served_members, single_flight.waiting
        readers = [asyncio.create_task(get("/", cookie)) for _ in range(READERS)]
        await renders.wait_started()
        await _until(lambda: sum(task.done() for task in readers) == READERS - 1)
        assert fast_list.served_members == served + READERS - 1
        assert single_flight.waiting == waiting
        renders.release()
        pages = await asyncio.gather(*readers)
        assert renders.count == 1
        assert all("data-live-points-value>1234<" in html for *_rest, html in pages)
        # Rendered again, the frame is no longer due.
        served = fast_list.served_members
        await get("/", cookie)
        assert fast_list.served_members == served + 1


async def test_when_the_recorded_headers_lapse_one_members_request_renders(listed, monkeypatch):
    """As for a question page (test_fast_member_thread): one render records the headers
    every member's list replays, the others wait for it."""
    cookie = await _signed_in(await _member())
    await _twice("/", cookie)
    lapsed = [cache.make_key(fast_list._member_headers_key(code)) for code in ("en", "it")]  # noqa: SLF001
    assert await fast_page._client().delete(*lapsed) == 1  # noqa: SLF001
    await rendered_once(monkeypatch, lists, "/", cookie, lambda: fast_list.served_members)
