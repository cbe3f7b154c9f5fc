"""The test suite: fast hashing, in-memory e-mail, no throttling surprises."""

from .base import *  # noqa: F403
from .base import REDIS_URL, REST_FRAMEWORK

DEBUG = False
SECRET_KEY = "test-only-key-0123456789-abcdefghijklmnopqrstuvwxyz"
ALLOWED_HOSTS = ["testserver", "127.0.0.1", "localhost"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
GC_FREEZE_AFTER_STARTUP = False  # a test process goes on making (and dropping) objects
WORKER_NICE = 0  # `run_worker` called in a test would lower the test process's priority
REST_FRAMEWORK = {
    **REST_FRAMEWORK,
    "DEFAULT_THROTTLE_RATES": {
        **REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"],
        "anon": "100000/min",
        "user": "100000/min",
    },
}
CIRCOLO_POST_RATE = "1000/m"
# The anonymous thread page is reused until its stream publishes; tests run services
# without on-commit publishing, so it is off here and on in tests/live/test_thread_cache.py.
CIRCOLO_THREAD_PAGE_SECONDS = 0
CIRCOLO_LIST_PAGE_SECONDS = 0  # the list page cache: tests turn it on (test_list_page_cache)
# The lists' sidebar is reused until the feed publishes: off here too (forum/views/list_cache.py;
# on in tests/forum/test_list_cache.py).
CIRCOLO_LIST_SIDEBAR_SECONDS = 0

# With REDIS_URL set, each pytest-xdist worker gets its own Redis database (the URL's
# database + 1 + worker number), so one worker clearing its cache (rate-limit counters)
# never disturbs another, and two suites given different base databases can run at once.
if REDIS_URL:
    import os
    import re

    from .base import CACHES, CHANNEL_LAYERS

    _worker = os.environ.get("PYTEST_XDIST_WORKER", "gw0")
    _base = re.search(r"/(\d+)$", REDIS_URL.rstrip("/"))
    _db = (int(_base.group(1)) if _base else 0) + 1 + int(re.sub(r"\D", "", _worker) or 0)
    _url = re.sub(r"/\d*$", "", REDIS_URL.rstrip("/")) + f"/{_db}"
    CACHES["default"]["LOCATION"] = _url
    CHANNEL_LAYERS["default"]["CONFIG"]["hosts"] = [_url]
    LIVE_REDIS_URL = _url  # the live backlog and presence (live)
