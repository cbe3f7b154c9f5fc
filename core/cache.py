"""Django's Redis cache with one client (and so one connection pool) per process.

`django.core.cache.caches` keeps a backend instance per request context (an asgiref
Local), and Django's RedisCache opens a connection pool of its own per instance: under
ASGI every request connected to Redis afresh (and redis-py read its own package metadata
from disk for each new connection). Here every instance with the same servers and
options shares one client; redis-py's pools are thread-safe and reconnect after a fork.
That client also keeps its `redis.Redis` objects (thread-safe too), where Django's builds
one for every cache call: some 80 response callbacks set up each time, about 0.1 ms.
"""

from __future__ import annotations

import threading
from typing import Any

from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from django.utils.functional import cached_property

_clients: dict[tuple, RedisCacheClient] = {}
_lock = threading.Lock()


class _KeptClients(RedisCacheClient):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._kept: dict[int, Any] = {}

    def get_client(self, key: str | None = None, *, write: bool = False) -> Any:  # noqa: ANN401
        index = self._get_connection_pool_index(write)
        client = self._kept.get(index)
        if client is None:  # two threads may both build one: either will do
            client = self._kept[index] = super().get_client(key, write=write)
        return client


class SharedRedisCache(RedisCache):
    @cached_property
    def _cache(self) -> RedisCacheClient:
        key = (tuple(self._servers), repr(sorted(self._options.items())))
        with _lock:
            client = _clients.get(key)
            if client is None:
                client = _clients[key] = _KeptClients(self._servers, **self._options)
        return client

    def bump(self, key: str, version: int | None = None) -> int:
        """Add one to the counter at `key`, which never expires; a missing counter starts
        at 1. One INCR, where Django's `incr` asks whether the key exists first (two round
        trips, and `add` to start it). Read back with `get`, as any counter."""
        key = self.make_and_validate_key(key, version=version)
        return self._cache.get_client(key, write=True).incr(key)


def bump_counter(key: str) -> None:
    """Add one to the default cache's never-expiring counter at `key` (a version that
    makes cached pages due), starting it when it is not there (or was evicted)."""
    backend = caches["default"]
    if isinstance(backend, SharedRedisCache):
        backend.bump(key)
        return
    try:
        backend.incr(key)
    except ValueError:  # not there yet: start it, or bump who started it
        if not backend.add(key, 1, None):
            backend.incr(key)
