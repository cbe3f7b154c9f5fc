"""The Redis channel layer's bounded pool: a connect storm queues, it does not fail."""

from __future__ import annotations

import asyncio

import pytest
import redis.asyncio as aioredis
from django.conf import settings

from live.layers import RedisChannelLayer

pytestmark = pytest.mark.skipif(not settings.REDIS_URL, reason="needs Redis (REDIS_URL)")


async def test_a_burst_of_subscriptions_stays_within_the_pool_and_all_succeed():
    url = settings.CHANNEL_LAYERS["default"]["CONFIG"]["hosts"][0]
    layer = RedisChannelLayer(hosts=[url], prefix="circolo-storm-test", max_connections=8)
    probe = aioredis.Redis.from_url(url)
    try:
        peak = 0

        async def subscribe_one() -> None:
            nonlocal peak
            channel = await layer.new_channel()
            await layer.group_add("s.question.1", channel)
            peak = max(peak, len(layer.connection(0).connection_pool._in_use_connections))

        # when 500 sockets subscribe at the same moment
        results = await asyncio.gather(
            *(subscribe_one() for _ in range(500)), return_exceptions=True
        )
        # then every subscription succeeded, through at most 8 connections
        assert [r for r in results if isinstance(r, Exception)] == []
        assert peak <= 8
        pool = layer.connection(0).connection_pool
        assert len(pool._available_connections) + len(pool._in_use_connections) <= 8
        assert await probe.zcard("circolo-storm-test:group:s.question.1") == 500
    finally:
        await layer.flush()
        await probe.aclose()
