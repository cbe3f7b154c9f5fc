"""The socket at `/ws/`: subscribe / unsubscribe / typing (API.md, "Live socket").

Thin on purpose: authorise each subscription (`streams.authorise`), join the stream's
group, replay from the backlog when asked, then forward the frames `events.publish`
encoded, as they are. Presence is the only state a socket changes, and it is not data.

Limits (settings, see `live.conf`): a message over LIVE_MAX_MESSAGE_BYTES, more
than LIVE_MAX_MESSAGES_PER_SECOND (token bucket), a subscription beyond
LIVE_MAX_SUBSCRIPTIONS, or a socket beyond LIVE_MAX_SOCKETS_PER_ADDRESS from one client
address (live.addresses) get an error frame and the socket is closed with a code
of the application range 4000-4999 (docs/live.md): 4009 for size, 4008 for rate and
subscriptions, 4029 for sockets. (The protocol's 1008/1009 are not ours to send:
autobahn, under daphne, refuses any code but 1000 and 3000-4999, raised inside the
close, and the client got 1011.)

Cleanup: the socket's subscriptions, presence and address count are removed once, in
`_cleanup`, on every way out: a limit's close (before the close frame goes), the
client's or server's disconnect, and the consumer's task ending any other way
(`__call__`'s finally). Presence entries also lapse on their own (live.presence).

Fan-out: the process, not each socket, is the member of a stream's group (live.hub,
which says why); its hub calls `live_frame` / `live_presence` of each local subscriber.

Ordering (a protocol rule, docs/live.md): `subscribed` is the first frame of a stream on a
socket. The hub delivers frames from another task, as soon as the process has joined the
stream's group, so while `_subscribe` is still awaiting (presence, the backlog) a frame or
a presence broadcast can already arrive; those are held in the subscription and sent
after `subscribed` and the replay, in the order they came, never before.

Slow readers: frames wait for a process in its hub's channel-layer channel, which holds
at most `capacity` messages for at most `expiry` seconds (CHANNEL_LAYERS); beyond that
the layer drops them instead of growing, and a client that notices a gap in the ids
resubscribes with `since`. What daphne has already accepted for a socket sits in its
transport buffer until the TCP peer reads it or daphne's ping timeout closes the socket.
"""

from __future__ import annotations

import json
import logging
import time
import uuid
from dataclasses import dataclass, field

from channels.consumer import get_handler_name
from channels.generic.websocket import AsyncJsonWebsocketConsumer

from core.clientaddr import scope_address
from live import streams
from live.addresses import get_addresses
from live.backlog import get_backlog
from live.conf import live_setting
from live.hub import get_hub
from live.presence import get_presence
from live.streams import Denied
from live.writethrough import DirectWriter, direct_writer

logger = logging.getLogger(__name__)

# Close codes: the application range (4000-4999), documented in docs/live.md and
# honoured by static/js/live.js (no reconnecting in a loop after them).
CLOSE_POLICY = 4008  # rate_limited, too_many_subscriptions
CLOSE_TOO_BIG = 4009  # message_too_large
CLOSE_TOO_MANY_SOCKETS = 4029  # too_many_sockets


@dataclass
class Subscription:
    stream: str  # the internal key (`user.7` for the client's `user`)
    # Frames up to this id were replayed; the same frames may still arrive live (they
    # were queued while we replayed) and are dropped. The backlog stores a frame in the
    # same step that assigns its id, so nothing at or below it can be missing.
    replayed_upto: int = 0
    # Frames the hub delivered while the subscription was being answered: they wait here
    # until `subscribed` (and the replay) went out. None once the stream is live.
    held: list[dict] | None = field(default_factory=list)


class TokenBucket:
    def __init__(self, rate: float) -> None:
        self.rate = rate
        self.tokens = rate
        self.stamp = time.monotonic()

    def take(self) -> bool:
        now = time.monotonic()
        self.tokens = min(self.rate, self.tokens + (now - self.stamp) * self.rate)
        self.stamp = now
        if self.tokens < 1:
            return False
        self.tokens -= 1
        return True


