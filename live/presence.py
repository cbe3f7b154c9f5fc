"""Who is viewing a question and who is writing an answer: `presence` events.

`{"stream": "question.12", "type": "presence", "data": {"viewers": 3, "typing": ["anna"],
"typing_names": ["Anna Rossi"]}}`. Presence is ephemeral: no id, never stored in the
backlog, never replayed; a new subscriber is sent the current state directly.

Viewers are counted once per member (two tabs are one viewer; each anonymous socket is
one). A `typing` message marks its member as writing for LIVE_TYPING_SECONDS.

State lives in Redis when configured, so every process counts everyone, with a
timestamp per socket refreshed by each process once a minute: a process that dies
without saying goodbye stops counting after STALE_SECONDS. Without Redis there is one
process, and the state is in its memory, with the same timestamps. Either way an entry
is refreshed only while its socket's consumer is alive and has not closed (the `alive`
callable given to `join`), so an entry whose cleanup never ran (a consumer killed
mid-close) stops counting after STALE_SECONDS instead of haunting the thread.

Changes are coalesced: all joins, leaves and typing starts of one stream within
LIVE_PRESENCE_DELAY go out as one event (a burst of 1,000 viewers arriving would
otherwise send each of them up to 1,000 presence frames). On a crowded stream the window
grows with the audience, so that presence costs at most about LIVE_PRESENCE_RATE frames
per second per stream (up to LIVE_PRESENCE_MAX_DELAY): a broadcast to 1,000 sockets every
0.25 s is 4,000 frames/s, more than one server process can send at all, and during a
reconnect storm it starved the handshakes and subscriptions themselves
(bench/p4_storm.py). On such a stream a new subscriber is also told the state read
within that window, not a fresh read of every viewer; the broadcast its own arrival
schedules brings the exact count shortly after.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
import weakref
from collections import defaultdict
from collections.abc import Callable

from channels.layers import get_channel_layer

from live import redis_clients
from live.batching import CombinedReads, CombinedWrites
from live.conf import live_setting, redis_url
from live.layers import send_to_groups
from live.streams import group_name

logger = logging.getLogger(__name__)

KEY_PREFIX = "circolo:live"
# The number of viewers, who is typing (username, name), and when the first typing mark
# lapses (None when nobody types).
Snapshot = tuple[int, list[tuple[str, str]], float | None]
REFRESH_SECONDS = 60
STALE_SECONDS = 3 * REFRESH_SECONDS


class MemoryStore:
    def __init__(self) -> None:
        # stream -> channel -> (viewer key, last refreshed)
        self.viewers: dict[str, dict[str, tuple[str, float]]] = defaultdict(dict)
        self.typing: dict[str, dict[tuple[str, str], float]] = defaultdict(dict)

    async def join(self, stream: str, channel: str, viewer_key: str) -> None:
        self.viewers[stream][channel] = (viewer_key, time.time())

    async def leave(self, stream: str, channel: str, viewer_key: str) -> None:
        self.viewers[stream].pop(channel, None)
        if not self.viewers[stream]:
            del self.viewers[stream]
            self.typing.pop(stream, None)

    async def refresh(self, entries: list[tuple[str, str, str]]) -> None:
        now = time.time()
        for stream, channel, viewer_key in entries:
            if channel in self.viewers.get(stream, {}):
                self.viewers[stream][channel] = (viewer_key, now)

    async def set_typing(self, stream: str, username: str, name: str, until: float) -> bool:
        now = time.time()
        typing = self.typing[stream]
        was_typing = typing.get((username, name), 0) > now
        typing[(username, name)] = until
        return not was_typing

    async def snapshot(self, stream: str) -> Snapshot:
        now = time.time()
        typing = self.typing.get(stream, {})
        for who in [who for who, until in typing.items() if until <= now]:
            del typing[who]
        entries = self.viewers.get(stream, {})
        for stale in [c for c, (_key, seen) in entries.items() if seen <= now - STALE_SECONDS]:
            del entries[stale]
        viewers = len({key for key, _seen in entries.values()})
        ordered = sorted(typing.items(), key=lambda item: item[1])
        return viewers, [who for who, _until in ordered], min(typing.values(), default=None)


class RedisStore:
    def _viewers_key(self, stream: str) -> str:
        return f"{KEY_PREFIX}:viewers:{stream}"

    def _typing_key(self, stream: str) -> str:
        return f"{KEY_PREFIX}:typing:{stream}"

    async def join(self, stream: str, channel: str, viewer_key: str) -> None:
        await _redis_joins.add((stream, channel, viewer_key))

    async def leave(self, stream: str, channel: str, viewer_key: str) -> None:
        await redis_clients.async_client().zrem(
            self._viewers_key(stream), f"{viewer_key}|{channel}"
        )

    async def refresh(self, entries: list[tuple[str, str, str]]) -> None:
        if not entries:
            return
        now = time.time()
        async with redis_clients.async_client().pipeline(transaction=False) as pipe:
            for stream, channel, viewer_key in entries:
                key = self._viewers_key(stream)
                pipe.zadd(key, {f"{viewer_key}|{channel}": now})
                pipe.expire(key, STALE_SECONDS)
            await pipe.execute()

    async def set_typing(self, stream: str, username: str, name: str, until: float) -> bool:
        key = self._typing_key(stream)
        member = json.dumps([username, name], ensure_ascii=False)
        async with redis_clients.async_client().pipeline(transaction=True) as pipe:
            pipe.zremrangebyscore(key, "-inf", time.time())
            pipe.zadd(key, {member: until})
            pipe.expire(key, int(live_setting("LIVE_TYPING_SECONDS")) + 5)
            _removed, added, _ok = await pipe.execute()
        return bool(added)

    async def snapshot(self, stream: str) -> Snapshot:
        return await _redis_snapshots.get(None, stream)

    async def snapshots(self, streams: list[str]) -> dict[str, Snapshot]:
        """Several streams' snapshots, read in one transaction."""
        now = time.time()
        async with redis_clients.async_client().pipeline(transaction=True) as pipe:
            for stream in streams:
                vkey, tkey = self._viewers_key(stream), self._typing_key(stream)
                pipe.zremrangebyscore(vkey, "-inf", now - STALE_SECONDS)
                pipe.zrange(vkey, 0, -1)
                pipe.zremrangebyscore(tkey, "-inf", now)
                pipe.zrange(tkey, 0, -1, withscores=True)
            replies = await pipe.execute()
        answers = {}
        for n, stream in enumerate(streams):
            _pruned, viewers, _expired, typing = replies[4 * n : 4 * n + 4]
            keys = {member.decode().rpartition("|")[0] for member in viewers}
            who = [tuple(json.loads(member)) for member, _until in typing]
            answers[stream] = (len(keys), who, min((u for _m, u in typing), default=None))
        return answers


