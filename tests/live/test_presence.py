"""Presence on a question: how many are viewing, who is writing an answer."""

from __future__ import annotations

import asyncio

import pytest

from live.backlog import get_backlog
from tests.live.sockets import drain, next_presence, subscribe

pytestmark = pytest.mark.django_db(transaction=True)


async def settled_presence(socket, *, wait: float = 0.15) -> dict:
    """The last presence state the socket was told, once the socket is quiet."""
    frames = [f for f in await drain(socket, wait=wait) if f.get("type") == "presence"]
    assert frames, "no presence frame arrived"
    return frames[-1]["data"]


async def test_a_new_viewer_is_told_the_current_presence(connect, question):
    socket = await connect()
    await socket.send_json_to({"action": "subscribe", "stream": f"question.{question.pk}"})
    assert (await socket.receive_json_from(timeout=5))["type"] == "subscribed"
    assert await socket.receive_json_from(timeout=5) == {
        "stream": f"question.{question.pk}",
        "type": "presence",
        "data": {"viewers": 1, "typing": [], "typing_names": []},
    }


async def test_viewers_are_counted_once_per_member(connect, question, customer, other_customer):
    stream = f"question.{question.pk}"
    anna_tab_1 = await connect(customer)
    anna_tab_2 = await connect(customer)
    bruno = await connect(other_customer)
    visitor = await connect()
    for socket in (anna_tab_1, anna_tab_2, bruno, visitor):
        await subscribe(socket, stream)
    # anna's two tabs are one viewer; bruno one; the anonymous visitor one
    assert (await settled_presence(bruno))["viewers"] == 3
    # when the visitor leaves, the others hear of it
    await visitor.disconnect()
    assert (await settled_presence(bruno))["viewers"] == 2
    # closing one of anna's tabs leaves her viewing
    await anna_tab_2.send_json_to({"action": "unsubscribe", "stream": stream})
    assert (await settled_presence(bruno))["viewers"] == 2
    await anna_tab_1.disconnect()
    assert (await settled_presence(bruno))["viewers"] == 1


async def test_a_burst_of_joins_is_coalesced(connect, question, settings):
    settings.LIVE_PRESENCE_DELAY = 0.5
    stream = f"question.{question.pk}"
    first = await connect()
    await subscribe(first, stream)
    await drain(first, wait=0.5)
    # when ten more viewers arrive
    loop = asyncio.get_running_loop()
    started = loop.time()
    for _ in range(10):
        await subscribe(await connect(), stream)
    windows = int((loop.time() - started) / 0.5)  # delays the joins spanned (0 when quick)
    # then the first viewer gets one presence event per delay the joins spanned (one or
    # two on a quiet machine; a loaded one takes longer to connect ten sockets), not one
    # per viewer, and the last one counts everyone
    frames = await drain(first, wait=1.0)
    assert 1 <= len(frames) <= min(windows + 2, 9)
    assert frames[-1]["data"]["viewers"] == 11


async def test_typing_shows_the_member_then_expires(connect, question, customer, settings):
    settings.LIVE_TYPING_SECONDS = 0.4
    stream = f"question.{question.pk}"
    viewer = await connect()
    anna = await connect(customer)
    await subscribe(viewer, stream)
    await subscribe(anna, stream)
    await drain(viewer)
    # when anna starts writing
    await anna.send_json_to({"action": "typing", "stream": stream})
    assert await next_presence(viewer) == {
        "viewers": 2,
        "typing": ["anna"],
        "typing_names": ["Anna Rossi"],
    }
    # then, without another typing message, she stops "writing" after the timeout
    assert await next_presence(viewer) == {"viewers": 2, "typing": [], "typing_names": []}


async def test_repeated_typing_messages_do_not_repeat_the_presence_event(
    connect, question, customer, settings
):
    # Long enough that the typing cannot lapse (and be announced again) while a loaded
    # machine runs the loop below slowly.
    settings.LIVE_TYPING_SECONDS = 30.0
    stream = f"question.{question.pk}"
    viewer = await connect()
    anna = await connect(customer)
    await subscribe(viewer, stream)
    await subscribe(anna, stream)
    await drain(viewer)
    for _ in range(4):
        await anna.send_json_to({"action": "typing", "stream": stream})
        await asyncio.sleep(0.1)
    frames = await drain(viewer, wait=0.3)
    assert [f["data"]["typing"] for f in frames] == [["anna"]]


async def test_typing_needs_a_member_and_a_subscribed_question(connect, question, customer):
    stream = f"question.{question.pk}"
    visitor = await connect()
    await subscribe(visitor, stream)
    await drain(visitor)
    await visitor.send_json_to({"action": "typing", "stream": stream})
    assert await visitor.receive_json_from(timeout=5) == {
        "type": "error",
        "stream": stream,
        "reason": "login_required",
    }
    anna = await connect(customer)
    await subscribe(anna, "feed")
    for name in (stream, "feed", 5):
        await anna.send_json_to({"action": "typing", "stream": name})
        assert (await anna.receive_json_from(timeout=5))["reason"] == "not_subscribed"


async def test_presence_is_not_stored_in_the_backlog(connect, question, customer):
    stream = f"question.{question.pk}"
    anna = await connect(customer)
    await subscribe(anna, stream)
    await anna.send_json_to({"action": "typing", "stream": stream})
    await drain(anna, wait=0.3)
    assert await get_backlog().alast_id(stream) == 0


async def test_the_feed_has_no_presence(connect):
    socket = await connect()
    await subscribe(socket, "feed")
    assert await drain(socket, wait=0.2) == []


async def test_presence_reads_asked_at_once_go_to_redis_together(settings, monkeypatch):
    """Each new viewer and each broadcast reads its thread's presence: those asked at
    once are read together, those asked while a read is in flight by the next
    transaction, and each sees the joins made before it asked."""
    if not settings.REDIS_URL:
        pytest.skip("reads Redis")
    from live import presence, redis_clients

    store = presence.RedisStore()
    batches = []
    read_many = store.snapshots

    async def counted(streams):  # noqa: ANN001, ANN202
        batches.append(list(streams))
        return await read_many(streams)

    monkeypatch.setattr(presence.RedisStore, "snapshots", lambda _self, streams: counted(streams))
    streams = [f"question.{n}" for n in range(900_001, 900_021)]  # no test's question
    for n, stream in enumerate(streams):
        for viewer in range(n % 3 + 1):
            await store.join(stream, f"socket.{viewer}", f"c{viewer}")
    try:
        first = asyncio.gather(*(store.snapshot(s) for s in streams))
        while not batches:
            await asyncio.sleep(0)
        await store.join(streams[0], "socket.9", "c9")
        again = await asyncio.gather(store.snapshot(streams[0]), store.snapshot(streams[1]))
        snapshots = await first
    finally:
        await redis_clients.async_client().delete(*(store._viewers_key(s) for s in streams))

    assert [viewers for viewers, _typing, _next in snapshots] == [n % 3 + 1 for n in range(20)]
    # asked again while the first read was in flight: read again after it, with the join
    assert [viewers for viewers, _typing, _next in again] == [2, 2]
    assert batches == [streams, streams[:2]]
