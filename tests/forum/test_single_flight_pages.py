"""A missing stored page is rendered once however many readers ask for it at the same
time (forum/views/single_flight.py): the others wait on the event loop and are served
the stored copy. Through the ASGI app, on PostgreSQL + Redis."""

from __future__ import annotations

import asyncio
import threading
import time

import pytest
import redis
import time_machine
from asgiref.sync import sync_to_async
from django.conf import settings
from django.core.cache import cache

from forum.views import fast_list, list_cache, lists, single_flight
from forum.views.questions import detail, fast_page, thread_cache, thread_snapshot
from live.backlog import KEY_PREFIX as LIVE_KEY_PREFIX
from live.backlog import last_id
from tests.factories import AnswerFactory, QuestionFactory
from tests.forum.test_fast_page import get
from tests.pages import NEEDS_FAST_PATHS, csrf_tokens

pytestmark = [
    pytest.mark.django_db(transaction=True),
    NEEDS_FAST_PATHS,
]
READERS = 5
TITLE = "Roaming in Svizzera?"


@pytest.fixture(autouse=True)
async def _page_cache_on(settings):
    settings.CIRCOLO_THREAD_PAGE_SECONDS = 60
    settings.CIRCOLO_LIST_PAGE_SECONDS = 60
    yield
    await fast_page.close_client()


@pytest.fixture
def question(db):
    question = QuestionFactory(title=TITLE)
    AnswerFactory(question=question, body="Attiva l'opzione Europa.")
    return question


