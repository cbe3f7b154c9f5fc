"""No message to a live socket's consumer takes channels' hop to the database thread (to
close stale connections) that every message to a stock consumer makes: not the frames
from the channel layer (the fan-out cost measured by bench/p3_fanout.py), nor connect and
the client's messages (queued behind each other under a connect storm, bench/p4_storm.py).
The consumer's database work goes through database_sync_to_async, which closes them."""

from __future__ import annotations

import asyncio

import channels.consumer
import pytest
from channels.layers import get_channel_layer

from live.batching import CombinedWrites
from live.hub import Hub, get_hub
from live.presence import get_store
from live.streams import group_name
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


async def test_no_message_takes_the_database_hop(connect, question, hops):
    # given a viewer subscribed to a question (the subscription queried the database)
    stream = f"question.{question.pk}"
    socket = await connect()
    assert (await subscribe(socket, stream))["type"] == "subscribed"
    await received(socket)
    assert hops == []  # websocket.connect, websocket.receive
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
    assert hops == []

    # nor for the client's other messages, nor the disconnect
    await socket.send_json_to({"action": "unsubscribe", "stream": stream})
    assert await next_frame(socket) == {"type": "unsubscribed", "stream": stream}
    await socket.disconnect()
    assert hops == []


# One group member per process (live.hub) -------------------------------------------


def _members(stream: str) -> list[str]:
    """The channels in a stream's group (the in-memory layer of the SQLite suite)."""
    layer = get_channel_layer()
    if not hasattr(layer, "groups"):
        pytest.skip("reads the in-memory layer's groups")
    return list(layer.groups.get(group_name(stream), {}))


async def test_many_sockets_on_one_stream_make_one_group_member(connect, question):
    stream = f"question.{question.pk}"
    sockets = [await connect() for _ in range(5)]
    for socket in sockets:
        assert (await subscribe(socket, stream))["type"] == "subscribed"

    assert len(_members(stream)) == 1
    assert _members(stream) == [get_hub().channel]

    # and one group_send reaches every one of them, exactly once
    frame = f'{{"id":1,"stream":"{stream}","type":"vote.changed","data":{{"score":1}}}}'
    await get_channel_layer().group_send(
        group_name(stream), {"type": "live.frame", "stream": stream, "id": 1, "text": frame}
    )
    for socket in sockets:
        assert [f["id"] for f in await received(socket)] == [1]


async def test_sockets_wait_on_no_channel_layer_receive(connect, question, monkeypatch):
    """Only the hub reads the layer: a socket has no channel of its own to wait on."""
    layer = get_channel_layer()
    reads = []
    for name in ("receive", "receive_many"):
        stock = getattr(layer, name, None)
        if stock is not None:

            async def counted(channel, *args, stock=stock):
                reads.append(channel)
                return await stock(channel, *args)

            monkeypatch.setattr(layer, name, counted)
    stream = f"question.{question.pk}"
    sockets = [await connect() for _ in range(3)]
    for socket in sockets:
        assert (await subscribe(socket, stream))["type"] == "subscribed"

    # the hub's reader is the only one (it may have read more than once meanwhile)
    assert set(reads) == {get_hub().channel}
    # and each socket still has a name of its own: three anonymous viewers, not one
    assert (await get_store().snapshot(stream))[0] == 3


async def test_the_process_leaves_the_group_with_its_last_subscriber(connect, question):
    stream = f"question.{question.pk}"
    first, second = await connect(), await connect()
    await subscribe(first, stream)
    await subscribe(second, stream)
    await first.send_json_to({"action": "unsubscribe", "stream": stream})
    assert await next_frame(first) == {"type": "unsubscribed", "stream": stream}
    assert len(_members(stream)) == 1  # the second still listens

    await second.disconnect()

    assert _members(stream) == []
    assert get_hub().reader is None


async def test_a_subscriber_that_fails_does_not_stop_the_others(connect, question, monkeypatch):
    stream = f"question.{question.pk}"
    broken, healthy = await connect(), await connect()
    await subscribe(broken, stream)
    await subscribe(healthy, stream)
    hub = get_hub()
    victim = next(iter(hub.members[stream].subscribers))

    async def explode(message):  # noqa: ANN001, ANN202
        raise RuntimeError("transport gone")

    monkeypatch.setattr(victim, "live_frame", explode)
    frame = f'{{"id":1,"stream":"{stream}","type":"vote.changed","data":{{"score":1}}}}'

    await hub.deliver({"type": "live.frame", "stream": stream, "id": 1, "text": frame})

    delivered = [await received(broken), await received(healthy)]
    assert sorted(len(frames) for frames in delivered) == [0, 1]


