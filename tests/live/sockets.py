"""Helpers for the live layer's tests: open a socket as a member, subscribe, read events."""

from __future__ import annotations

import json

from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.test import Client

from config.asgi import application

ORIGIN = b"http://testserver"


@database_sync_to_async
def session_cookie(user) -> bytes:
    client = Client()
    client.force_login(user)
    return f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}".encode()


async def communicator(
    user=None, *, origin: bytes | None = ORIGIN, headers=(), path: str = "/ws/"
) -> WebsocketCommunicator:
    all_headers = [(b"host", b"testserver"), *headers]
    if origin is not None:
        all_headers.append((b"origin", origin))
    if user is not None:
        all_headers.append((b"cookie", await session_cookie(user)))
    return WebsocketCommunicator(application, path, headers=all_headers)


async def subscribe(socket: WebsocketCommunicator, stream: str, since: int | None = None) -> dict:
    """Subscribe and return the reply (`subscribed` or `error`), skipping presence frames."""
    message = {"action": "subscribe", "stream": stream}
    if since is not None:
        message["since"] = since
    await socket.send_json_to(message)
    return await next_frame(socket)


async def next_frame(socket: WebsocketCommunicator, *, skip_presence: bool = True) -> dict:
    """The next frame, skipping presence frames unless asked for them."""
    while True:
        frame = await socket.receive_json_from(timeout=5)
        if not (skip_presence and frame.get("type") == "presence"):
            return frame


async def next_presence(socket: WebsocketCommunicator) -> dict:
    while True:
        frame = await socket.receive_json_from(timeout=5)
        if frame.get("type") == "presence":
            return frame["data"]


async def drain(socket: WebsocketCommunicator, *, wait: float = 0.1) -> list[dict]:
    """Everything that arrives until the socket is quiet for `wait` seconds."""
    frames = []
    while not await socket.receive_nothing(timeout=wait):
        frames.append(json.loads((await socket.receive_output())["text"]))
    return frames


async def events(socket: WebsocketCommunicator, *, wait: float = 0.1) -> list[dict]:
    """The non-presence frames that arrive until the socket is quiet."""
    return [frame for frame in await drain(socket, wait=wait) if frame.get("type") != "presence"]


async def expect_events(
    socket: WebsocketCommunicator, count: int, *, quiet: float = 0.1
) -> list[dict]:
    """Wait for `count` non-presence frames (however slow the machine is), then for the
    socket to stay quiet for `quiet` seconds; return them. `events(socket, wait=...)`
    alone returns early when the frames take longer than `wait` to come, under load."""
    frames = []
    while len(frames) < count:
        frame = await socket.receive_json_from(timeout=10)
        if frame.get("type") != "presence":
            frames.append(frame)
    return frames + await events(socket, wait=quiet)


def run(func, /, **kwargs):
    """Call a (synchronous, database-touching) service from an async test."""
    return database_sync_to_async(func)(**kwargs)
