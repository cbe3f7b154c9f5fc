"""One render per stored page at a time, for the pages served on the event loop.

When a stored page is missing (it expired, or a published change moved its key), every
request for it used to go to Django at once: under `wrk -c32` the 32 requests of an
expired list queued in Django's one view thread and each rendered the same page, so the
slowest waited for 32 renders (P1: p99 38-148x p50). Now the first request for a key
renders it (`lead`), and the others wait for it on the event loop and are then served the
stored copy. Within a process the waiters await the leader's future; across processes the
leader holds a short Redis lock (`SET NX PX`), and the requests that find it taken wait
(one of them polling Redis for all) until the lock goes (its holder rendered, or died and
the lock lapsed) before they look again. A request that can be sent something else meanwhile (a list's last page) is sent
that instead of waiting (fast_page.served_once). A waiter that still finds nothing (the
page was not storable: a 404, a member's cookie) goes to Django itself.
"""

from __future__ import annotations

import asyncio
import logging
import os
import time
import weakref
from collections.abc import Awaitable, Callable
from typing import TypeVar

import redis.asyncio as aioredis

logger = logging.getLogger(__name__)
T = TypeVar("T")

LOCK_KEY = "page-rendering:{key}"
# The lock lapses after this, should its holder die mid-render.
LOCK_MILLISECONDS = 10_000
# A process waiting for another's render looks for the lock this often, at most.
MAX_PAUSE_SECONDS = 0.05
_RELEASE = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end"

_flights: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, dict[str, asyncio.Future]] = (
    weakref.WeakKeyDictionary()
)
# The tasks watching another process's render (referenced until done).
_pollers: set[asyncio.Task] = set()
# Counted by the tests: requests now waiting for another request's render.
waiting = 0


class Flight:
    """The right to render `key`: `await flight.land()` when done (stored or not), or
    `await flight.run(render)`."""

    def __init__(self, client: aioredis.Redis, key: str, future: asyncio.Future) -> None:
        self.client, self.key, self.future = client, key, future
        self.token = os.urandom(8).hex()

    async def run(self, render: Callable[[], Awaitable[T]]) -> T:
        """`render()`, then land, whatever happens."""
        try:
            return await render()
        finally:
            await self.land()

    async def land(self) -> None:
        try:
            await self.client.eval(_RELEASE, 1, LOCK_KEY.format(key=self.key), self.token)
        finally:
            _finish(self.key, self.future)


def _finish(key: str, future: asyncio.Future) -> None:
    flights = _flights.get(asyncio.get_running_loop(), {})
    if flights.get(key) is future:
        del flights[key]
    if not future.done():
        future.set_result(None)


async def lead(client: aioredis.Redis, key: str) -> Flight | None:
    """A Flight when this request is to render `key`; None when another request (of this
    process or another) renders it now. Deciding and registering happen together: of the
    requests that find a page missing at the same moment, one leads and every other one
    knows it (a separate check first let a burst of them all see nobody rendering)."""
    loop = asyncio.get_running_loop()
    flights = _flights.setdefault(loop, {})
    if key in flights:
        return None
    future = flights[key] = loop.create_future()
    flight = Flight(client, key, future)
    try:
        if await client.set(LOCK_KEY.format(key=key), flight.token, nx=True, px=LOCK_MILLISECONDS):
            return flight
    except BaseException:
        _finish(key, future)
        raise
    # Another process renders it. The requests of this process that asked meanwhile wait
    # on `future`, and so do later ones: it is done once that lock goes (one request
    # polls Redis for all of them), not now: done now, they would look again before the
    # render ended, find nothing, and after FLIGHT_ATTEMPTS render it each in Django (the
    # P1 bench saw 14 renders of one page in one process, behind nginx).
    poller = loop.create_task(_finish_when_gone(client, key, future))
    _pollers.add(poller)
    poller.add_done_callback(_pollers.discard)
    return None


async def _finish_when_gone(client: aioredis.Redis, key: str, future: asyncio.Future) -> None:
    try:
        await _lock_gone(client, LOCK_KEY.format(key=key))
    except Exception:  # Redis away: the waiters look again, and render if need be
        logger.warning("Could not watch the render of %s in another process", key, exc_info=True)
    finally:
        _finish(key, future)


async def wait(client: aioredis.Redis, key: str) -> None:
    """Until the request rendering `key` is done: in this process, its leader's future; in
    another, the Redis lock gone (its holder rendered, or died and the lock lapsed), which
    this process's future for the key also waits for, when it has one (`lead`)."""
    global waiting  # noqa: PLW0603
    waiting += 1
    try:
        running = _flights.get(asyncio.get_running_loop(), {}).get(key)
        if running is not None:
            await asyncio.shield(running)
        else:
            await _lock_gone(client, LOCK_KEY.format(key=key))
    finally:
        waiting -= 1


async def _lock_gone(client: aioredis.Redis, lock: str) -> None:
    deadline = time.monotonic() + LOCK_MILLISECONDS / 1000
    pause = 0.002
    while time.monotonic() < deadline and await client.exists(lock):
        await asyncio.sleep(pause)  # another process: only Redis can tell us
        pause = min(pause * 2, MAX_PAUSE_SECONDS)
