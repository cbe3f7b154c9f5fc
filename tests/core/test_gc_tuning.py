"""config/gc_tuning.py: the server freezes its start-up objects; the test suite does not."""

from __future__ import annotations

import gc
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.django_db  # the suite's autouse fixtures read the tuning


def _server_env(tmp_path: Path) -> dict[str, str]:
    """A process with the server's settings (dev: freezing on) on a database of its own."""
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.dev",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "REDIS_URL": "",
    }


def test_the_server_freezes_the_loaded_site_once_it_is_built(tmp_path):
    env = _server_env(tmp_path)
    code = (
        "import gc, config.asgi; from django.urls import get_resolver; "
        "print(gc.get_freeze_count(), get_resolver()._populated)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    )
    frozen, populated = out.stdout.split()[-2:]
    assert int(frozen) > 50_000  # Django, the apps, the URL patterns and views
    # The reverse() tables are left to the first request (config/gc_tuning.py: built at
    # start-up, they cost the lightest pages a third of their rate).
    assert populated == "False"


def test_the_test_suite_never_freezes():
    import config.asgi  # noqa: F401
    from config.gc_tuning import freeze_after_startup

    assert freeze_after_startup() == 0
    assert gc.get_freeze_count() == 0


SURVIVORS = """
import gc, threading, weakref
import config.asgi
from config.gc_tuning import freeze_survivors, thaw

class Node:
    pass

def cycle():
    a, b = Node(), Node()
    a.other, b.other = b, a
    return a

assert freeze_survivors in gc.callbacks
assert any(t.name == "gc-thaw" and t.daemon for t in threading.enumerate())
frozen = gc.get_freeze_count()
live = cycle()
gc.collect()  # a full collection: what it finds alive is frozen
assert gc.get_freeze_count() > frozen
gone = weakref.ref(live)
del live  # garbage now, but frozen: no collection walks it
gc.collect()
assert gone() is not None
assert thaw() >= 2  # thawed and collected
assert gone() is None
assert gc.get_freeze_count() > 50_000  # the rest is frozen again
print("ok")
"""


def test_what_survives_a_full_collection_is_frozen_and_thawing_frees_its_garbage(tmp_path):
    """A thousand sockets' objects are walked by one full collection, not by each of them
    (60-170 ms apiece in P2); the cycles they leave when they close are freed by `thaw`."""
    env = _server_env(tmp_path)
    out = subprocess.run(
        [sys.executable, "-c", SURVIVORS], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.split()[-1] == "ok"
