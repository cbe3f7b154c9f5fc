"""Closing a socket for a broken limit leaves nothing behind: no subscription, no viewer,
no counted socket; presence entries whose cleanup never ran lapse on their own."""

from __future__ import annotations

import asyncio
import datetime as dt
import json

import pytest
import time_machine

from live import addresses, presence
from live.hub import get_hub
from tests.live.sockets import communicator, drain, subscribe

pytestmark = pytest.mark.django_db(transaction=True)


async def settled_viewers(socket) -> int:
    frames = [f for f in await drain(socket, wait=0.15) if f.get("type") == "presence"]
    assert frames, "no presence frame arrived"
    return frames[-1]["data"]["viewers"]


async def viewers(stream: str) -> int:
    count, _typing, _next = await presence.get_store().snapshot(stream)
    return count


async def test_twenty_oversized_messages_leave_no_ghost_viewers(connect, question, settings):
    settings.LIVE_MAX_MESSAGE_BYTES = 200
    stream = f"question.{question.pk}"
    watcher = await connect()
    await subscribe(watcher, stream)
    assert await settled_viewers(watcher) == 1

    for _ in range(20):
        offender = await connect()
        offender.scope["client"] = ("192.0.2.40", 1)
        await subscribe(offender, stream)
        await offender.send_to(text_data=json.dumps({"x": "y" * 300}))
        frames = []
        while True:
            output = await offender.receive_output(timeout=5)
            if output["type"] == "websocket.close":
                break
            frames.append(json.loads(output["text"]))
        assert {"type": "error", "stream": None, "reason": "message_too_large"} in frames
        assert output["code"] == 4009

    assert await settled_viewers(watcher) == 1
    assert await viewers(stream) == 1
    assert set(get_hub().members) <= {stream}
    assert len(get_hub().members[stream].subscribers) == 1
    assert presence.get_presence().local_count[stream] == 1


async def test_a_flood_close_leaves_no_ghost(connect, question, settings):
    settings.LIVE_MAX_MESSAGES_PER_SECOND = 3
    stream = f"question.{question.pk}"
    watcher = await connect()
    await subscribe(watcher, stream)
    offender = await connect()
    await subscribe(offender, stream)
    assert await settled_viewers(watcher) == 2

    for _ in range(5):
        await offender.send_json_to({"action": "unsubscribe", "stream": "feed"})

    assert await settled_viewers(watcher) == 1
    assert await viewers(stream) == 1


async def test_a_consumer_killed_without_a_disconnect_still_cleans_up(connect, question):
    """As when the server's close failed inside the protocol and the app was cancelled."""
    stream = f"question.{question.pk}"
    watcher = await connect()
    await subscribe(watcher, stream)
    victim = await communicator()  # not the fixture's: it is never disconnected
    victim.scope["client"] = ("192.0.2.41", 1)
    assert (await victim.connect(timeout=5))[0]
    await subscribe(victim, stream)
    assert await settled_viewers(watcher) == 2

    victim.future.cancel()
    await asyncio.gather(victim.future, return_exceptions=True)

    assert await settled_viewers(watcher) == 1
    assert await viewers(stream) == 1
    assert len(get_hub().members[stream].subscribers) == 1
    assert await addresses.get_store().count("192.0.2.41") == 0


async def test_presence_of_a_dead_socket_expires_after_the_ttl(db):
    """An entry nobody cleans up (its process died, say) stops counting on its own."""
    stream = "question.999"
    start = dt.datetime(2026, 5, 4, 10, 0, tzinfo=dt.UTC)
    with time_machine.travel(start, tick=False) as traveller:
        await presence.get_store().join(stream, "ghost-channel", "cghost")
        await presence.get_store().join(stream, "live-channel", "clive")
        assert await viewers(stream) == 2
        traveller.shift(dt.timedelta(seconds=presence.REFRESH_SECONDS))
        await presence.get_store().refresh([(stream, "live-channel", "clive")])
        traveller.shift(dt.timedelta(seconds=presence.STALE_SECONDS - presence.REFRESH_SECONDS))
        assert await viewers(stream) == 1  # the ghost lapsed; the refreshed one stays
        traveller.shift(dt.timedelta(seconds=presence.REFRESH_SECONDS - 1))
        assert await viewers(stream) == 1
        traveller.shift(dt.timedelta(seconds=presence.STALE_SECONDS))
        assert await viewers(stream) == 0


async def test_the_refresher_keeps_open_sockets_only(db):
    stream = "question.998"
    tracker = presence.Presence()
    state = {"open": True}
    start = dt.datetime(2026, 5, 4, 10, 0, tzinfo=dt.UTC)
    with time_machine.travel(start, tick=False) as traveller:
        await tracker.join(stream, "closed-channel", "cclosed", alive=lambda: state["open"])
        await tracker.join(stream, "open-channel", "copen", alive=lambda: True)
        state["open"] = False  # closed, but its leave() never ran
        traveller.shift(dt.timedelta(seconds=presence.REFRESH_SECONDS))
        await tracker.refresh()
        traveller.shift(dt.timedelta(seconds=presence.STALE_SECONDS - presence.REFRESH_SECONDS))

        assert await viewers(stream) == 1
        assert list(tracker.local) == [(stream, "open-channel")]
        assert tracker.local_count[stream] == 1
    await tracker.close()
    await presence.get_store().leave(stream, "open-channel", "copen")


async def test_counted_sockets_of_a_dead_process_expire_too(db, settings):
    settings.LIVE_MAX_SOCKETS_PER_ADDRESS = 1
    start = dt.datetime(2026, 5, 4, 10, 0, tzinfo=dt.UTC)
    with time_machine.travel(start, tick=False) as traveller:
        store = addresses.get_store()
        assert await store.add("192.0.2.50", "dead-channel", 1)
        assert not await store.add("192.0.2.50", "new-channel", 1)
        traveller.shift(dt.timedelta(seconds=presence.STALE_SECONDS + 1))
        assert await store.add("192.0.2.50", "new-channel", 1)
        await store.remove("192.0.2.50", "new-channel")


async def test_sockets_opened_at_once_are_counted_together_up_to_each_address_limit(
    db, settings, monkeypatch
):
    if not settings.REDIS_URL:
        pytest.skip("counts in Redis")
    store, batches = addresses.RedisStore(), []
    add_many = store.add_many

    async def counted(sockets, limit):  # noqa: ANN001, ANN202
        batches.append(len(sockets))
        return await add_many(sockets, limit)

    monkeypatch.setattr(addresses.RedisStore, "add_many", lambda _self, *args: counted(*args))
    sockets = [(f"192.0.2.{60 + n % 2}", f"storm-{n}") for n in range(30)]
    try:
        admitted = await asyncio.gather(*(store.add(a, c, 10) for a, c in sockets))
        assert batches == [30]
        # in the order asked: the first ten of each address
        assert admitted == [n < 20 for n in range(30)]
        assert [await store.count(a) for a in ("192.0.2.60", "192.0.2.61")] == [10, 10]
    finally:
        for address, channel in sockets:
            await store.remove(address, channel)
