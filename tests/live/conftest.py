"""Fixtures of the live layer's tests: clean channel layer, presence and Redis clients."""

from __future__ import annotations

import pytest
from channels.layers import get_channel_layer

from live import addresses, presence, redis_clients
from tests.live import sockets


@pytest.fixture(autouse=True)
def _fast_presence(settings):
    settings.LIVE_PRESENCE_DELAY = 0.01


@pytest.fixture(autouse=True)
async def _clean_live_layer():
    presence.reset_memory_store()
    addresses.reset_memory_store()
    yield
    await presence.get_presence().close()
    await addresses.get_addresses().close()
    await get_channel_layer().flush()
    await redis_clients.close_async_client()


@pytest.fixture
async def connect():
    """`await connect(user=None, origin=..., headers=...)`: an accepted socket, closed after."""
    opened = []

    async def open_socket(user=None, **kwargs):
        socket = await sockets.communicator(user, **kwargs)
        connected, code = await socket.connect(timeout=5)
        assert connected, f"refused with {code}"
        opened.append(socket)
        return socket

    yield open_socket
    for socket in opened:
        await socket.disconnect(timeout=5)
