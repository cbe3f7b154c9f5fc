"""Reads that many sockets ask at once, made once for all of them; writes they make at
once, made together.

After a deploy every open page reconnects within a second or two, and every viewer of a
thread asks the same thing: the stream's backlog after the same id (bench/p4_storm.py:
1,000 sockets in 2 s, one round trip to Redis each). `SharedReads` answers callers that
ask the same key while a read of it is in flight with one read that starts once that one
has ended: each caller's answer is read after it asked (a socket that subscribed, then
asked for the backlog, finds in it everything published before its subscription), and a
burst costs a read per round trip instead of a read per socket. A caller that asks when
nothing is in flight starts a read of its own.

Each read or write starts on the event loop's next turn, not inside the call that asked
for it: what is asked before it starts (the other sockets whose messages arrived in the
same turn, the broadcasts whose presence was read together) goes in it too, instead of
the first caller's going alone and everyone else's waiting for the one after.

`CombinedWrites` does the same for writes: the presence entries of the sockets that join a
thread while one is being written go to Redis in the next pipeline, together.

`CombinedReads` is for lookups of many keys, where the sockets of a storm each ask a key
of their own (the visibility of their own question, forum.streams): the keys asked while
a lookup is in flight are looked up together by the next one, which starts once that one
has ended. A caller whose key is in the lookup in flight waits for that one, or, where
its answer must be read after it asked (`fresh=True`), for the next.

One instance per kind of read or write, used from one event loop at a time (an instance
seen from another loop, as in tests, starts afresh there).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Hashable, Mapping
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)
T = TypeVar("T")


class SharedReads(Generic[T]):
    """Concurrent reads of the same key: one in flight, the callers after it share the next."""

    def __init__(self) -> None:
        self._loop: asyncio.AbstractEventLoop | None = None
        self._reading: dict[Hashable, asyncio.Future[T]] = {}  # the read in flight
        self._unstarted: set[Hashable] = set()  # keys whose read has not started yet
        # The read that follows it: its callers' future, and what to call.
        self._next: dict[Hashable, tuple[asyncio.Future[T], Callable[[], Awaitable[T]]]] = {}

    async def read(self, key: Hashable, read: Callable[[], Awaitable[T]]) -> T:
        """`await read()`, or the result of a read of `key` that starts after this call."""
        loop = asyncio.get_running_loop()
        if self._loop is not loop:
            self._loop, self._reading, self._next, self._unstarted = loop, {}, {}, set()
        if key not in self._reading:
            self._unstarted.add(key)
            answer = self._reading[key] = loop.create_task(self._run(key, read))
            answer.add_done_callback(lambda done: self._finished(key, done))
        elif key in self._unstarted:
            answer = self._reading[key]  # not started: it is read after this call anyway
        elif key in self._next:
            answer = self._next[key][0]
        else:
            answer = loop.create_future()
            answer.add_done_callback(_retrieve)
            self._next[key] = (answer, read)
        # Shielded: a caller cancelled (its socket closed) does not cancel the others' read.
        return await asyncio.shield(answer)

    async def _run(self, key: Hashable, read: Callable[[], Awaitable[T]]) -> T:
        self._unstarted.discard(key)
        return await read()

    def _finished(self, key: Hashable, done: asyncio.Future[T]) -> None:
        if self._reading.get(key) is done:
            del self._reading[key]
            self._unstarted.discard(key)  # cancelled before it started
        _retrieve(done)
        if key not in self._next:
            return
        # The callers who asked during that read get the next one, which starts now.
        waiting, read = self._next.pop(key)
        self._unstarted.add(key)
        task = self._reading[key] = asyncio.ensure_future(self._run(key, read))
        task.add_done_callback(lambda result: _copy(result, waiting))
        task.add_done_callback(lambda result: self._finished(key, result))


def _retrieve(done: asyncio.Future) -> None:
    """Mark an exception as seen: no "never retrieved" warning when every caller left."""
    if not done.cancelled():
        done.exception()


def _copy(source: asyncio.Future[T], target: asyncio.Future[T]) -> None:
    if target.done():
        return
    if source.cancelled():
        target.cancel()
    elif source.exception() is not None:
        target.set_exception(source.exception())
    else:
        target.set_result(source.result())


class CombinedWrites(Generic[T]):
    """Items added while a write is in flight go out together in the next write, which
    starts once that one has ended; each `add` returns (or raises) with the write that
    held its item. An item added when no write is in flight starts a write, which the
    items added before it starts join."""

    def __init__(self, write: Callable[[list[T]], Awaitable[None]]) -> None:
        self._write = write
        self._loop: asyncio.AbstractEventLoop | None = None
        self._writing: asyncio.Future[None] | None = None
        self._unstarted: list[T] | None = None  # the items of the write not started yet
        self._next: tuple[asyncio.Future[None], list[T]] | None = None

    async def add(self, item: T) -> None:
        loop = asyncio.get_running_loop()
        if self._loop is not loop:
            self._loop, self._writing, self._next, self._unstarted = loop, None, None, None
        if self._writing is None:
            written = self._start([item])
        elif self._unstarted is not None:
            self._unstarted.append(item)
            written = self._writing
        else:
            if self._next is None:
                future: asyncio.Future[None] = loop.create_future()
                future.add_done_callback(_retrieve)
                self._next = (future, [])
            written, items = self._next
            items.append(item)
        await asyncio.shield(written)

    def _start(self, items: list[T]) -> asyncio.Future[None]:
        self._unstarted = items
        task = self._writing = asyncio.ensure_future(self._run(items))
        task.add_done_callback(self._finished)
        return task

    async def _run(self, items: list[T]) -> None:
        self._unstarted = None  # from here on, what is added waits for the next write
        await self._write(items)

    def _finished(self, done: asyncio.Future[None]) -> None:
        _retrieve(done)
        self._writing = self._unstarted = None
        if self._next is not None:
            future, items = self._next
            self._next = None
            self._start(items).add_done_callback(lambda result: _copy(result, future))


class CombinedReads(Generic[K, T]):
    """`read(group, keys)` answers many keys at once ({key: answer} for each of `keys`).
    Lookups of different groups (whose answers differ: one per member, say) are made
    separately; within a group, at most one is in flight and the keys asked meanwhile
    wait for the next, made together once it has ended. A lookup starts on the loop's next
    turn, and the keys asked before then join it."""

    def __init__(
        self, read: Callable[[Hashable, list[K]], Awaitable[Mapping[K, T]]], fresh: bool = False
    ) -> None:
        self._read = read
        self._fresh = fresh
        self._loop: asyncio.AbstractEventLoop | None = None
        # By group: the lookup in flight and its keys; the next one's future and keys.
        self._reading: dict[Hashable, tuple[asyncio.Future[Mapping[K, T]], set[K]]] = {}
        self._next: dict[Hashable, tuple[asyncio.Future[Mapping[K, T]], list[K]]] = {}
        self._unstarted: dict[Hashable, list[K]] = {}  # the keys of lookups not started yet

    async def get(self, group: Hashable, key: K) -> T:
        loop = asyncio.get_running_loop()
        if self._loop is not loop:
            self._loop, self._reading, self._next, self._unstarted = loop, {}, {}, {}
        if group not in self._reading:
            answers = self._start(group, [key])
        elif group in self._unstarted:
            answers, asked = self._reading[group]
            if key not in asked:
                asked.add(key)
                self._unstarted[group].append(key)
        elif not self._fresh and key in self._reading[group][1]:
            answers = self._reading[group][0]
        else:
            if group not in self._next:
                future: asyncio.Future[Mapping[K, T]] = loop.create_future()
                future.add_done_callback(_retrieve)
                self._next[group] = (future, [])
            answers, keys = self._next[group]
            if key not in keys:
                keys.append(key)
        # Shielded: a caller cancelled (its socket closed) does not cancel the others' read.
        return (await asyncio.shield(answers))[key]

    def _start(self, group: Hashable, keys: list[K]) -> asyncio.Future[Mapping[K, T]]:
        self._unstarted[group] = keys
        task = asyncio.ensure_future(self._run(group, keys))
        self._reading[group] = (task, set(keys))
        task.add_done_callback(lambda done: self._finished(group, done))
        return task

    async def _run(self, group: Hashable, keys: list[K]) -> Mapping[K, T]:
        del self._unstarted[group]  # from here on, keys asked wait for the next lookup
        return await self._read(group, keys)

    def _finished(self, group: Hashable, done: asyncio.Future[Mapping[K, T]]) -> None:
        _retrieve(done)
        if self._reading.get(group, (None,))[0] is done:
            del self._reading[group]
            self._unstarted.pop(group, None)  # cancelled before it started
        if group in self._next:
            future, keys = self._next.pop(group)
            self._start(group, keys).add_done_callback(lambda result: _copy(result, future))
