"""Catch-up: `since` replays what a client missed, or tells it to resync."""

from __future__ import annotations

import json

import pytest
import time_machine
from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer

from forum import services
from live.backlog import get_backlog, last_id
from live.events import encode_tail, publish
from tests.live.sockets import events, next_frame, run, subscribe

pytestmark = pytest.mark.django_db(transaction=True)


def publish_now(stream: str, n: int) -> None:
    """Publish events 'e1'..'en' outside any transaction (so at once)."""
    for i in range(1, n + 1):
        publish(stream, f"e{i}", {"n": i})


async def test_a_reconnecting_client_gets_what_it_missed_then_live_events(connect):
    # given five events, of which the client saw the first two
    await run(publish_now, stream="feed", n=5)
    socket = await connect()
    # when it subscribes with since=2
    assert await subscribe(socket, "feed", since=2) == {
        "type": "subscribed",
        "stream": "feed",
        "last_id": 5,
    }
    # then it gets 3, 4, 5 in order, then live ones
    assert [(f["id"], f["type"]) for f in await events(socket)] == [
        (3, "e3"),
        (4, "e4"),
        (5, "e5"),
    ]
    await run(publish, stream="feed", type="e6", data={"n": 6})
    assert (await next_frame(socket))["id"] == 6


async def test_since_equal_to_the_last_id_replays_nothing(connect):
    await run(publish_now, stream="feed", n=3)
    socket = await connect()
    assert (await subscribe(socket, "feed", since=3))["last_id"] == 3
    assert await events(socket) == []


async def test_since_zero_on_a_new_stream_replays_nothing(connect):
    socket = await connect()
    assert await subscribe(socket, "feed", since=0) == {
        "type": "subscribed",
        "stream": "feed",
        "last_id": 0,
    }
    assert await events(socket) == []


async def test_a_replayed_frame_also_arriving_live_is_sent_once(connect):
    # given a client that replayed up to 3
    await run(publish_now, stream="feed", n=3)
    socket = await connect()
    await subscribe(socket, "feed", since=0)
    assert [f["id"] for f in await events(socket)] == [1, 2, 3]
    # when frame 3 reaches it live as well (it was queued while the replay ran)
    await get_channel_layer().group_send(
        "s.feed", {"type": "live.frame", "stream": "feed", "id": 3, "text": '{"id":3}'}
    )
    # then it is dropped, and later frames still pass
    await run(publish, stream="feed", type="e4", data={})
    assert [f["id"] for f in await events(socket)] == [4]


async def test_since_older_than_the_backlog_asks_for_a_resync(connect, settings):
    settings.LIVE_BACKLOG_SIZE = 3
    await run(publish_now, stream="feed", n=6)  # the backlog keeps 4, 5, 6
    socket = await connect()
    assert (await subscribe(socket, "feed", since=2))["last_id"] == 6
    assert await events(socket) == [{"stream": "feed", "type": "resync", "data": {"last_id": 6}}]
    # still subscribed: live events follow
    await run(publish, stream="feed", type="e7", data={})
    assert (await next_frame(socket))["id"] == 7


async def test_since_just_inside_the_backlog_replays(connect, settings):
    settings.LIVE_BACKLOG_SIZE = 3
    await run(publish_now, stream="feed", n=6)
    socket = await connect()
    await subscribe(socket, "feed", since=3)
    assert [f["id"] for f in await events(socket)] == [4, 5, 6]


async def test_since_ahead_of_the_stream_asks_for_a_resync(connect):
    # a client from before a reset (or one that made its id up)
    await run(publish_now, stream="feed", n=2)
    socket = await connect()
    await subscribe(socket, "feed", since=40)
    assert await events(socket) == [{"stream": "feed", "type": "resync", "data": {"last_id": 2}}]


async def test_events_older_than_the_age_limit_are_not_replayed(connect, settings):
    settings.LIVE_BACKLOG_SECONDS = 3600
    with time_machine.travel("2026-03-01 10:00 +0000", tick=False):
        await run(publish_now, stream="feed", n=2)
    with time_machine.travel("2026-03-01 10:30 +0000", tick=False):
        await run(publish, stream="feed", type="e3", data={})
    with time_machine.travel("2026-03-01 11:10 +0000", tick=True):
        socket = await connect()
        await subscribe(socket, "feed", since=2)
        assert [f["id"] for f in await events(socket)] == [3]
        await subscribe(socket, "feed", since=0)  # 1 and 2 are over an hour old
        assert await events(socket) == [
            {"stream": "feed", "type": "resync", "data": {"last_id": 3}}
        ]


async def test_the_user_stream_replays_only_the_members_own_events(
    connect, customer, other_customer, question, helper
):
    # given notifications for anna (her question is answered) and for bruno (mentioned)
    await run(
        services.post_answer,
        actor=helper,
        question=question,
        body="Ask @bruno, he had the same problem last week.",
    )
    socket = await connect(other_customer)
    await subscribe(socket, "user", since=0)
    frames = await events(socket)
    assert [(f["id"], f["stream"], f["type"], f["data"]["kind"]) for f in frames] == [
        (1, "user", "notification.created", "mention")
    ]


def test_ids_survive_trimming(settings):
    settings.LIVE_BACKLOG_SIZE = 2
    backlog = get_backlog()
    ids = [backlog.append("question.9", encode_tail("question.9", "t", {}))[0] for _ in range(5)]
    assert ids == [1, 2, 3, 4, 5]
    assert last_id("question.9") == 5
    replay = async_to_sync(backlog.replay)("question.9", 3)
    assert [json.loads(f)["id"] for f in replay.frames] == [4, 5]
    assert replay.resync is False


def test_a_frame_is_the_id_and_the_encoded_event():
    event_id, frame = get_backlog().append("feed", encode_tail("feed", "t", {"é": "<b>"}))
    assert json.loads(frame) == {
        "id": event_id,
        "stream": "feed",
        "type": "t",
        "data": {"é": "<b>"},
    }
