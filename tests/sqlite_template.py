"""One migrated SQLite test database per run, copied into every pytest-xdist worker.

Each worker's test database is in memory; without this, every worker runs all the
migrations to build its own (a few seconds of CPU each, at the same time, before the first
test). The first worker to get here builds it as usual and writes a copy into the run's
pytest temporary directory (shared by the workers; pytest keeps only the last few runs,
so an interrupted run leaves nothing for long); the others wait for it and load the copy
with SQLite's backup API. The builder removes the file when its session ends; a worker
that comes later builds its own.
PostgreSQL, a file-based SQLite test database and a run without xdist are left alone."""

from __future__ import annotations

import fcntl
import sqlite3
from collections.abc import Callable
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings
from django.db.backends.sqlite3.creation import DatabaseCreation


@contextmanager
def _locked(path: Path):
    with path.with_suffix(".lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield


def install(run_directory: Path) -> Callable[[], None]:
    """Patch the SQLite test database creation for this run; returns the clean-up."""
    template = run_directory / "circolo-test-db.sqlite3"
    built_here = False
    original = DatabaseCreation.create_test_db

    def create_test_db(self, verbosity=1, autoclobber=False, serialize=True, keepdb=False):
        nonlocal built_here
        if keepdb or not self.is_in_memory_db(self._get_test_db_name()):
            return original(self, verbosity, autoclobber, serialize, keepdb)
        with _locked(template):
            if not template.exists():
                name = original(self, verbosity, autoclobber, serialize, keepdb)
                with sqlite3.connect(template) as copy:
                    self.connection.connection.backup(copy)
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
