"""Forwarding frames from the channel layer skips the database-connection hop that every
other message to a consumer makes (the fan-out cost measured by bench/p3_fanout.py)."""

from __future__ import annotations

import channels.consumer
import pytest
from channels.layers import get_channel_layer

from forum.live.streams import group_name
from tests.live.sockets import events as received
from tests.live.sockets import next_frame, next_presence, subscribe

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def hops(monkeypatch):
    """Counts the calls of channels' `aclose_old_connections` made by consumers."""
    calls = []
    stock = channels.consumer.aclose_old_connections

    async def counted():
        calls.append(1)
        await stock()

    monkeypatch.setattr(channels.consumer, "aclose_old_connections", counted)
    return calls


async def test_layer_frames_are_forwarded_without_a_database_hop(connect, question, hops):
    # given a viewer subscribed to a question (connect and subscribe go the stock way)
    stream = f"question.{question.pk}"
    socket = await connect()
    assert (await subscribe(socket, stream))["type"] == "subscribed"
    await received(socket)
    assert len(hops) == 2  # websocket.connect, websocket.receive
    frame = f'{{"id":7,"stream":"{stream}","type":"vote.changed","data":{{"score":3}}}}'
    layer = get_channel_layer()

    # when the layer brings an event frame and a presence frame
    await layer.group_send(
        group_name(stream), {"type": "live.frame", "stream": stream, "id": 7, "text": frame}
    )
    presence = f'{{"stream":"{stream}","type":"presence","data":{{"viewers":9}}}}'
    await layer.group_send(
        group_name(stream), {"type": "live.presence", "stream": stream, "text": presence}
    )

    # then both reach the socket as they were sent, and no hop was made for them
    assert await next_frame(socket) == {
        "id": 7,
        "stream": stream,
        "type": "vote.changed",
        "data": {"score": 3},
    }
    assert await next_presence(socket) == {"viewers": 9}
    assert len(hops) == 2

    # and a message from the client still takes the stock path
    await socket.send_json_to({"action": "unsubscribe", "stream": stream})
    assert await next_frame(socket) == {"type": "unsubscribed", "stream": stream}
    assert len(hops) == 3
