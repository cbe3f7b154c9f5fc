"""Marks for tests that only mean something on one database backend.

`postgres_only`: real concurrency, full-text search with stemming; skipped on SQLite and
tagged with the `postgres` marker (select them with `-m postgres`). `sqlite_only`: the
LIKE fallback of development setups.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection

ON_POSTGRES = connection.vendor == "postgresql"

_skip_unless_postgres = pytest.mark.skipif(not ON_POSTGRES, reason="needs PostgreSQL")
sqlite_only = pytest.mark.skipif(ON_POSTGRES, reason="tests the SQLite fallback")
POSTGRES_MARKS = [pytest.mark.postgres, _skip_unless_postgres]


def postgres_only(test):  # noqa: ANN001, ANN201
    """Decorator: run `test` on PostgreSQL only."""
    return pytest.mark.postgres(_skip_unless_postgres(test))


def race(*calls: Callable[[], Any]) -> list[Any]:
    """Run each call in its own thread and connection, all released at the same moment.

    Returns what each call returned, or the exception it raised, in call order; fails if a
    thread is still running after two minutes (a deadlock).
    """
    barrier = threading.Barrier(len(calls))
    results: list[Any] = [None] * len(calls)

    def run(index: int, call: Callable[[], Any]) -> None:
        try:
            barrier.wait(timeout=30)
            results[index] = call()
        except Exception as exc:  # noqa: BLE001 - handed back to the test to assert on
            results[index] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads), "a thread hung (deadlock?)"
    return results
