"""Django's Redis cache with one client (and so one connection pool) per process.

`django.core.cache.caches` keeps a backend instance per request context (an asgiref
Local), and Django's RedisCache opens a connection pool of its own per instance: under
ASGI every request connected to Redis afresh (and redis-py read its own package metadata
from disk for each new connection). Here every instance with the same servers and
options shares one client; redis-py's pools are thread-safe and reconnect after a fork.
"""

from __future__ import annotations

import threading

from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from django.utils.functional import cached_property

_clients: dict[tuple, RedisCacheClient] = {}
_lock = threading.Lock()


class SharedRedisCache(RedisCache):
    @cached_property
    def _cache(self) -> RedisCacheClient:
        key = (tuple(self._servers), repr(sorted(self._options.items())))
        with _lock:
            client = _clients.get(key)
            if client is None:
                client = _clients[key] = self._class(self._servers, **self._options)
        return client