class HeldRenders:
    """`module.render`, counted, each held until `release()` (in Django's view thread)."""

    def __init__(self, monkeypatch, module) -> None:  # noqa: ANN001
        self.count, self.started, self.released = 0, threading.Event(), threading.Event()
        real = module.render

        def held(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
            self.count += 1
            self.started.set()
            assert self.released.wait(10)
            return real(*args, **kwargs)

        monkeypatch.setattr(module, "render", held)

    async def wait_started(self) -> None:
        assert await asyncio.to_thread(self.started.wait, 10)

    def release(self) -> None:
        self.released.set()


async def _until(condition) -> None:  # noqa: ANN001
    """Until `condition()` holds, letting the event loop run the requests meanwhile."""
    deadline = time.monotonic() + 10
    while not condition():
        assert time.monotonic() < deadline, "condition never held"
        await asyncio.sleep(0)


async def rendered_once(monkeypatch, view, path: str, cookie: tuple, served) -> list:  # noqa: ANN001
    """READERS requests of one member for `path` at once, its render in `view` held: one
    renders, the others wait for it and are then served the stored page (counted by
    `served()`). Returns every reader's page."""
    renders = HeldRenders(monkeypatch, view)
    before, waiting = served(), single_flight.waiting
    readers = [asyncio.create_task(get(path, cookie)) for _ in range(READERS)]
    await renders.wait_started()
    await _until(lambda: single_flight.waiting == waiting + READERS - 1)
    renders.release()
    pages = await asyncio.gather(*readers)
    assert renders.count == 1
    assert served() == before + READERS - 1
    assert all(status == 200 for status, _headers, _html in pages)
    return pages


async def rows_stamp(question) -> str:  # noqa: ANN001
    """The stamp of the thread's rows as stored (thread_snapshot): new when read again."""
    live_since = await sync_to_async(last_id)(f"question.{question.pk}")
    stamp, _built, _views = await sync_to_async(cache.get)(
        thread_snapshot.head_key(question.pk, live_since)
    )
    return stamp


async def _readers(path: str, *headers: tuple[bytes, bytes]) -> list[asyncio.Task]:
    return [
        asyncio.create_task(get(path, *headers, address=f"10.0.1.{n}"))
        for n in range(1, READERS + 1)
    ]


async def _served_while_the_render_is_held(
    monkeypatch,
    view,
    path: str,
    served,
    *headers,  # noqa: ANN001, ANN002
) -> tuple[list, HeldRenders]:
    """READERS readers of `path` (sending `headers`) while its render in `view` is held:
    one renders it, the others are served at once (counted by `served()`), never waiting.
    Returns every reader's page, and the renders."""
    renders = HeldRenders(monkeypatch, view)
    before, waiting = served(), single_flight.waiting
    readers = await _readers(path, *headers)
    await renders.wait_started()
    await _until(lambda: sum(task.done() for task in readers) == READERS - 1)
    assert renders.count == 1  # still held: the others never waited for it
    assert served() == before + READERS - 1
    assert single_flight.waiting == waiting
    renders.release()
    pages = await asyncio.gather(*readers)
    assert renders.count == 1
    assert all(status == 200 and TITLE in html for status, _headers, html in pages)
    return pages, renders


async def _last_page_while_the_render_is_held(monkeypatch, *headers) -> list:  # noqa: ANN001, ANN002
    """The list `/` while its render is held: the others get the last page (a member: the
    last body, in their frame)."""
    pages, _renders = await _served_while_the_render_is_held(
        monkeypatch, lists, "/", lambda: fast_list.served_last, *headers
    )
    return pages


async def test_concurrent_misses_of_a_list_render_it_once(question, monkeypatch):
    renders = HeldRenders(monkeypatch, lists)
    served, waiting = fast_list.served, single_flight.waiting
    readers = await _readers("/")
    await renders.wait_started()
    await _until(lambda: single_flight.waiting == waiting + READERS - 1)
    assert renders.count == 1
    renders.release()
    pages = await asyncio.gather(*readers)
    assert renders.count == 1
    assert fast_list.served == served + READERS - 1
    assert all(status == 200 and TITLE in html for status, _headers, html in pages)


async def test_while_a_due_list_renders_its_readers_get_the_last_page_at_once(
    question, monkeypatch
):
    status, _headers, html = await get("/")  # rendered and stored
    assert status == 200
    assert TITLE in html
    await asyncio.to_thread(list_cache.bump_list_version)  # a change: the page is due
    pages = await _last_page_while_the_render_is_held(monkeypatch)
    tokens = [csrf_tokens(html) for _status, _headers, html in pages]
    assert all(len(mine) == 1 for mine in tokens)
    assert len(set().union(*tokens)) == READERS  # each reader's own, the last page's too


async def test_readers_of_a_due_list_arriving_together_get_the_last_page_at_once(
    question, monkeypatch
):
    """All of them find the page missing before any starts to render it (a burst, as
    `wrk -c32` sends after an expiry): one renders, the others do not wait for it."""
    status, _headers, _html = await get("/")
    assert status == 200
    await asyncio.to_thread(list_cache.bump_list_version)
    together = asyncio.Barrier(READERS)
    real_serve = fast_list._serve

    async def serve_then_meet(*args):  # noqa: ANN002, ANN202
        missing = await real_serve(*args)
        await together.wait()  # every reader has found the page missing
        return missing

    monkeypatch.setattr(fast_list, "_serve", serve_then_meet)
    await _last_page_while_the_render_is_held(monkeypatch)


def _expire_within(seconds: int) -> None:
    """What Redis would have expired once `seconds` have passed: every key that had at
    most that long to live (the cache's database)."""
    client = redis.Redis.from_url(settings.CACHES["default"]["LOCATION"])
    try:
        for key in client.scan_iter():
            if 0 <= client.ttl(key) <= seconds:
                client.delete(key)
    finally:
        client.close()


async def test_an_expired_lists_readers_get_the_last_page_at_once(question, monkeypatch):
    """A list page expires every CIRCOLO_LIST_PAGE_SECONDS; the headers replayed with the
    last page must outlive it (they expired with the page, and every reader waited for
    the render: P1 saw p99 at 0.35-0.43 s on `/`)."""
    status, _headers, html = await get("/")  # rendered and stored
    assert status == 200
    await asyncio.to_thread(_expire_within, list_cache.list_page_seconds())
    await _last_page_while_the_render_is_held(monkeypatch)


async def test_concurrent_misses_of_a_thread_render_it_once(question, monkeypatch):
    renders = HeldRenders(monkeypatch, detail)
    served, waiting = fast_page.served, single_flight.waiting
    readers = await _readers(f"/q/{question.pk}/")
    await renders.wait_started()
    await _until(lambda: single_flight.waiting == waiting + READERS - 1)
    renders.release()
    pages = await asyncio.gather(*readers)
    assert renders.count == 1
    assert fast_page.served == served + READERS - 1
    assert all(status == 200 and TITLE in html for status, _headers, html in pages)


async def test_a_render_in_another_process_is_waited_for(question, monkeypatch):
    """Another process holds the page's lock: this process's readers wait until it goes
    (here it lapses with nothing stored, as when that process died), then one renders."""
    client = fast_page._client()  # noqa: SLF001
    feed_id, version = await client.mget(
        f"{LIVE_KEY_PREFIX}:seq:feed", cache.make_key(list_cache.LIST_VERSION_KEY)
    )
    key = list_cache.page_key_for(
        "/", "", settings.LANGUAGE_CODE, int(feed_id or 0), int(version or 0)
    )
    lock = single_flight.LOCK_KEY.format(key=cache.make_key(key))
    await client.set(lock, "another process", px=single_flight.LOCK_MILLISECONDS)
    polls = 0
    exists = client.exists

    async def polled(*keys):  # noqa: ANN002, ANN202
        nonlocal polls
        polls += 1
        return await exists(*keys)

    monkeypatch.setattr(client, "exists", polled)
    renders = HeldRenders(monkeypatch, lists)
    served, waiting = fast_list.served, single_flight.waiting
    readers = await _readers("/")
    await _until(lambda: single_flight.waiting == waiting + READERS)
    await _until(lambda: polls >= 5)  # the lock looked at again and again
    assert renders.count == 0  # nobody gave up waiting
    assert single_flight.waiting == waiting + READERS
    assert len(single_flight._pollers) == 1  # noqa: SLF001 - one request polls for all
    await client.delete(lock)
    await renders.wait_started()
    renders.release()
    pages = await asyncio.gather(*readers)
    assert renders.count == 1
    assert fast_list.served == served + READERS - 1
    assert all(status == 200 and TITLE in html for status, _headers, html in pages)
    assert not await client.exists(lock)


async def test_a_page_that_is_never_stored_goes_to_django_for_each_waiter(db):
    """A missing tag is a 404, never stored: every waiter gets Django's answer, and the
    lock is let go."""
    pages = await asyncio.gather(*await _readers("/tags/no-such-tag/"))
    assert [status for status, _headers, _html in pages] == [404] * READERS
    assert single_flight._flights.get(asyncio.get_running_loop(), {}) == {}  # noqa: SLF001


async def test_a_thread_page_about_to_expire_is_rendered_again_while_its_readers_are_served(
    question, monkeypatch
):
    """In its last seconds (thread_cache.page_due) one reader has Django render the page
    again; the others are still served the stored one, never waiting. When it expired
    instead, every reader waited for the render (P1, a slow machine: p99 0.4-1.3 s)."""
    path = f"/q/{question.pk}/"
    status, _headers, _html = await get(path)  # rendered and stored
    assert status == 200
    stamp = await rows_stamp(question)
    due = time.time() + thread_cache.thread_page_seconds() - 5
    with time_machine.travel(due, tick=True):
        _pages, renders = await _served_while_the_render_is_held(
            monkeypatch, detail, path, lambda: fast_page.served
        )
        assert await rows_stamp(question) != stamp  # read again, as old as the page
        served = fast_page.served
        # Stored again: the next reader is served it, nothing renders.
        await get(path)
        assert renders.count == 1
        assert fast_page.served == served + 1