_memory_store = MemoryStore()


# A reconnect storm joins a thread's viewers by the hundred: the joins made while one
# pipeline is written go to Redis together in the next (live.batching).
_redis_joins: CombinedWrites[tuple[str, str, str]] = CombinedWrites(
    lambda entries: RedisStore().refresh(entries)
)
# ...and each new viewer, and each thread's coalesced broadcast, reads its thread's
# presence: the reads asked while one is in flight go together in the next transaction,
# which starts after they asked (so a viewer's read sees its own join). After a deploy,
# 1,000 viewers over 250 threads asked some 2,000 of them in two seconds
# (bench/p4_storm.py). Asked at once, 250 threads' reads cost 0.07 ms of CPU each this
# way, 0.15 ms in a transaction each.
_redis_snapshots: CombinedReads[str, Snapshot] = CombinedReads(
    lambda _group, streams: RedisStore().snapshots(streams), fresh=True
)
# ...and the broadcasts those reads make go to the channel layer together too (two round
# trips for them all with our layer, live.layers).
_broadcasts: CombinedWrites[tuple[str, dict]] = CombinedWrites(
    lambda sends: send_to_groups(get_channel_layer(), sends)
)


def get_store() -> MemoryStore | RedisStore:
    return RedisStore() if redis_url() else _memory_store


def reset_memory_store() -> None:
    """Forget all in-memory presence (tests)."""
    global _memory_store
    _memory_store = MemoryStore()


