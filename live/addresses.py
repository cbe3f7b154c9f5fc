"""Sockets per client address: at most LIVE_MAX_SOCKETS_PER_ADDRESS open at once.

The address is the one core.clientaddr believes (trusted proxies only). Members and
anonymous visitors count alike: one address opening hundreds of sockets is a client gone
wrong or an attack, whoever it says it is. A socket over the limit is accepted and closed
at once with 4029 (`too_many_sockets`), so the browser sees why.

Entries are (address, socket channel, timestamp), in Redis when configured (every process
counts every socket) and in memory otherwise. Each process refreshes the timestamps of
its open sockets every REFRESH_SECONDS; an entry not refreshed for STALE_SECONDS no
longer counts, so a process that dies without cleaning up cannot lock an address out
for long. A socket whose address is unknown (a Unix socket without proxy headers) is not
counted.
"""

from __future__ import annotations

import asyncio
import time
import weakref
from collections import defaultdict

from live import redis_clients
from live.batching import CombinedReads
from live.conf import live_setting, redis_url
from live.presence import KEY_PREFIX, REFRESH_SECONDS, STALE_SECONDS

Socket = tuple[str, str]  # (address, channel)


class MemoryStore:
    def __init__(self) -> None:
        self.sockets: dict[str, dict[str, float]] = defaultdict(dict)  # address -> channel -> t

    async def add(self, address: str, channel: str, limit: int) -> bool:
        now = time.time()
        entries = self.sockets[address]
        for stale in [c for c, stamp in entries.items() if stamp <= now - STALE_SECONDS]:
            del entries[stale]
        if len(entries) >= limit:
            return False
        entries[channel] = now
        return True

    async def remove(self, address: str, channel: str) -> None:
        entries = self.sockets.get(address)
        if entries is not None:
            entries.pop(channel, None)
            if not entries:
                del self.sockets[address]

    async def refresh(self, entries: list[tuple[str, str]]) -> None:
        now = time.time()
        for address, channel in entries:
            if channel in self.sockets.get(address, {}):
                self.sockets[address][channel] = now

    async def count(self, address: str) -> int:
        now = time.time()
        return sum(1 for t in self.sockets.get(address, {}).values() if t > now - STALE_SECONDS)


# Prune the stale entries, count, and add the socket only if under the limit: one atomic
# step, one round trip (a MULTI of four commands before: a tenth of a reconnect storm's
# server CPU went to building and parsing it, bench/p4_storm.py).
_ADD = """
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[2])
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[4]) then
    return 0
end
redis.call('ZADD', KEYS[1], ARGV[1], ARGV[3])
redis.call('EXPIRE', KEYS[1], ARGV[5])
return 1
"""


class RedisStore:
    def _key(self, address: str) -> str:
        return f"{KEY_PREFIX}:sockets:{address}"

    async def add(self, address: str, channel: str, limit: int) -> bool:
        return await _redis_adds.get(limit, (address, channel))

    async def add_many(self, sockets: list[Socket], limit: int) -> dict[Socket, bool]:
        """Count each (address, channel) of `sockets` that is under the limit, in order, in
        one round trip: {socket: counted}."""
        now = time.time()
        async with redis_clients.async_client().pipeline(transaction=False) as pipe:
            for address, channel in sockets:
                key = self._key(address)
                pipe.eval(_ADD, 1, key, now, now - STALE_SECONDS, channel, limit, STALE_SECONDS)
            admitted = await pipe.execute()
        return {socket: bool(counted) for socket, counted in zip(sockets, admitted, strict=True)}

    async def remove(self, address: str, channel: str) -> None:
        await redis_clients.async_client().zrem(self._key(address), channel)

    async def refresh(self, entries: list[tuple[str, str]]) -> None:
        if not entries:
            return
        now = time.time()
        async with redis_clients.async_client().pipeline(transaction=False) as pipe:
            for address, channel in entries:
                pipe.zadd(self._key(address), {channel: now}, xx=True)
                pipe.expire(self._key(address), STALE_SECONDS)
            await pipe.execute()

    async def count(self, address: str) -> int:
        key = self._key(address)
        return await redis_clients.async_client().zcount(key, time.time() - STALE_SECONDS, "+inf")


_memory_store = MemoryStore()
# A reconnect storm opens sockets by the hundred: those counted while one pipeline is in
# flight (or before it starts) are counted together in the next (live.batching).
_redis_adds: CombinedReads[Socket, bool] = CombinedReads(
    lambda limit, sockets: RedisStore().add_many(sockets, limit)
)


def get_store() -> MemoryStore | RedisStore:
    return RedisStore() if redis_url() else _memory_store


def reset_memory_store() -> None:
    """Forget all in-memory socket counts (tests)."""
    global _memory_store
    _memory_store = MemoryStore()


class Addresses:
    """One per event loop: this process's counted sockets and their refresher."""

    def __init__(self) -> None:
        self.local: set[tuple[str, str]] = set()
        self.refresher: asyncio.Task | None = None

    async def add(self, address: str, channel: str) -> bool:
        """Count a new socket; False (and nothing counted) when the address is at its limit."""
        if not address:
            return True
        limit = int(live_setting("LIVE_MAX_SOCKETS_PER_ADDRESS"))
        if not await get_store().add(address, channel, limit):
            return False
        self.local.add((address, channel))
        if self.refresher is None or self.refresher.done():
            self.refresher = asyncio.get_running_loop().create_task(self._refresh_forever())
        return True

    async def remove(self, address: str, channel: str) -> None:
        if (address, channel) in self.local:
            self.local.discard((address, channel))
            await get_store().remove(address, channel)

    async def _refresh_forever(self) -> None:
        while self.local:
            await asyncio.sleep(REFRESH_SECONDS)
            await get_store().refresh(list(self.local))

    async def close(self) -> None:
        """Cancel the refresher (tests, before their event loop ends)."""
        if self.refresher is not None:
            self.refresher.cancel()
            await asyncio.gather(self.refresher, return_exceptions=True)


_per_loop: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, Addresses] = (
    weakref.WeakKeyDictionary()
)


def get_addresses() -> Addresses:
    loop = asyncio.get_running_loop()
    addresses = _per_loop.get(loop)
    if addresses is None:
        addresses = _per_loop[loop] = Addresses()
    return addresses
