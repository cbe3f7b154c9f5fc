"""Work started ahead of the first page and the first test: `config/serve_when_ready.py`
(daphne loads the site while `make run` seeds the demo, serves once told) and
`tests/sqlite_template.py` run as a script (`make test-unit` migrates the SQLite test
database beside pytest's start-up)."""

import os
import sqlite3
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from django.core.management.base import BaseCommand, SystemCheckError
from django.db.migrations.loader import MigrationLoader

from config import serve_when_ready

pytestmark = pytest.mark.django_db  # the suite's autouse fixtures read the tuning

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def daphne_runs(monkeypatch):
    from daphne.cli import CommandLineInterface  # Twisted: imported by the tests that need it

    calls = []
    monkeypatch.setattr(CommandLineInterface, "run", lambda self, args: calls.append(args))
    return calls


def _write_later(fifo: Path, text: str) -> threading.Thread:
    def write():
        with fifo.open("w") as pipe:
            pipe.write(text)

    writer = threading.Thread(target=write)
    writer.start()
    return writer


def test_serves_with_daphne_once_the_database_is_ready(tmp_path, daphne_runs):
    fifo = tmp_path / "ready"
    os.mkfifo(fifo)
    writer = _write_later(fifo, "ready\n")
    args = ["-b", "127.0.0.1", "-p", "8999", "config.asgi:application"]
    assert serve_when_ready.main([str(fifo), *args]) == 0
    writer.join()
    assert daphne_runs == [args]


def test_never_serves_when_the_seeding_went_away_without_a_word(tmp_path, daphne_runs):
    fifo = tmp_path / "ready"
    os.mkfifo(fifo)
    writer = _write_later(fifo, "")
    assert serve_when_ready.main([str(fifo), "config.asgi:application"]) == 1
    writer.join()
    assert daphne_runs == []


def _build(template: Path, **env) -> subprocess.CompletedProcess:
    environment = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    environment.update(DJANGO_SETTINGS_MODULE="config.settings.test", **env)
    return subprocess.run(
        [sys.executable, "-m", "tests.sqlite_template", str(template)],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_test_database_built_ahead_holds_every_migration(tmp_path):
    template = tmp_path / "circolo-test-db.sqlite3"
    result = _build(template)
    assert result.returncode == 0, result.stderr
    with sqlite3.connect(template) as db:
        applied = set(db.execute("SELECT app, name FROM django_migrations"))
    assert applied >= set(MigrationLoader(None, ignore_no_migrations=True).graph.leaf_nodes())
    assert not template.with_suffix(".partial").exists()


def test_nothing_is_built_ahead_for_postgresql(tmp_path):
    template = tmp_path / "circolo-test-db.sqlite3"
    result = _build(template, DATABASE_URL="postgres://postgres@127.0.0.1:5432/circolo")
    assert result.returncode == 0, result.stderr
    assert not template.exists()


def test_never_serves_a_site_that_fails_its_system_checks(
    tmp_path, daphne_runs, monkeypatch, capsys
):
    def failing_checks(self, **options):
        raise SystemCheckError("?: (circolo.E001) a broken setting")

    monkeypatch.setattr(BaseCommand, "check", failing_checks)
    fifo = tmp_path / "ready"
    os.mkfifo(fifo)  # nobody writes: the checks must stop it before it waits
    assert serve_when_ready.main([str(fifo), "config.asgi:application"]) == 1
    assert daphne_runs == []
    assert "circolo.E001" in capsys.readouterr().err


def test_only_the_server_loads_daphne_and_twisted(tmp_path):
    """Loading daphne installs Twisted's reactor, about 0.65 s of every process's start:
    the seeding before the first page, the task worker and each test worker, which import
    config.asgi too (the live layer's tests), never use it. The server does, and patches
    its socket writes there (live.writethrough)."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.dev",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "REDIS_URL": "",
    }
    loaded = "print(sorted({m.split('.')[0] for m in sys.modules} & {'daphne', 'twisted'}))"
    installed = "from live import writethrough; print(writethrough._installed)"

    def run(code: str) -> list[str]:
        out = subprocess.run(
            [sys.executable, "-c", code],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            check=True,
        )
        return out.stdout.split("\n")[-4:-1]

    assert run(
        f"import sys, django; django.setup(); {loaded}; import config.asgi; {loaded}; {installed}"
    ) == [
        "[]",
        "[]",
        "False",
    ]
    # daphne's command line imports its server before it loads the application
    assert run(f"import sys, daphne.cli; {loaded}; import config.asgi; {installed}")[-2:] == [
        "['daphne', 'twisted']",
        "True",
    ]