class LiveConsumer(AsyncJsonWebsocketConsumer):
    # No channel-layer channel per socket: the process's hub is the groups' member (live.hub)
    # and nothing is ever sent to one socket through the layer. With a channel, channels'
    # consumer kept a layer receive waiting for every socket and, for each message from
    # the client, waited on both with `asyncio.wait` and a new task. (An alias that is not
    # configured gives no layer.) `channel_name` is still the socket's name, made here.
    channel_layer_alias = "live.sockets-have-no-channel"
    cleaned = True  # nothing to clean up until connect() has counted the socket
    writer: DirectWriter | None = None  # set in connect() when daphne serves the socket

    async def __call__(self, scope, receive, send) -> None:  # noqa: ANN001
        try:
            await super().__call__(scope, receive, send)
        finally:
            # Whatever ended the consumer (its task cancelled, an error while closing):
            # leave no subscription, viewer or counted socket behind.
            if not self.cleaned:
                try:
                    await self._cleanup()
                except Exception:
                    logger.exception(
                        "Cleaning up live socket %s failed", getattr(self, "channel_name", "?")
                    )

    async def connect(self) -> None:
        self.subscriptions: dict[str, Subscription] = {}  # by the client's stream name
        self.bucket = TokenBucket(float(live_setting("LIVE_MAX_MESSAGES_PER_SECOND")))
        self.closing = False
        self.address = scope_address(self.scope)
        self.channel_name = f"socket.{uuid.uuid4().hex}"
        self.writer = direct_writer(self.base_send)
        counted = await get_addresses().add(self.address, self.channel_name)
        self.cleaned = False
        await self.accept()
        if not counted:
            # Accepted only to say why: a refused handshake is just 1006 to a browser.
            await self._refuse("too_many_sockets", CLOSE_TOO_MANY_SOCKETS)

    async def disconnect(self, code: int) -> None:
        await self._cleanup()

    def is_open(self) -> bool:
        """False once the socket closes or is being closed (presence stops refreshing)."""
        return not self.closing and not self.cleaned

    async def _cleanup(self) -> None:
        """Remove the socket's subscriptions, presence and address count (once)."""
        if self.cleaned:
            return
        self.cleaned = True
        for name in list(self.subscriptions):
            await self._unsubscribe(name)
        await get_addresses().remove(self.address, self.channel_name)

    # Client -> server ---------------------------------------------------------------------

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        if self.closing:
            return
        size = len(text_data.encode()) if text_data is not None else len(bytes_data or b"")
        if size > int(live_setting("LIVE_MAX_MESSAGE_BYTES")):
            return await self._refuse("message_too_large", CLOSE_TOO_BIG)
        if not self.bucket.take():
            return await self._refuse("rate_limited", CLOSE_POLICY)
        if text_data is None:
            return await self._error(None, "bad_message")
        try:
            content = json.loads(text_data)
        except (ValueError, RecursionError):
            return await self._error(None, "bad_message")
        if not isinstance(content, dict):
            return await self._error(None, "bad_message")
        await self.receive_json(content)

    async def receive_json(self, content: dict, **kwargs) -> None:
        action = content.get("action")
        stream = content.get("stream")
        if action == "subscribe":
            await self._subscribe(stream, content.get("since"))
        elif action == "unsubscribe":
            if isinstance(stream, str) and stream in self.subscriptions:
                await self._unsubscribe(stream)
                await self.send_json({"type": "unsubscribed", "stream": stream})
            else:
                await self._error(stream, "not_subscribed")
        elif action == "typing":
            await self._typing(stream)
        else:
            await self._error(stream, "unknown_action")

    async def _subscribe(self, name: object, since: object) -> None:
        if not isinstance(name, str):
            return await self._error(None, "unknown_stream")
        if since is not None and (type(since) is not int or since < 0):
            return await self._error(name, "bad_since")
        if name not in self.subscriptions:
            if len(self.subscriptions) >= int(live_setting("LIVE_MAX_SUBSCRIPTIONS")):
                return await self._refuse("too_many_subscriptions", CLOSE_POLICY, stream=name)
            try:
                stream = await streams.authorise(self.scope["user"], name)
            except Denied as denied:
                return await self._error(name, denied.reason)
            # Join before reading the backlog: whatever is published from now on is
            # either in what we replay or arrives live afterwards. The process's hub is
            # the group's member and hands the frames to live_frame (live.hub).
            await get_hub().join(stream, self)
            # Registered with no await after the join: from here on, what the hub delivers
            # for the stream is held until the subscription is answered (below).
            self.subscriptions[name] = Subscription(stream=stream)
            if stream.startswith("question."):
                await get_presence().join(
                    stream, self.channel_name, self._viewer_key(), alive=self.is_open
                )
        subscription = self.subscriptions[name]
        if subscription.held is None:
            subscription.held = []  # subscribing again: hold live frames behind the replay
        backlog = get_backlog()
        if since is None:
            last_id = await backlog.alast_id(subscription.stream)
            await self.send_json({"type": "subscribed", "stream": name, "last_id": last_id})
            # "From now on": a frame held meanwhile that `last_id` already counts is older
            # than the subscription (the client would drop it as seen, by its id).
            subscription.replayed_upto = max(subscription.replayed_upto, last_id)
        else:
            replay = await backlog.replay(subscription.stream, since)
            await self.send_json({"type": "subscribed", "stream": name, "last_id": replay.last_id})
            if replay.resync:
                await self.send_json(
                    {"stream": name, "type": "resync", "data": {"last_id": replay.last_id}}
                )
            for frame in replay.frames:
                await self.send(text_data=frame)
            subscription.replayed_upto = max(subscription.replayed_upto, replay.last_id)
        if subscription.stream.startswith("question."):
            await self.send(text_data=await get_presence().current(subscription.stream))
        await self._release(subscription)

    async def _release(self, subscription: Subscription) -> None:
        """Send what was held (each frame once, in order), then go live. Frames delivered
        while these are written join the queue; going live happens with no await after
        the queue is found empty, so nothing can slip in between."""
        held = subscription.held
        while held:
            message = held.pop(0)
            if message["type"] != "live.frame" or message["id"] > subscription.replayed_upto:
                await self.send(text_data=message["text"])
        subscription.held = None

    async def _unsubscribe(self, name: str) -> None:
        subscription = self.subscriptions.pop(name)
        await get_hub().leave(subscription.stream, self)
        if subscription.stream.startswith("question."):
            await get_presence().leave(subscription.stream, self.channel_name)

    async def _typing(self, name: object) -> None:
        user = self.scope["user"]
        if not user.is_authenticated:
            return await self._error(name, "login_required")
        subscription = self.subscriptions.get(name) if isinstance(name, str) else None
        if subscription is None or not subscription.stream.startswith("question."):
            return await self._error(name, "not_subscribed")
        await get_presence().typing(subscription.stream, user.username, user.name)

    def _viewer_key(self) -> str:
        user = self.scope["user"]
        return f"u{user.pk}" if user.is_authenticated else f"c{self.channel_name}"

    async def _error(self, stream: object, reason: str) -> None:
        if not isinstance(stream, str) or len(stream) > 100:
            stream = None  # never echo back whatever a client sent in place of a name
        await self.send_json({"type": "error", "stream": stream, "reason": reason})

    async def _refuse(self, reason: str, code: int, stream: object = None) -> None:
        self.closing = True
        logger.info("Closing live socket %s: %s", self.channel_name, reason)
        await self._error(stream, reason)
        # Clean up first: the others on the thread stop counting this viewer now, not
        # whenever (if ever) the disconnect comes back.
        await self._cleanup()
        await self.close(code=code)

    # Channel layer -> client -----------------------------------------------------------------

    async def dispatch(self, message: dict) -> None:
        """Every message goes straight to its handler.

        `AsyncConsumer.dispatch` first closes stale database connections: a hop to the
        one database thread and back for every message, queued behind every other
        socket's. Forwarding a frame touches no database; with one stream fanned out to
        1,000 sockets those hops were a quarter of the server's CPU (bench/p3_fanout.py),
        and under a connect storm (bench/p4_storm.py) the connect and subscribe messages
        waited in that one thread's queue. This consumer reaches the database only through
        `database_sync_to_async` (streams.authorise, the backlog's replay), which closes
        stale connections itself, before and after, in that same thread.
        """
        handler = getattr(self, get_handler_name(message), None)
        if handler is None:
            raise ValueError(f"No handler for message type {message['type']}")
        return await handler(message)

    async def live_frame(self, message: dict) -> None:
        """An event frame from `events.publish`, already encoded: forward it untouched."""
        subscription = self._subscription_for(message["stream"])
        if subscription is None:
            return
        if subscription.held is not None:
            subscription.held.append(message)
        elif message["id"] > subscription.replayed_upto:
            await self._forward(message)

    async def live_presence(self, message: dict) -> None:
        subscription = self._subscription_for(message["stream"])
        if subscription is None:
            return
        if subscription.held is not None:
            subscription.held.append(message)
        else:
            await self._forward(message)

    async def _forward(self, message: dict) -> None:
        """Send a hub message's text: under daphne, the frame the hub built once for all
        local sockets goes to the transport as it is (live.writethrough); otherwise, or
        when this socket's state needs autobahn (closing, a queue), the stock send."""
        wire = message.get("wire")  # (frame bytes, payload size)
        if wire is not None and self.writer is not None and self.writer.write(*wire):
            return
        await self.send(text_data=message["text"])

    def _subscription_for(self, stream: str) -> Subscription | None:
        name = streams.public_name(stream)
        subscription = self.subscriptions.get(name)
        if subscription is None or subscription.stream != stream:
            return None  # unsubscribed meanwhile: a frame still in the channel
        return subscription
