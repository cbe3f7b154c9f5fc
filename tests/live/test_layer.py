"""The Redis channel layer's bounded pool: a connect storm queues, it does not fail."""

from __future__ import annotations

import asyncio

import pytest
import redis.asyncio as aioredis
from django.conf import settings

from live.layers import RedisChannelLayer

pytestmark = pytest.mark.skipif(not settings.REDIS_URL, reason="needs Redis (REDIS_URL)")


async def test_a_burst_of_subscriptions_stays_within_the_pool_and_all_succeed():
    url = settings.CHANNEL_LAYERS["default"]["CONFIG"]["hosts"][0]
    layer = RedisChannelLayer(hosts=[url], prefix="circolo-storm-test", max_connections=8)
    probe = aioredis.Redis.from_url(url)
    try:
        peak = 0

        async def subscribe_one() -> None:
            nonlocal peak
            channel = await layer.new_channel()
            await layer.group_add("s.question.1", channel)
            peak = max(peak, len(layer.connection(0).connection_pool._in_use_connections))

        # when 500 sockets subscribe at the same moment
        results = await asyncio.gather(
            *(subscribe_one() for _ in range(500)), return_exceptions=True
        )
        # then every subscription succeeded, through at most 8 connections
        assert [r for r in results if isinstance(r, Exception)] == []
        assert peak <= 8
        pool = layer.connection(0).connection_pool
        assert len(pool._available_connections) + len(pool._in_use_connections) <= 8
        assert await probe.zcard("circolo-storm-test:group:s.question.1") == 500
    finally:
        await layer.flush()
        await probe.aclose()


