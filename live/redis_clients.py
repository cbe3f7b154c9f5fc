"""Redis clients for the backlog and presence (only used when a Redis URL is configured).

The synchronous client serves `publish` (which runs in the request thread after commit);
the asyncio client serves the consumers. asyncio connections belong to one event loop,
so there is one client per loop (daphne runs one; each async test runs its own).

The asyncio pool is a BlockingConnectionPool: when a burst of sockets (a reconnect storm
after a deploy) wants more connections than the pool holds, they queue for a free one
instead of failing with "Too many connections", and Redis never sees more than
LIVE_REDIS_MAX_CONNECTIONS connections per process.
"""

from __future__ import annotations

import asyncio
import weakref
from functools import lru_cache

import redis
import redis.asyncio as aioredis
from django.conf import settings

from live.conf import redis_url

_async_clients: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, aioredis.Redis] = (
    weakref.WeakKeyDictionary()
)


@lru_cache(maxsize=4)
def _sync_client(url: str) -> redis.Redis:
    return redis.Redis.from_url(url)


def sync_client() -> redis.Redis:
    return _sync_client(redis_url())


def async_client() -> aioredis.Redis:
    """The asyncio client of the running event loop (created on first use)."""
    loop = asyncio.get_running_loop()
    client = _async_clients.get(loop)
    if client is None:
        pool = aioredis.BlockingConnectionPool.from_url(
            redis_url(),
            max_connections=getattr(settings, "LIVE_REDIS_MAX_CONNECTIONS", 50),
            timeout=10,
        )
        client = aioredis.Redis(connection_pool=pool)
        _async_clients[loop] = client
    return client


async def close_async_client() -> None:
    """Close the running loop's client (tests call this before their loop goes away)."""
    client = _async_clients.pop(asyncio.get_running_loop(), None)
    if client is not None:
        await client.aclose(close_connection_pool=True)
