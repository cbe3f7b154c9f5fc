"""Protocol rule (docs/live.md): on a socket, `subscribed` is the first frame of a stream.

The hub hands frames to a socket from its own task as soon as the process has joined the
stream's group, while the subscription is still being answered (presence written, the
backlog read). Whatever arrives in between waits for `subscribed` and the replay. These
tests make that window wide on purpose (the backlog read waits until the hub has
delivered a presence broadcast and a new event), and load it: many subscriptions sent at
once on one socket while events and presence changes are published concurrently."""

from __future__ import annotations

import asyncio
import json

import pytest
from channels.db import database_sync_to_async
from django.db import transaction

from live import events
from live.backlog import get_backlog
from live.hub import Hub
from tests.factories import QuestionFactory
from tests.live.sockets import drain

pytestmark = pytest.mark.django_db(transaction=True)


@database_sync_to_async
def publish(stream: str, n: int) -> None:
    """Publish event `n` on `stream` as a service does (after commit)."""
    with transaction.atomic():
        events.publish(stream, "test.ping", {"n": n})


@pytest.fixture
def delivered(monkeypatch):
    """`await delivered(stream, kind)`: wait until the hub has handed a `kind` message of
    `stream` to its sockets (at any time during the test)."""
    seen: set[tuple[str, str]] = set()
    changed = asyncio.Condition()
    original = Hub.deliver

    async def deliver(self, message):  # noqa: ANN001, ANN202
        await original(self, message)
        async with changed:
            seen.add((message.get("stream"), message.get("type")))
            changed.notify_all()

    monkeypatch.setattr(Hub, "deliver", deliver)

    async def wait_for(stream: str, kind: str) -> None:
        async with changed:
            await asyncio.wait_for(changed.wait_for(lambda: (stream, kind) in seen), timeout=10)

    return wait_for


async def received(socket) -> list[dict]:  # noqa: ANN001
    """The first frame (however long the subscription takes), then all until quiet."""
    first = await socket.receive_json_from(timeout=15)
    return [first, *await drain(socket, wait=0.3)]


def frames_of(frames: list[dict], stream: str) -> list[dict]:
    return [f for f in frames if f.get("stream") == stream]


async def test_frames_that_arrive_while_subscribing_wait_for_subscribed(
    connect, question, delivered, monkeypatch
):
    stream = f"question.{question.pk}"
    await publish(stream, 1)
    backlog = type(get_backlog())
    original = backlog.alast_id

    async def slow_last_id(self, name):  # noqa: ANN001, ANN202
        # The backlog answers, then (before `subscribed` goes out) the socket's own
        # arrival is broadcast as presence and a new event is published.
        last = await original(self, name)
        await delivered(name, "live.presence")
        await publish(name, 2)
        await delivered(name, "live.frame")
        return last

    monkeypatch.setattr(backlog, "alast_id", slow_last_id)
    socket = await connect()
    await socket.send_json_to({"action": "subscribe", "stream": stream})

    frames = await received(socket)

    assert frames[0] == {"type": "subscribed", "stream": stream, "last_id": 1}
    pings = [f for f in frames if f.get("type") == "test.ping"]
    assert [(f["id"], f["data"]) for f in pings] == [(2, {"n": 2})]
    presence = [f for f in frames if f.get("type") == "presence"]
    assert presence
    assert presence[-1]["data"]["viewers"] == 1


async def test_a_frame_that_arrives_during_the_replay_follows_the_replay(
    connect, question, delivered, monkeypatch
):
    stream = f"question.{question.pk}"
    for n in (1, 2, 3):
        await publish(stream, n)
    backlog = type(get_backlog())
    original = backlog.replay

    async def slow_replay(self, name, since):  # noqa: ANN001, ANN202
        replay = await original(self, name, since)
        await publish(name, 4)
        await delivered(name, "live.frame")
        return replay

    monkeypatch.setattr(backlog, "replay", slow_replay)
    socket = await connect()
    await socket.send_json_to({"action": "subscribe", "stream": stream, "since": 1})

    frames = [f for f in await received(socket) if f.get("type") != "presence"]

    assert frames[0] == {"type": "subscribed", "stream": stream, "last_id": 3}
    assert [f["id"] for f in frames[1:]] == [2, 3, 4]


@pytest.fixture
def questions(customer):
    return [QuestionFactory(author=customer) for _ in range(20)]


async def test_many_subscriptions_at_once_under_concurrent_events_and_presence(
    connect, questions, customer, other_customer, settings
):
    """One socket sends 20 subscriptions (half of them with `since`) in one go while
    events are published to those questions from another thread and two more members
    come and go on them. For every stream, `subscribed` is the first frame; after it, no
    event is older than its `last_id` (unless replayed) and none comes twice."""
    settings.LIVE_MAX_MESSAGES_PER_SECOND = 100
    names = [f"question.{q.pk}" for q in questions]
    for name in names[::2]:
        await publish(name, 0)  # some streams have a history to replay
    stop = asyncio.Event()

    async def publisher() -> None:
        n = 0
        while not stop.is_set():
            n += 1
            await publish(names[n % len(names)], n)

    async def visitors() -> None:
        others = [await connect(customer), await connect(other_customer)]
        while not stop.is_set():
            for other in others:
                for name in names:
                    await other.send_json_to({"action": "subscribe", "stream": name})
                await asyncio.sleep(0.05)
                for name in names:
                    await other.send_json_to({"action": "unsubscribe", "stream": name})
                await asyncio.sleep(0.05)

    background = [asyncio.create_task(publisher()), asyncio.create_task(visitors())]
    socket = await connect()
    await asyncio.sleep(0.1)  # the publishers are under way
    for i, name in enumerate(names):
        message = {"action": "subscribe", "stream": name}
        if i % 2:
            message["since"] = 0
        await socket.send_json_to(message)
    frames: list[dict] = []
    while sum(f.get("type") == "subscribed" for f in frames) < len(names):
        frames.append(json.loads((await socket.receive_output(timeout=10))["text"]))
    stop.set()
    await asyncio.gather(*background)
    frames += await drain(socket, wait=0.3)

    for i, name in enumerate(names):
        mine = frames_of(frames, name)
        assert mine[0]["type"] == "subscribed", (name, mine[:3])
        last_id = mine[0]["last_id"]
        ids = [f["id"] for f in mine[1:] if "id" in f]
        assert len(ids) == len(set(ids)), (name, ids)
        replayed = list(range(1, last_id + 1)) if i % 2 else []  # with since=0: all of it
        assert ids[: len(replayed)] == replayed, (name, last_id, ids)
        assert all(later > last_id for later in ids[len(replayed) :]), (name, last_id, ids)
        assert ids == sorted(ids), (name, ids)
