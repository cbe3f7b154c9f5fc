"""Signed-in question pages served on the event loop (forum/views/questions/fast_page.py):
the member's frame (forum/views/member_frame.py) around the body they share with every
member who sees the same thread the same way, as Django last rendered it for them. The
same page Django renders; their view counted once an hour, as Django counts it; their
own vote or follow shows at once; the asker and the insiders are always Django's."""

from __future__ import annotations

import time

import pytest
import time_machine
from asgiref.sync import sync_to_async
from django.core.cache import cache

from forum import services
from forum.follows.services import set_following
from forum.models import Question
from forum.views.questions import detail, fast_page, thread_cache
from tests.factories import AnswerFactory, QuestionFactory, UserFactory
from tests.forum.test_fast_member_list import _committed, _signed_in
from tests.forum.test_fast_member_list import _twice as twice
from tests.forum.test_fast_page import _headers, _same_page, _token, get
from tests.forum.test_single_flight_pages import (
    TITLE,
    _served_while_the_render_is_held,
    rendered_once,
    rows_stamp,
)
from tests.pages import NEEDS_FAST_PATHS

pytestmark = [
    pytest.mark.django_db(transaction=True),
    NEEDS_FAST_PATHS,
]


@pytest.fixture(autouse=True)
async def _page_cache_on(settings):
    settings.CIRCOLO_THREAD_PAGE_SECONDS = 60
    settings.CIRCOLO_LIST_PAGE_SECONDS = 60
    yield
    await fast_page.close_client()


@pytest.fixture
def thread(db):
    question = QuestionFactory(title="Roaming in Svizzera: <b>come</b>?")
    AnswerFactory(question=question, body="Attiva l'opzione Europa dall'app.", score=3)
    return question


async def _member(**fields):  # noqa: ANN003, ANN202
    fields.setdefault("reputation", 500)  # may vote and comment
    return await sync_to_async(_committed)(lambda: UserFactory(**fields))


async def _twice(path: str, cookie: tuple) -> tuple[tuple, tuple]:
    return await twice(path, cookie, counted=fast_page)


async def _views(question: Question) -> int:
    return (await Question.objects.aget(pk=question.pk)).view_count


async def test_a_member_gets_djangos_page_from_the_event_loop(thread):
    member = await _member(username="giulia")
    cookie = await _signed_in(member)
    path = f"/q/{thread.pk}/"
    (status, headers, first), (again, again_headers, second) = await _twice(path, cookie)
    assert status == again == 200
    assert _headers(again_headers) == _headers(headers)
    assert _token(first) != _token(second)
    assert _same_page(second) == _same_page(first)
    assert "<title>Roaming in Svizzera: &lt;b&gt;come&lt;/b&gt;? · Circolo</title>" in second
    assert "opzione Europa dall" in second
    assert "/u/giulia/" in second
    assert f'name="next" value="{path}"' in second
    # Their visit counted once, as Django counts it.
    assert await _views(thread) == 1
    assert "Viewed 1 time" in second
    # Another member who sees the thread the same way shares the body, not the frame.
    other = await _signed_in(await _member(username="bruno"))
    (_status, _headers_, html), (_again, _headers_, again) = await _twice(path, other)
    assert await _views(thread) == 2
    assert "/u/bruno/" in again
    assert "/u/giulia/" not in again
    # An hour later the first member's visit, served from the event loop, counts again.
    await sync_to_async(cache.delete)(f"view:{thread.pk}:u{member.pk}")
    served = fast_page.served_members
    _status, _headers_, html = await get(path, cookie)
    assert fast_page.served_members == served + 1
    assert await _views(thread) == 3
    assert "Viewed 3 times" in html


async def test_the_members_own_vote_and_follow_show_at_once(thread):
    member = await _member()
    cookie = await _signed_in(member)
    path = f"/q/{thread.pk}/"
    await _twice(path, cookie)
    answer = await sync_to_async(lambda: thread.answers.get())()
    await sync_to_async(_committed)(lambda: services.cast_vote(actor=member, post=answer, value=1))
    _first, (_status, _headers_, html) = await _twice(path, cookie)
    assert "You upvoted this. Press again to withdraw." in html
    await sync_to_async(_committed)(
        lambda: set_following(actor=member, target=thread, following=True)
    )
    _first, (_status, _headers_, html) = await _twice(path, cookie)
    assert "You are notified of new activity." in html


async def test_the_asker_and_insiders_get_their_own_page(thread):
    asker = await sync_to_async(lambda: thread.author)()
    advocate = await _member(is_advocate=True)
    staff = await _member(is_staff=True)
    served = fast_page.served_members
    for who in (asker, advocate, staff):
        cookie = await _signed_in(who)
        for _ in range(3):
            status, _headers_, _html = await get(f"/q/{thread.pk}/", cookie)
            assert status == 200
    assert fast_page.served_members == served


async def test_a_members_concurrent_misses_render_their_page_once(thread, monkeypatch):
    cookie = await _signed_in(await _member())
    path = f"/q/{thread.pk}/"
    await _twice(path, cookie)
    helper = await _member()
    await sync_to_async(_committed)(  # published on the thread: the member's page is due
        lambda: services.post_answer(
            actor=helper, question=thread, body="Oppure chiedi al supporto di attivarla."
        )
    )
    await rendered_once(monkeypatch, detail, path, cookie, lambda: fast_page.served_members)


async def test_when_the_recorded_headers_lapse_one_members_request_renders(thread, monkeypatch):
    """Every member's thread page replays the headers Django last sent (kept a minute):
    when they lapse, one request renders (recording them) and the others wait for it,
    where each used to render the page in Django."""
    cookie = await _signed_in(await _member())
    path = f"/q/{thread.pk}/"
    await _twice(path, cookie)
    lapsed = [cache.make_key(fast_page._member_headers_key(code)) for code in ("en", "it")]  # noqa: SLF001
    assert await fast_page._client().delete(*lapsed) == 1  # noqa: SLF001
    await rendered_once(monkeypatch, detail, path, cookie, lambda: fast_page.served_members)


async def test_a_members_thread_page_about_to_expire_is_rendered_again_while_they_are_served(
    monkeypatch,
):
    """As an anonymous reader's (test_single_flight_pages.py): in the last seconds of the
    thread's rows (or of those the member's kept page shows), one of the member's
    requests has Django render it again from rows read afresh, while their others are
    still served the stored page."""
    question = await sync_to_async(_committed)(lambda: QuestionFactory(title=TITLE))
    cookie = await _signed_in(await _member())
    path = f"/q/{question.pk}/"
    await _twice(path, cookie)  # rendered and stored, then served
    stamp = await rows_stamp(question)
    due = time.time() + thread_cache.thread_page_seconds() - 5
    with time_machine.travel(due, tick=True):
        _pages, renders = await _served_while_the_render_is_held(
            monkeypatch, detail, path, lambda: fast_page.served_members, cookie
        )
        assert await rows_stamp(question) != stamp
        served = fast_page.served_members
        await get(path, cookie)  # stored again: served, nothing renders
        assert renders.count == 1
        assert fast_page.served_members == served + 1
