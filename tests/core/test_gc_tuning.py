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


def test_the_server_freezes_the_loaded_site_once_it_is_built(tmp_path):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.dev",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "REDIS_URL": "",
    }
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
