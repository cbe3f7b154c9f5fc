"""One migrated SQLite test database per run, copied into every pytest-xdist worker.

Each worker's test database is in memory; without this, every worker runs all the
migrations to build its own (a few seconds of CPU each, at the same time, before the first
test). The first worker to get here builds it as usual and writes a copy into the run's
pytest temporary directory (shared by the workers; pytest keeps only the last few runs,
so an interrupted run leaves nothing for long); the others wait for it and load the copy
with SQLite's backup API. The builder removes the file when its session ends; a worker
that comes later builds its own.
PostgreSQL, a file-based SQLite test database and a run without xdist are left alone.

`make test-unit` builds the copy ahead of the workers, beside pytest's own start-up:

    python -m tests.sqlite_template PATH

takes PATH's lock, makes an in-memory test database from demo/sqlite_schema.sql (what
`make run` starts from; then `migrate`) and writes it to PATH, and pytest
(given PATH in CIRCOLO_TEST_TEMPLATE) loads it in every worker: no worker migrates while
the other waits. When it cannot (PostgreSQL, or it failed), it leaves no file and the first
worker builds the copy as above."""

from __future__ import annotations

import fcntl
import os
import sqlite3
import sys
from collections.abc import Callable
from contextlib import contextmanager
from pathlib import Path

TEMPLATE_ENV = "CIRCOLO_TEST_TEMPLATE"


@contextmanager
def _locked(path: Path):
    with path.with_suffix(".lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield


def _save(connection, template: Path) -> None:
    """Copy the connection's migrated database to `template`, whole or not at all."""
    partial = template.with_suffix(".partial")
    with sqlite3.connect(partial) as copy:
        connection.connection.backup(copy)
    partial.replace(template)


def install(run_directory: Path) -> Callable[[], None]:
    """Patch the SQLite test database creation for this run; returns the clean-up."""
    from django.conf import settings
    from django.db.backends.sqlite3.creation import DatabaseCreation

    ahead = os.environ.get(TEMPLATE_ENV)
    template = Path(ahead) if ahead else run_directory / "circolo-test-db.sqlite3"
    built_here = False
    original = DatabaseCreation.create_test_db

    def create_test_db(self, verbosity=1, autoclobber=False, serialize=True, keepdb=False):
        nonlocal built_here
        if keepdb or not self.is_in_memory_db(self._get_test_db_name()):
            return original(self, verbosity, autoclobber, serialize, keepdb)
        with _locked(template):
            if not template.exists():
                name = original(self, verbosity, autoclobber, serialize, keepdb)
                _save(self.connection, template)
                built_here = True
                return name
            name = self._get_test_db_name()
            self._create_test_db(verbosity, autoclobber, keepdb)
            settings.DATABASES[self.connection.alias]["NAME"] = name
            self.connection.settings_dict["NAME"] = name
            self.connection.ensure_connection()
            with sqlite3.connect(template) as source:
                source.backup(self.connection.connection)
        if serialize:
            self.connection._test_serialized_contents = self.serialize_db_to_string()
        return name

    DatabaseCreation.create_test_db = create_test_db

    def clean_up() -> None:
        DatabaseCreation.create_test_db = original
        if built_here:
            with _locked(template):
                template.unlink(missing_ok=True)
            template.with_suffix(".lock").unlink(missing_ok=True)

    return clean_up


def build(template: Path) -> int:
    """Write the migrated test database to `template` (see the module's docstring)."""
    with _locked(template):
        if template.exists():
            return 0
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
        import django

        django.setup()
        from django.db import connection

        from demo import sqlite_schema

        creation = connection.creation
        name = creation._get_test_db_name()
        if connection.vendor != "sqlite" or not creation.is_in_memory_db(name):
            return 0
        # What create_test_db does, with the tables and rows from the snapshot `make run`
        # starts from (tests/demo/test_sqlite_schema.py migrates a new database to prove it
        # the same): 1 s, not 5.5.
        connection.settings_dict["NAME"] = name
        sqlite_schema.migrate(connection, run_syncdb=True)
        _save(connection, template)
    return 0


if __name__ == "__main__":
    sys.exit(build(Path(sys.argv[1])))
