"""Helpers for the tests of pages: a member's client, a page's HTML, its CSRF tokens, a
request through an ASGI application, the keys a test stores in the cache, and the mark
of the tests that need the fast paths."""

from __future__ import annotations

import re

import pytest
from asgiref.testing import ApplicationCommunicator
from django.conf import settings
from django.test import Client

# The pages served on the event loop (forum/views/fast_list.py, questions/fast_page.py)
# need Redis for the cache, the sessions and the live backlog.
NEEDS_FAST_PATHS = pytest.mark.skipif(
    not (settings.REDIS_URL and "RedisCache" in settings.CACHES["default"]["BACKEND"]),
    reason="the fast paths need Redis for the cache, the sessions and the live backlog",
)


def client_for(member=None) -> Client:  # noqa: ANN001
    """A browser, logged in as `member` (anonymous without one)."""
    client = Client()
    if member is not None:
        client.force_login(member)
    return client


def page(client: Client, url: str) -> str:
    """The page's HTML; it must answer 200."""
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def csrf_tokens(html: str) -> set[str]:
    """Every CSRF token the page hands out (form fields and htmx's header)."""
    return set(re.findall(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)) | set(
        re.findall(r'"X-CSRFToken": "([^"]+)"', html)
    )


async def asgi_get(
    app,  # noqa: ANN001
    path: str,
    *headers: tuple[bytes, bytes],
    query: bytes = b"",
    address: str = "10.0.0.9",
) -> tuple[int, list, str]:
    """A GET through the ASGI application `app`: (status, headers, body)."""
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": query,
        "headers": [(b"host", b"testserver"), *headers],
        "client": (address, 40000),
        "server": ("testserver", 80),
    }
    communicator = ApplicationCommunicator(app, scope)
    await communicator.send_input({"type": "http.request", "body": b""})
    start = await communicator.receive_output(10)
    body = b""
    while True:
        message = await communicator.receive_output(10)
        body += message.get("body", b"")
        if not message.get("more_body"):
            break
    await communicator.wait(5)
    return start["status"], start["headers"], body.decode()


def record_stored_keys(cache, monkeypatch, prefix: str) -> list[str]:  # noqa: ANN001
    """The keys starting with `prefix` that `cache.set` stores from now on, in order."""
    keys = []
    real_set = cache.set

    def recording_set(key, *args, **kwargs):  # noqa: ANN001, ANN002, ANN003, ANN202
        if key.startswith(prefix):
            keys.append(key)
        return real_set(key, *args, **kwargs)

    monkeypatch.setattr(cache, "set", recording_set)
    return keys
