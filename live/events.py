"""Publishing live events: the one helper services call.

    publish("question.12", "answer.created", {"id": 40, "question": 12, "author": "anna"})

Called inside the service's transaction, after its writes. Nothing happens until the
transaction commits (`transaction.on_commit`), so no client ever hears of a row that was
rolled back. At commit time the event is encoded once (`{"id","stream","type","data"}`),
appended to the stream's backlog, which assigns its id, and sent to the stream's
channel-layer group as pre-encoded text that each socket forwards as it is: the cost of
encoding does not grow with the number of sockets.

Payloads are small and public: ids, scores, usernames; the page fetches what it renders.
A failure to publish (Redis down) is logged and does not fail the request, whose
transaction has already committed.
"""

from __future__ import annotations

import asyncio
import json
import logging
import threading
from functools import partial
from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import (
    DEFAULT_CHANNEL_LAYER,
    InMemoryChannelLayer,
    channel_layers,
    get_channel_layer,
)
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.dispatch import Signal

from live.backlog import get_backlog
from live.streams import group_name, public_name

logger = logging.getLogger(__name__)

# Internal stream keys: `feed`, `question.12`, `user.7`, `desk`, `moderation`.
_STREAM_CHARS = frozenset("abcdefghijklmnopqrstuvwxyz0123456789._-")


def publish(stream: str, type: str, data: dict[str, Any]) -> None:  # noqa: A002 - the protocol's word
    """Publish event `type` with `data` on `stream` once the current transaction commits."""
    if not stream or len(stream) > 90 or not set(stream) <= _STREAM_CHARS:
        raise ValueError(f"Bad stream name: {stream!r}")
    transaction.on_commit(partial(_deliver, stream, type, data), robust=True)


def encode_tail(stream: str, type: str, data: dict[str, Any]) -> str:  # noqa: A002
    """The frame's JSON without its id: `"stream":...,"type":...,"data":{...}}`.

    The backlog prefixes `{"id":<n>,` once it has assigned the id, so the payload is
    serialised exactly once whichever backlog is in use.
    """
    text = json.dumps(
        {"stream": public_name(stream), "type": type, "data": data},
        separators=(",", ":"),
        ensure_ascii=False,
        cls=DjangoJSONEncoder,
    )
    return text[1:]


# Sent after each event is appended to its stream's backlog (after commit), with the
# stream's name and the event's id: what caches keyed by published changes follow
# (the forum's shared list pages, forum/views/list_cache.py).
published = Signal()


def _deliver(stream: str, type: str, data: dict[str, Any]) -> None:  # noqa: A002
    event_id, frame = get_backlog().append(stream, encode_tail(stream, type, data))
    published.send(sender=None, stream=stream, event_id=event_id)
    send_to_group(stream, {"type": "live.frame", "stream": stream, "id": event_id, "text": frame})


def send_to_group(stream: str, message: dict[str, Any]) -> None:
    """Hand `message` to every socket subscribed to `stream` (from synchronous code)."""
    layer = get_channel_layer()
    if layer is None:
        logger.warning("No channel layer configured; live event for %s dropped", stream)
        return
    if isinstance(layer, InMemoryChannelLayer):  # dev and tests: queues of the caller's loop
        async_to_sync(layer.group_send)(group_name(stream), message)
        return
    loop, publisher = _publisher()
    future = asyncio.run_coroutine_threadsafe(
        publisher.group_send(group_name(stream), message), loop
    )
    future.result(timeout=PUBLISH_TIMEOUT)


# Publishing from synchronous code goes through one event loop per process, with a layer
# of its own. `async_to_sync` from a plain thread (a worker, a management command, bench
# P7's voters) starts a thread and an event loop per call, and channels_redis opens a
# connection pool per loop: each frame cost about 1.5 ms of CPU and a new Redis
# connection, three frames a vote (the vote, the author's reputation and balance). Here
# the pool is opened once and reused. The layer is not the process's shared one, whose
# `flush()` (tests) closes the pools of every loop it has seen from its own loop.
PUBLISH_TIMEOUT = 15  # seconds; longer than the layer pool's own wait for a connection
_publishing: tuple[asyncio.AbstractEventLoop, Any] | None = None
_publishing_lock = threading.Lock()


def _publisher() -> tuple[asyncio.AbstractEventLoop, Any]:
    global _publishing  # noqa: PLW0603 - one loop per process, started on first use
    with _publishing_lock:
        if _publishing is None or _publishing[0].is_closed():
            loop = asyncio.new_event_loop()
            threading.Thread(target=loop.run_forever, name="live-publisher", daemon=True).start()
            _publishing = (loop, channel_layers.make_backend(DEFAULT_CHANNEL_LAYER))
        return _publishing
