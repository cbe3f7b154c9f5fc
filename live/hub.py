"""One channel-layer member per stream per process: the process fans frames out itself.

Profiled under P3 (bench/p3_fanout.py, py-spy on one daphne process forwarding to 1,000
sockets), a frame cost about 0.3 ms of server CPU per socket, and most of it was not the
socket write: with every socket its own member of the stream's group, channels_redis
hands each frame to 1,000 per-channel queues, and each consumer's `await_many_dispatch`
wakes up, builds an `asyncio.wait` and a new task for its next receive, then dispatches
(in the profile: layer receive 13 %, asyncio.wait 11 %, task creation 9 %, plus the
event loop's own scheduling). Here the process joins a stream's group once, with one
channel of its own (`Hub.channel`), reads it in one task and calls each local
subscriber's handler directly: the cost per socket is the handler and the write.

What stays the same: frames are published the same way (`group_send` to the stream's
group, `live.events`), so several processes share Redis as before; a consumer
still forwards the pre-encoded text untouched and drops what its replay already sent;
the hub's channel is bounded by the layer's `capacity` and `expiry`, so a process that
falls behind drops frames (clients see the gap in ids and catch up with `since`) instead
of growing. A join returns once the process is in the group, so a subscriber that reads
the backlog after joining misses nothing.

One hub per event loop (daphne runs one; tests run one per test). Its reader task stops
when its last subscriber leaves.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
import weakref
from typing import Any, Protocol

from channels.layers import get_channel_layer

from live.streams import group_name
from live.writethrough import text_frame

logger = logging.getLogger(__name__)

# channels_redis forgets group members after `group_expiry` (a day by default); the hub
# renews its memberships well before that.
RENEW_SECONDS = 3600


class Subscriber(Protocol):
    async def live_frame(self, message: dict[str, Any]) -> None: ...
    async def live_presence(self, message: dict[str, Any]) -> None: ...


class Hub:
    def __init__(self) -> None:
        self.layer = get_channel_layer()
        self.channel: str | None = None
        self.members: dict[str, set[Subscriber]] = {}
        self.lock = asyncio.Lock()  # group_add / group_discard in the order they happen
        self.reader: asyncio.Task | None = None
        self.renewer: asyncio.Task | None = None

    async def join(self, stream: str, subscriber: Subscriber) -> None:
        """Deliver `stream`'s frames to `subscriber` from now on (returns once joined)."""
        async with self.lock:
            if self.channel is None:
                # A plain channel name (no "!"): channels_redis reads it with its own
                # blocking pop. A process-local name ("specific.<process>!<id>") would
                # share one Redis list and one receive lock with every socket's own
                # channel, and under a thousand sockets the hub then stalled for seconds
                # to minutes while the others held the lock (bench/p3_fanout.py).
                self.channel = f"live-hub.{uuid.uuid4().hex}"
            if stream not in self.members:
                await self.layer.group_add(group_name(stream), self.channel)
                self.members[stream] = set()
            self.members[stream].add(subscriber)
            if self.reader is None or self.reader.done():
                self.reader = asyncio.create_task(self._read(), name="live-hub")
                self.renewer = asyncio.create_task(self._renew(), name="live-hub-renew")

    async def leave(self, stream: str, subscriber: Subscriber) -> None:
        async with self.lock:
            members = self.members.get(stream)
            if members is None or subscriber not in members:
                return
            members.discard(subscriber)
            if members:
                return
            del self.members[stream]
            await self.layer.group_discard(group_name(stream), self.channel)
            if not self.members:
                self._stop()

    def _stop(self) -> None:
        for task in (self.reader, self.renewer):
            if task is not None:
                task.cancel()
        self.reader = self.renewer = None
        # A fresh channel next time: whatever is still queued for this one expires unread.
        self.channel = None

    async def _read(self) -> None:
        channel = self.channel
        # Our Redis layer hands over every message waiting at once (live.layers); the
        # in-memory layer of tests and single-process runs, one at a time.
        receive_many = getattr(self.layer, "receive_many", None)
        while True:
            try:
                if receive_many is not None:
                    messages = await receive_many(channel)
                else:
                    messages = [await self.layer.receive(channel)]
            except asyncio.CancelledError:
                raise
            except Exception:  # Redis away for a moment: clients catch up with `since`
                logger.exception("Live hub could not read its channel")
                await asyncio.sleep(1)
                continue
            for message in messages:
                await self.deliver(message)

    async def deliver(self, message: dict[str, Any]) -> None:
        """Hand one layer message to every local subscriber of its stream."""
        members = self.members.get(message.get("stream", ""))
        if not members:
            return
        kind = message.get("type")
        if "text" in message:
            # The socket frame, built once for every local socket (live.writethrough).
            message["wire"] = text_frame(message["text"])
        for subscriber in tuple(members):
            try:
                if kind == "live.frame":
                    await subscriber.live_frame(message)
                elif kind == "live.presence":
                    await subscriber.live_presence(message)
            except Exception:  # one broken socket must not stop the others' frames
                logger.exception("Live frame for %s not delivered", message.get("stream"))

    async def _renew(self) -> None:
        while True:
            await asyncio.sleep(RENEW_SECONDS)
            async with self.lock:
                for stream in list(self.members):
                    await self.layer.group_add(group_name(stream), self.channel)


_hubs: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, Hub] = weakref.WeakKeyDictionary()


def get_hub() -> Hub:
    """The hub of the running event loop."""
    loop = asyncio.get_running_loop()
    hub = _hubs.get(loop)
    if hub is None:
        hub = _hubs[loop] = Hub()
    return hub