async def test_frames_of_other_streams_and_unknown_types_go_nowhere(connect, question):
    stream = f"question.{question.pk}"
    socket = await connect()
    await subscribe(socket, stream)
    hub = get_hub()

    await hub.deliver({"type": "live.frame", "stream": "feed", "id": 1, "text": '{"id":1}'})
    await hub.deliver({"type": "something.else", "stream": stream, "text": '{"id":2}'})

    assert await received(socket) == []


# Group changes, in order and together (live.hub) ----------------------------------------


class Listener:
    def __init__(self) -> None:
        self.ids: list[int] = []

    async def live_frame(self, message: dict) -> None:
        self.ids.append(message["id"])

    async def live_presence(self, message: dict) -> None:
        pass


@pytest.fixture
async def hub():
    """A hub of its own whose group changes are recorded and held until `release(n)`."""
    hub = Hub()
    hub.batches, hub.gates = [], []
    apply = hub._change_groups

    async def held(changes):  # noqa: ANN001, ANN202
        hub.batches.append([(op, stream) for op, stream, _channel in changes])
        gate = asyncio.Event()
        hub.gates.append(gate)
        await gate.wait()
        await apply(changes)

    hub.changes = CombinedWrites(held)
    yield hub
    for gate in hub.gates:
        gate.set()
    hub.changes = CombinedWrites(apply)
    for stream, membership in list(hub.members.items()):
        for subscriber in list(membership.subscribers):
            await hub.leave(stream, subscriber)


async def _release(hub: Hub, n: int) -> None:
    while len(hub.gates) <= n:
        await asyncio.sleep(0)
    hub.gates[n].set()


async def _reaches(hub: Hub, stream: str, listener: Listener, event_id: int) -> bool:
    await get_channel_layer().group_send(
        group_name(stream), {"type": "live.frame", "stream": stream, "id": event_id, "text": "{}"}
    )
    for _ in range(200):
        if event_id in listener.ids:
            return True
        await asyncio.sleep(0.01)
    return False


async def test_streams_joined_during_a_group_change_join_together_in_the_next(hub):
    listeners = {f"question.{n}": Listener() for n in range(10)}
    streams = list(listeners)
    first = asyncio.ensure_future(hub.join(streams[0], listeners[streams[0]]))
    while not hub.batches:
        await asyncio.sleep(0)
    others = [asyncio.ensure_future(hub.join(s, listeners[s])) for s in streams[1:]]
    await asyncio.sleep(0.01)

    await _release(hub, 0)
    await first
    assert not any(o.done() for o in others)  # a join returns once its own change is made
    await _release(hub, 1)
    await asyncio.gather(*others)

    assert hub.batches == [[("add", streams[0])], [("add", s) for s in streams[1:]]]
    for n, stream in enumerate(streams, 1):
        assert await _reaches(hub, stream, listeners[stream], n)


async def test_a_stream_left_and_joined_again_at_once_stays_joined(hub):
    old, new = Listener(), Listener()
    joined = asyncio.ensure_future(hub.join("question.1", old))
    await _release(hub, 0)
    await joined
    leaving = asyncio.ensure_future(hub.leave("question.1", old))
    await asyncio.sleep(0)
    joining = asyncio.ensure_future(hub.join("question.1", new))
    await _release(hub, 1)
    await _release(hub, 2)
    await asyncio.gather(leaving, joining)

    assert [op for batch in hub.batches for op, _stream in batch] == ["add", "discard", "add"]
    assert await _reaches(hub, "question.1", new, 5)


async def test_a_failed_join_is_asked_again_by_the_next_subscriber(hub):
    attempts = []

    async def flaky(changes):  # noqa: ANN001, ANN202
        attempts.append(changes)
        if len(attempts) == 1:
            raise ConnectionError("redis went away")
        await Hub._change_groups(hub, changes)

    hub.changes = CombinedWrites(flaky)
    listener = Listener()
    with pytest.raises(ConnectionError):
        await hub.join("question.3", listener)
    assert "question.3" not in hub.members
    assert hub.reader is None  # nothing to read for

    await hub.join("question.3", listener)
    assert len(attempts) == 2
    assert await _reaches(hub, "question.3", listener, 9)
