"""Concurrent publishers to one stream get distinct, gap-free ids, stored in id order."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor

import pytest
from asgiref.sync import async_to_sync
from django.conf import settings
from django.db import connection, connections

from live.backlog import DatabaseBacklog, RedisBacklog
from live.events import encode_tail

THREADS = 8
EACH = 25


def hammer(backlog) -> list[int]:
    def publisher(n: int) -> list[int]:
        try:
            return [
                backlog.append("feed", encode_tail("feed", "t", {"n": n}))[0] for _ in range(EACH)
            ]
        finally:
            connections.close_all()

    with ThreadPoolExecutor(THREADS) as pool:
        return [i for ids in pool.map(publisher, range(THREADS)) for i in ids]


def check(backlog, ids: list[int]) -> None:
    total = THREADS * EACH
    assert sorted(ids) == list(range(1, total + 1))
    replay = async_to_sync(backlog.replay)("feed", 0)
    assert replay.resync is False
    assert [json.loads(f)["id"] for f in replay.frames] == list(range(1, total + 1))


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL")
def test_database_backlog_under_concurrent_publishers():
    backlog = DatabaseBacklog()
    check(backlog, hammer(backlog))


@pytest.mark.skipif(not settings.REDIS_URL, reason="needs Redis")
def test_redis_backlog_under_concurrent_publishers():
    backlog = RedisBacklog()
    check(backlog, hammer(backlog))
