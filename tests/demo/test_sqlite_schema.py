"""The SQLite snapshot `make run` creates a new database from (demo.sqlite_schema)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.db.utils import ConnectionHandler

from demo import sqlite_schema


def test_the_snapshot_is_what_the_migrations_build():
    built = sqlite_schema.comparable(sqlite_schema.build())
    committed = sqlite_schema.comparable(sqlite_schema.SNAPSHOT.read_text(encoding="utf-8"))
    assert built == committed, sqlite_schema.OUT_OF_DATE


def test_only_timestamps_are_left_out_of_the_comparison():
    row = "INSERT INTO \"advocacy_slapolicy\" VALUES(1,'urgent',60,240,'{}');"
    earlier = row.format("2026-12-06 17:18:12.641428")
    assert sqlite_schema.comparable(earlier) == sqlite_schema.comparable(
        row.format("2027-01-01 09:00:00")
    )
    assert sqlite_schema.comparable(earlier) != sqlite_schema.comparable(
        earlier.replace("urgent", "high")
    )


@pytest.fixture
def new_sqlite(tmp_path, django_db_blocker):
    handler = ConnectionHandler(
        {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": str(tmp_path / "new.db")}}
    )
    with django_db_blocker.unblock():
        yield handler["default"]
        handler["default"].close()


def _unapplied(database) -> list:
    executor = MigrationExecutor(database)
    return executor.migration_plan(executor.loader.graph.leaf_nodes())


def test_an_empty_sqlite_database_gets_every_migration_and_its_rows(new_sqlite):
    assert _unapplied(new_sqlite)  # an empty database: every migration to apply

    assert sqlite_schema.load(new_sqlite) is True

    assert _unapplied(new_sqlite) == []
    with new_sqlite.cursor() as cursor:
        # rows the data migrations write: the badges, the SLA policies
        cursor.execute("SELECT count(*) FROM gamification_badge")
        assert cursor.fetchone()[0] > 0
        cursor.execute("SELECT priority FROM advocacy_slapolicy ORDER BY id")
        assert [p for (p,) in cursor.fetchall()] == ["urgent", "high", "normal", "low"]


def test_a_database_with_tables_is_left_alone(new_sqlite):
    with new_sqlite.cursor() as cursor:
        cursor.execute("CREATE TABLE notes (body text)")

    assert sqlite_schema.load(new_sqlite) is False

    assert new_sqlite.introspection.table_names() == ["notes"]


@pytest.mark.django_db
def test_the_suites_database_is_left_alone():
    """A migrated SQLite database, or PostgreSQL (the CI's second run), is not loaded."""
    assert sqlite_schema.load(connection) is False