def test_publishing_from_plain_threads_goes_through_one_loop_and_one_pool():
    """`send_to_group` from synchronous threads (workers, commands, bench P7's voters)
    uses one event loop and one layer of its own per process: its Redis pool is opened
    once, not per frame as `async_to_sync` from a plain thread did (a loop per call)."""
    import threading

    from live import events

    seen = []

    def publish_some() -> None:
        for i in range(5):
            events.send_to_group("user.1", {"type": "live.frame", "text": str(i)})
        seen.append(events._publisher())

    threads = [threading.Thread(target=publish_some) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert len(seen) == 4
    loop, layer = seen[0]
    assert all(s == (loop, layer) for s in seen)
    assert list(layer._layers) == [loop]  # one loop, so one connection pool


@pytest.fixture
async def layer():
    url = settings.CHANNEL_LAYERS["default"]["CONFIG"]["hosts"][0]
    layer = RedisChannelLayer(hosts=[url], prefix="circolo-many-test")
    yield layer
    await layer.flush()


@pytest.fixture
async def round_trips(layer, monkeypatch):
    """One entry per pipeline the layer opens on its connection (a round trip each)."""
    trips = []
    pipeline = layer.connection(0).pipeline

    def counted(*args, **kwargs):
        trips.append(1)
        return pipeline(*args, **kwargs)

    monkeypatch.setattr(layer.connection(0), "pipeline", counted)
    return trips


async def test_receive_many_takes_every_waiting_group_message_oldest_first(layer):
    await layer.group_add("s.question.1", "live-hub.test")
    for n in range(1, 6):
        await layer.group_send("s.question.1", {"type": "live.frame", "id": n})

    messages = await layer.receive_many("live-hub.test", limit=3)
    rest = await layer.receive_many("live-hub.test")

    assert [m["id"] for m in messages] == [1, 2, 3]
    assert [m["id"] for m in rest] == [4, 5]
    assert all(m == {"type": "live.frame", "id": m["id"]} for m in messages + rest)


async def test_receive_many_waits_for_the_next_message_when_none_is_waiting(layer):
    reader = asyncio.create_task(layer.receive_many("live-hub.test"))
    await asyncio.sleep(0.05)
    assert not reader.done()

    await layer.send("live-hub.test", {"type": "live.frame", "id": 7})

    assert await asyncio.wait_for(reader, timeout=5) == [{"type": "live.frame", "id": 7}]


async def test_group_changes_apply_in_order_in_one_round_trip(layer, round_trips):
    await layer.group_changes(
        [
            ("add", "s.question.1", "live-hub.a"),
            ("add", "s.question.2", "live-hub.a"),
            ("add", "s.question.1", "live-hub.b"),
            ("discard", "s.question.1", "live-hub.a"),
            ("discard", "s.question.2", "live-hub.a"),
            ("add", "s.question.2", "live-hub.a"),
        ]
    )

    assert round_trips == [1]
    await layer.group_send("s.question.1", {"type": "live.frame", "id": 1})
    await layer.group_send("s.question.2", {"type": "live.frame", "id": 2})
    assert await layer.receive_many("live-hub.a") == [{"type": "live.frame", "id": 2}]
    assert await layer.receive_many("live-hub.b") == [{"type": "live.frame", "id": 1}]


async def test_group_send_reaches_every_kind_of_member_in_two_round_trips(layer, round_trips):
    specific = await layer.new_channel()  # a process-local channel ("...!..."), read by receive
    await layer.group_changes([("add", "s.feed", "live-hub.a"), ("add", "s.feed", specific)])
    round_trips.clear()  # the setup's
    await layer.group_send("s.feed", {"type": "live.frame", "id": 1})

    assert round_trips == [1, 1]
    assert await layer.receive_many("live-hub.a") == [{"type": "live.frame", "id": 1}]
    assert await asyncio.wait_for(layer.receive(specific), 5) == {"type": "live.frame", "id": 1}


async def test_group_send_drops_what_a_full_channel_cannot_take(layer):
    layer.capacity = 3
    await layer.group_add("s.feed", "live-hub.a")
    for n in range(1, 6):
        await layer.group_send("s.feed", {"type": "live.frame", "id": n})

    assert [m["id"] for m in await layer.receive_many("live-hub.a")] == [1, 2, 3]


async def test_group_send_many_sends_to_many_groups_in_order_in_two_round_trips(layer, round_trips):
    """A hub in many groups gets each group's messages in the order they were sent, the
    same group's too; a group nobody is in costs nothing; a full channel drops the rest."""
    layer.capacity = 25
    streams = [f"s.question.{n}" for n in range(20)]
    await layer.group_changes([("add", group, "live-hub.a") for group in streams])
    await layer.group_add("s.question.3", "live-hub.b")
    round_trips.clear()  # the setup's
    sends = [(group, {"type": "live.presence", "stream": group}) for group in streams]
    sends += [("s.question.3", {"type": "live.frame", "id": n}) for n in (1, 2)]
    sends += [("s.nobody", {"type": "live.frame", "id": 9})]
    sends += [("s.question.0", {"type": "live.frame", "id": n}) for n in range(3, 10)]
    await layer.group_send_many(sends)

    assert round_trips == [1, 1]
    received = await layer.receive_many("live-hub.a")
    # in the order sent, up to the channel's capacity of 25
    assert received == [message for _group, message in sends if _group != "s.nobody"][:25]
    assert await layer.receive_many("live-hub.b") == [
        {"type": "live.presence", "stream": "s.question.3"},
        {"type": "live.frame", "id": 1},
        {"type": "live.frame", "id": 2},
    ]


async def test_presence_broadcasts_of_many_threads_go_to_the_layer_together(monkeypatch):
    from live import presence
    from live.layers import send_to_groups

    batches: list[int] = []

    async def counted(layer, sends):
        batches.append(len(sends))
        await send_to_groups(layer, sends)

    monkeypatch.setattr(presence, "send_to_groups", counted)
    url = settings.CHANNEL_LAYERS["default"]["CONFIG"]["hosts"][0]
    layer = RedisChannelLayer(hosts=[url], prefix="circolo-many-test")
    monkeypatch.setattr(presence, "get_channel_layer", lambda: layer)
    try:
        await layer.group_changes([("add", f"live.question.{n}", "live-hub.p") for n in range(30)])
        await asyncio.gather(
            *(
                presence._broadcasts.add(
                    (f"live.question.{n}", {"type": "live.presence", "stream": str(n)})
                )
                for n in range(30)
            )
        )
        assert batches == [30]
        assert len(await layer.receive_many("live-hub.p")) == 30
    finally:
        await layer.flush()
