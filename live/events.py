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

import json
import logging
from functools import partial
from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
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
    async_to_sync(layer.group_send)(group_name(stream), message)
