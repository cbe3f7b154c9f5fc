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

Group changes (the process joining or leaving a stream's group) go to the layer in the
order they happen, and those asked while one is being written go together in the next
write (live.batching.CombinedWrites; one pipeline with our layer, live.layers): after a
deploy the reopened pages ask for hundreds of streams at once (each its own question, each
member's `user` stream), and one change at a time, under a lock, made them queue.

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

from live.batching import CombinedWrites
from live.streams import group_name
from live.writethrough import text_frame

logger = logging.getLogger(__name__)

# channels_redis forgets group members after `group_expiry` (a day by default); the hub
# renews its memberships well before that.
RENEW_SECONDS = 3600


class Subscriber(Protocol):
    async def live_frame(self, message: dict[str, Any]) -> None: ...
    async def live_presence(self, message: dict[str, Any]) -> None: ...


class Membership:
    """A stream's local subscribers, and the process's joining of its group."""

    def __init__(self, joined: asyncio.Future[None]) -> None:
        self.subscribers: set[Subscriber] = set()
        self.joined = joined


class Hub:
    def __init__(self) -> None:
        self.layer = get_channel_layer()
        self.channel: str | None = None
        self.members: dict[str, Membership] = {}
        self.changes = CombinedWrites(self._change_groups)
        self.reader: asyncio.Task | None = None
        self.renewer: asyncio.Task | None = None

    async def join(self, stream: str, subscriber: Subscriber) -> None:
        """Deliver `stream`'s frames to `subscriber` from now on (returns once joined)."""
        if self.channel is None:
            # A plain channel name (no "!"): channels_redis reads it with its own
            # blocking pop. A process-local name ("specific.<process>!<id>") would
            # share one Redis list and one receive lock with every socket's own
            # channel, and under a thousand sockets the hub then stalled for seconds
            # to minutes while the others held the lock (bench/p3_fanout.py).
            self.channel = f"live-hub.{uuid.uuid4().hex}"
        membership = self.members.get(stream)
        if membership is None:
            joined = asyncio.ensure_future(self.changes.add(("add", stream, self.channel)))
            membership = self.members[stream] = Membership(joined)
            joined.add_done_callback(lambda done: self._joined(stream, membership))
        membership.subscribers.add(subscriber)
        if self.reader is None or self.reader.done():
            self.reader = asyncio.create_task(self._read(), name="live-hub")
            self.renewer = asyncio.create_task(self._renew(), name="live-hub-renew")
        # Shielded: a subscriber that goes away does not cancel the others' joining.
        await asyncio.shield(membership.joined)

    def _joined(self, stream: str, membership: Membership) -> None:
        failed = membership.joined.cancelled() or membership.joined.exception() is not None
        if failed and self.members.get(stream) is membership:
            del self.members[stream]  # not in the group: the next subscriber asks again
            if not self.members:
                self._stop()

    async def leave(self, stream: str, subscriber: Subscriber) -> None:
        membership = self.members.get(stream)
        if membership is None or subscriber not in membership.subscribers:
            return
        membership.subscribers.discard(subscriber)
        if membership.subscribers:
            return
        del self.members[stream]
        channel = self.channel
        if not self.members:
            self._stop()
        # After the join's change in the queue, so the group ends without the process.
        await self.changes.add(("discard", stream, channel))

    def _stop(self) -> None:
        for task in (self.reader, self.renewer):
            if task is not None:
                task.cancel()
        self.reader = self.renewer = None
        # A fresh channel next time: whatever is still queued for this one expires unread.
        self.channel = None

    async def _change_groups(self, changes: list[tuple[str, str, str]]) -> None:
        """("add" | "discard", stream, channel) changes, in order: in one pipeline with our
        layer, one by one with another."""
        grouped = [(op, group_name(stream), channel) for op, stream, channel in changes]
        if hasattr(self.layer, "group_changes"):
            await self.layer.group_changes(grouped)
            return
        for op, group, channel in grouped:
            if op == "add":
                await self.layer.group_add(group, channel)
            else:
                await self.layer.group_discard(group, channel)

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
        membership = self.members.get(message.get("stream", ""))
        if membership is None or not membership.subscribers:
            return
        kind = message.get("type")
        if "text" in message:
            # The socket frame, built once for every local socket (live.writethrough).
            message["wire"] = text_frame(message["text"])
        for subscriber in tuple(membership.subscribers):
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
            # Queued together, before any later leave's change.
            channel = self.channel
            await asyncio.gather(
                *(self.changes.add(("add", stream, channel)) for stream in list(self.members))
            )


_hubs: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, Hub] = weakref.WeakKeyDictionary()


def get_hub() -> Hub:
    """The hub of the running event loop."""
    loop = asyncio.get_running_loop()
    hub = _hubs.get(loop)
    if hub is None:
        hub = _hubs[loop] = Hub()
    return hub
