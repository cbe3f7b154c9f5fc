"""Limits per socket: message size, messages per second, subscriptions. Offenders get an
error frame and are closed; well-behaved clients at the limit are not."""

from __future__ import annotations

import json

import pytest

from tests.live.sockets import subscribe

pytestmark = pytest.mark.django_db(transaction=True)


async def closed_with(socket) -> int:
    output = await socket.receive_output(timeout=5)
    assert output["type"] == "websocket.close", output
    return output["code"]


async def test_a_message_at_the_size_limit_is_accepted(connect, settings):
    settings.LIVE_MAX_MESSAGE_BYTES = 100
    socket = await connect()
    message = json.dumps({"action": "subscribe", "stream": "feed"})
    await socket.send_to(text_data=message + " " * (100 - len(message)))
    assert (await socket.receive_json_from(timeout=5))["type"] == "subscribed"


async def test_an_oversized_message_closes_the_socket(connect, settings):
    settings.LIVE_MAX_MESSAGE_BYTES = 100
    socket = await connect()
    message = json.dumps({"action": "subscribe", "stream": "feed"})
    await socket.send_to(text_data=message + " " * (101 - len(message)))
    assert await socket.receive_json_from(timeout=5) == {
        "type": "error",
        "stream": None,
        "reason": "message_too_large",
    }
    assert await closed_with(socket) == 4009


async def test_size_is_counted_in_bytes_not_characters(connect, settings):
    settings.LIVE_MAX_MESSAGE_BYTES = 100
    socket = await connect()
    await socket.send_to(text_data=json.dumps({"x": "é" * 60}, ensure_ascii=False))  # 69 chars
    assert (await socket.receive_json_from(timeout=5))["reason"] == "message_too_large"


async def test_a_binary_frame_is_a_bad_message(connect):
    socket = await connect()
    await socket.send_to(bytes_data=b'{"action": "subscribe", "stream": "feed"}')
    assert (await socket.receive_json_from(timeout=5))["reason"] == "bad_message"


async def test_a_flood_closes_the_socket(connect, settings):
    settings.LIVE_MAX_MESSAGES_PER_SECOND = 5
    socket = await connect()
    for _ in range(6):
        await socket.send_json_to({"action": "typing", "stream": "feed"})
    replies = [await socket.receive_json_from(timeout=5) for _ in range(6)]
    assert [r["reason"] for r in replies] == ["login_required"] * 5 + ["rate_limited"]
    assert await closed_with(socket) == 4008


async def test_the_bucket_refills(connect, settings):
    settings.LIVE_MAX_MESSAGES_PER_SECOND = 50
    socket = await connect()
    for _ in range(3):
        for _ in range(25):  # half the burst, then a pause of half a second: never empty
            await socket.send_json_to({"action": "unsubscribe", "stream": "feed"})
        for _ in range(25):
            assert (await socket.receive_json_from(timeout=5))["reason"] == "not_subscribed"
        assert await socket.receive_nothing(timeout=0.5)


async def test_too_many_subscriptions_close_the_socket(connect, settings, question):
    settings.LIVE_MAX_SUBSCRIPTIONS = 2
    socket = await connect()
    assert (await subscribe(socket, "feed"))["type"] == "subscribed"
    assert (await subscribe(socket, f"question.{question.pk}"))["type"] == "subscribed"
    assert (await subscribe(socket, "feed"))["type"] == "subscribed"  # again: not one more
    assert await subscribe(socket, "user") == {
        "type": "error",
        "stream": "user",
        "reason": "too_many_subscriptions",
    }
    assert await closed_with(socket) == 4008


async def test_nothing_is_processed_after_a_limit_closed_the_socket(connect, settings):
    settings.LIVE_MAX_MESSAGE_BYTES = 50
    socket = await connect()
    await socket.send_to(text_data="x" * 51)
    await socket.send_json_to({"action": "subscribe", "stream": "feed"})
    assert (await socket.receive_json_from(timeout=5))["reason"] == "message_too_large"
    assert await closed_with(socket) == 4009
    assert await socket.receive_nothing(timeout=0.2)
