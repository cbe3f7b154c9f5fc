"""core.cache.SharedRedisCache: one client, one connection pool and one `redis.Redis` per
process, whichever request context asks (tests run it against the suite's Redis)."""

from __future__ import annotations

import threading

import pytest
from django.conf import settings

from core.cache import SharedRedisCache

pytestmark = [
    pytest.mark.skipif(not settings.REDIS_URL, reason="needs Redis (REDIS_URL)"),
    pytest.mark.django_db,  # the suite's autouse fixtures read the tuning
]


def _cache() -> SharedRedisCache:
    return SharedRedisCache(settings.REDIS_URL, {"KEY_PREFIX": "shared-cache-test"})


def test_every_instance_shares_one_client_and_its_redis_object():
    first, second = _cache(), _cache()

    assert first._cache is second._cache
    assert first._cache.get_client() is second._cache.get_client(write=True)


def test_the_kept_client_serves_threads_at_once():
    cache = _cache()
    errors: list[BaseException] = []

    def work(n: int) -> None:
        try:
            for i in range(50):
                cache.set(f"k{n}-{i}", i, 30)
                assert cache.get(f"k{n}-{i}") == i
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    assert errors == []
    cache.delete_many([f"k{n}-{i}" for n in range(8) for i in range(50)])


def test_a_bumped_counter_starts_itself_never_expires_and_reads_back_as_a_number():
    cache = _cache()
    cache.delete("version")

    assert cache.bump("version") == 1
    assert cache.bump("version") == 2
    assert cache.get("version") == 2
    assert cache._cache.get_client().ttl(cache.make_key("version")) == -1  # no expiry
    cache.delete("version")


def test_bump_counter_moves_the_default_cache_counter():
    from django.core.cache import cache

    from core.cache import bump_counter

    cache.delete("counter-test")
    bump_counter("counter-test")
    bump_counter("counter-test")

    assert cache.get("counter-test") == 2
    cache.delete("counter-test")
