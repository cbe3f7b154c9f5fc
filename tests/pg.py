"""Marks for tests that only mean something on one database backend.

`postgres_only`: real concurrency, full-text search with stemming; skipped on SQLite and
tagged with the `postgres` marker (select them with `-m postgres`). `sqlite_only`: the
LIKE fallback of development setups.
"""

from __future__ import annotations

import pytest
from django.db import connection

ON_POSTGRES = connection.vendor == "postgresql"

_skip_unless_postgres = pytest.mark.skipif(not ON_POSTGRES, reason="needs PostgreSQL")
sqlite_only = pytest.mark.skipif(ON_POSTGRES, reason="tests the SQLite fallback")
POSTGRES_MARKS = [pytest.mark.postgres, _skip_unless_postgres]


def postgres_only(test):  # noqa: ANN001, ANN201
    """Decorator: run `test` on PostgreSQL only."""
    return pytest.mark.postgres(_skip_unless_postgres(test))