class Presence:
    """One per event loop: this process's sockets' presence, and the coalesced broadcasts."""

    def __init__(self) -> None:
        self.local: dict[tuple[str, str], str] = {}  # (stream, channel) -> viewer key
        self.alive: dict[tuple[str, str], Callable[[], bool]] = {}  # is its socket still open?
        self.local_count: dict[str, int] = defaultdict(int)  # stream -> sockets here
        self.pending: dict[str, asyncio.Task] = {}
        self.last_sent: dict[str, str] = {}
        self.refresher: asyncio.Task | None = None
        self.timers: dict[str, asyncio.TimerHandle] = {}
        self.audience: dict[str, int] = {}  # stream -> viewers at the last read
        self.snapshots: dict[str, tuple[float, str]] = {}  # stream -> (monotonic, frame)

    async def join(
        self, stream: str, channel: str, viewer_key: str, alive: Callable[[], bool] | None = None
    ) -> None:
        """`alive` says whether the socket is still open; its entry is refreshed only
        while it is (default: always, until `leave`)."""
        if (stream, channel) not in self.local:
            self.local_count[stream] += 1
        self.local[(stream, channel)] = viewer_key
        if alive is not None:
            self.alive[(stream, channel)] = alive
        await get_store().join(stream, channel, viewer_key)
        self.changed(stream)
        if self.refresher is None or self.refresher.done():
            self.refresher = asyncio.get_running_loop().create_task(self._refresh_forever())

    async def leave(self, stream: str, channel: str) -> None:
        viewer_key = self.local.pop((stream, channel), None)
        self.alive.pop((stream, channel), None)
        if viewer_key is None:
            return
        await get_store().leave(stream, channel, viewer_key)
        self.local_count[stream] -= 1
        if not self.local_count[stream]:
            del self.local_count[stream]
            self.last_sent.pop(stream, None)
            self.audience.pop(stream, None)
            self.snapshots.pop(stream, None)
        # Even with no local viewer left: sockets on other processes want the new count.
        self.changed(stream)

    async def typing(self, stream: str, username: str, name: str) -> None:
        until = time.time() + float(live_setting("LIVE_TYPING_SECONDS"))
        if await get_store().set_typing(stream, username, name, until):
            self.changed(stream)

    async def current(self, stream: str) -> str:
        """The encoded presence frame of `stream` as it is now (on a crowded stream: as it
        was read within the stream's coalescing window)."""
        window = self.window(stream)
        if window > float(live_setting("LIVE_PRESENCE_DELAY")):
            stamp, text = self.snapshots.get(stream, (-window, ""))
            if time.monotonic() - stamp < window:
                return text
        text, _next_expiry = await self._encode(stream)
        return text

    def window(self, stream: str) -> float:
        """How long changes of `stream` are coalesced: LIVE_PRESENCE_DELAY, longer for a
        crowded stream (its last known viewers / LIVE_PRESENCE_RATE), at most
        LIVE_PRESENCE_MAX_DELAY."""
        delay = float(live_setting("LIVE_PRESENCE_DELAY"))
        crowded = self.audience.get(stream, 0) / float(live_setting("LIVE_PRESENCE_RATE"))
        return min(max(delay, crowded), float(live_setting("LIVE_PRESENCE_MAX_DELAY")))

    def changed(self, stream: str, *, force: bool = True) -> None:
        """Schedule one presence broadcast for `stream` (coalescing further changes)."""
        if stream in self.pending:
            return
        self.pending[stream] = asyncio.get_running_loop().create_task(
            self._broadcast_later(stream, force)
        )

    async def _encode(self, stream: str) -> tuple[str, float | None]:
        viewers, typing, next_expiry = await get_store().snapshot(stream)
        data = {
            "viewers": viewers,
            "typing": [username for username, _name in typing],
            "typing_names": [name for _username, name in typing],
        }
        text = json.dumps(
            {"stream": stream, "type": "presence", "data": data},
            separators=(",", ":"),
            ensure_ascii=False,
        )
        if stream in self.local_count:
            self.audience[stream] = viewers
            self.snapshots[stream] = (time.monotonic(), text)
        return text, next_expiry

    async def _broadcast_later(self, stream: str, force: bool) -> None:
        try:
            await asyncio.sleep(self.window(stream))
        finally:
            self.pending.pop(stream, None)
        try:
            text, next_expiry = await self._encode(stream)
            if force or self.last_sent.get(stream) != text:
                if stream in self.local_count:
                    self.last_sent[stream] = text
                await _broadcasts.add(
                    (group_name(stream), {"type": "live.presence", "stream": stream, "text": text})
                )
        except Exception:  # Redis hiccup: presence is best effort, the next change retries
            logger.exception("Presence broadcast for %s failed", stream)
            return
        if next_expiry is not None:
            # Say when the typing stops: look again just after the earliest one lapses.
            delay = max(next_expiry - time.time(), 0) + 0.05
            if stream in self.timers:
                self.timers[stream].cancel()
            self.timers[stream] = asyncio.get_running_loop().call_later(
                delay, self._recheck, stream
            )

    def _recheck(self, stream: str) -> None:
        self.timers.pop(stream, None)
        self.changed(stream, force=False)

    async def _refresh_forever(self) -> None:
        while self.local:
            await asyncio.sleep(REFRESH_SECONDS)
            await self.refresh()

    async def refresh(self) -> None:
        """Refresh the entries of open sockets; forget those of sockets that are gone
        (their entries then lapse after STALE_SECONDS everywhere)."""
        entries, gone = [], []
        for (stream, channel), key in self.local.items():
            alive = self.alive.get((stream, channel))
            (entries if alive is None or alive() else gone).append((stream, channel, key))
        for stream, channel, _key in gone:
            logger.warning("Presence of a closed socket on %s dropped by the refresher", stream)
            self.local.pop((stream, channel), None)
            self.alive.pop((stream, channel), None)
            self.local_count[stream] -= 1
            if not self.local_count[stream]:
                del self.local_count[stream]
        await get_store().refresh(entries)

    async def close(self) -> None:
        """Cancel pending work (tests, before their event loop ends)."""
        tasks = [*self.pending.values(), *([self.refresher] if self.refresher else [])]
        for task in tasks:
            task.cancel()
        for timer in self.timers.values():
            timer.cancel()
        self.timers.clear()
        await asyncio.gather(*tasks, return_exceptions=True)
        self.pending.clear()


_per_loop: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, Presence] = (
    weakref.WeakKeyDictionary()
)


def get_presence() -> Presence:
    loop = asyncio.get_running_loop()
    presence = _per_loop.get(loop)
    if presence is None:
        presence = _per_loop[loop] = Presence()
    return presence
