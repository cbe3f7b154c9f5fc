"""Django's synchronous part of each request on a fixed set of threads per process
(config/view_threads.py): kept from one request to the next, the least busy one given to
each request, several requests at once on different threads."""

from __future__ import annotations

import threading

import pytest
from asgiref.sync import AsyncToSync
from django.core.handlers.asgi import ASGIHandler
from django.db import connections
from django.http import HttpResponse
from django.urls import path

from config import view_threads
from tests.pages import asgi_get

pytestmark = pytest.mark.django_db(transaction=True)

_kept = threading.local()
_meet = threading.Barrier(2)


def where(request):  # noqa: ANN001, ANN201
    """The thread's name and how many requests it has served (what it keeps)."""
    _kept.served = getattr(_kept, "served", 0) + 1
    return HttpResponse(f"{threading.current_thread().name} {_kept.served}")


def meet(request):  # noqa: ANN001, ANN201
    """Returns only once another request is in here at the same time."""
    _meet.wait(timeout=10)
    return HttpResponse(threading.current_thread().name)


def fail(request):  # noqa: ANN001, ANN201
    raise RuntimeError("a view that fails")


urlpatterns = [path("where", where), path("meet", meet), path("fail", fail)]


@pytest.fixture
def handler(settings):
    settings.ROOT_URLCONF = __name__
    settings.CIRCOLO_VIEW_THREADS = 2
    app = view_threads.get_asgi_application()
    yield app
    for lane in app.lanes:  # the threads outlive the test: so would their connections
        lane.executor.submit(connections.close_all).result()
        lane.executor.shutdown()


async def get(app, url: str) -> tuple[int, str]:  # noqa: ANN001
    status, _headers, body = await asgi_get(app, url)
    return status, body


async def test_requests_one_after_the_other_reuse_one_thread_and_what_it_keeps(handler):
    answers = [await get(handler, "/where") for _ in range(4)]

    names = {body.split()[0] for _, body in answers}
    assert len(names) == 1
    assert names.pop().startswith("view-1")
    assert [int(body.split()[1]) for _, body in answers] == [1, 2, 3, 4]
    assert [lane.requests for lane in handler.lanes] == [0, 0]


async def test_requests_at_the_same_time_run_on_different_threads(handler):
    import asyncio

    first, second = await asyncio.gather(get(handler, "/meet"), get(handler, "/meet"))

    assert first[0] == second[0] == 200
    assert {first[1].split("_")[0], second[1].split("_")[0]} == {"view-1", "view-2"}
    assert [lane.requests for lane in handler.lanes] == [0, 0]


async def test_a_failing_view_answers_500_and_frees_its_thread(handler, settings):
    settings.DEBUG_PROPAGATE_EXCEPTIONS = False

    status, _ = await get(handler, "/fail")

    assert status == 500
    assert [lane.requests for lane in handler.lanes] == [0, 0]
    assert (await get(handler, "/where"))[1].startswith("view-1")


def test_no_view_threads_is_djangos_own_handler(settings):
    settings.CIRCOLO_VIEW_THREADS = 0

    app = view_threads.get_asgi_application()

    assert type(app) is ASGIHandler


async def test_a_request_enters_its_thread_once_and_never_goes_back_to_the_loop(
    handler, monkeypatch
):
    crossings = []
    real_call = AsyncToSync.__call__

    def counting_call(self, *args, **kwargs):  # noqa: ANN001, ANN002, ANN003, ANN202
        crossings.append(self)
        return real_call(self, *args, **kwargs)

    monkeypatch.setattr(AsyncToSync, "__call__", counting_call)
    plain = ASGIHandler()  # Django's chain, for comparison
    plain.load_middleware(is_async=True)

    assert (await get(handler, "/where"))[0] == 200
    assert crossings == []
    # Django's: a synchronous middleware calls the asynchronous view caller from its thread.
    handler._middleware_chain = plain._middleware_chain  # noqa: SLF001
    assert (await get(handler, "/where"))[0] == 200
    assert crossings
