"""The stored anonymous question page served on the event loop (forum/views/questions/
fast_page.py): the same response Django gives, each reader's own CSRF token, views
counted, and everything that is not a plain anonymous read left to Django."""

from __future__ import annotations

import re

import pytest
from asgiref.sync import sync_to_async
from django.conf import settings
from django.db import connection
from django.test import Client

from config.asgi import application
from forum import services
from forum.models import Question
from forum.views.questions import fast_page
from tests.factories import AnswerFactory, QuestionFactory
from tests.pages import NEEDS_FAST_PATHS, asgi_get

pytestmark = [
    pytest.mark.django_db(transaction=True),
    NEEDS_FAST_PATHS,
]


@pytest.fixture(autouse=True)
async def _page_cache_on(settings):
    settings.CIRCOLO_THREAD_PAGE_SECONDS = 60
    yield
    await fast_page.close_client()


@pytest.fixture
def thread(db):
    question = QuestionFactory(title="Roaming in Svizzera?")
    AnswerFactory(question=question, body="Attiva l'opzione Europa.")
    return question


async def get(path: str, *headers: tuple[bytes, bytes], query: bytes = b"", address="10.0.0.9"):
    return await asgi_get(application, path, *headers, query=query, address=address)


def _token(html: str) -> str:
    tokens = set(re.findall(r'name="csrfmiddlewaretoken" value="([^"]+)"', html))
    tokens |= set(re.findall(r'"X-CSRFToken": "([^"]+)"', html))
    assert len(tokens) == 1
    return tokens.pop()


def _headers(headers: list) -> dict:
    return {
        name.decode().lower(): re.sub(r"'nonce-[^']+'", "'nonce-N'", value.decode())
        for name, value in headers
        if name.lower() not in (b"set-cookie", b"content-length")
    }


def _nonces(headers: list, html: str) -> tuple[set[str], set[str]]:
    """The CSP header's nonces and the page's script nonces."""
    policy = {n.lower(): v.decode() for n, v in headers}[b"content-security-policy"]
    return set(re.findall(r"'nonce-([^']+)'", policy)), set(re.findall(r'nonce="([^"]+)"', html))


def _same_page(html: str) -> str:
    return re.sub(r'nonce="[^"]+"', 'nonce="N"', html.replace(_token(html), "T"))


async def test_the_second_anonymous_reader_gets_djangos_page_from_the_event_loop(thread):
    path = f"/q/{thread.pk}/"
    served = fast_page.served
    status, headers, first = await get(path, address="10.0.0.1")  # Django renders, stores
    assert fast_page.served == served

    again_status, again_headers, second = await get(path, address="10.0.0.2")

    assert fast_page.served == served + 1
    assert (again_status, _headers(again_headers)) == (status, _headers(headers))
    assert _token(first) != _token(second)
    assert _same_page(second) == _same_page(first)
    # Each reader's inline script carries the nonce its own policy header names.
    header_nonces, page_nonces = _nonces(again_headers, second)
    assert header_nonces == page_nonces != _nonces(headers, first)[1]
    assert len(page_nonces) == 1
    cookies = [v.decode() for n, v in again_headers if n.lower() == b"set-cookie"]
    assert len(cookies) == 1
    assert cookies[0].startswith(f"{settings.CSRF_COOKIE_NAME}=")
    # Both readers counted, as the view counts them (once an hour per address).
    await get(path, address="10.0.0.2")
    question = await Question.objects.aget(pk=thread.pk)
    assert question.view_count == 2


async def test_a_token_from_the_fast_page_passes_the_csrf_check(thread):
    path = f"/q/{thread.pk}/"
    await get(path)
    _status, headers, html = await get(path)
    cookie = next(v.decode() for n, v in headers if n.lower() == b"set-cookie")
    answer = await thread.answers.afirst()

    def vote() -> int:
        client = Client(enforce_csrf_checks=True)
        client.cookies[settings.CSRF_COOKIE_NAME] = cookie.split(";")[0].partition("=")[2]
        try:
            response = client.post(
                f"/a/{answer.pk}/vote/", {"value": 1, "csrfmiddlewaretoken": _token(html)}
            )
        finally:
            connection.close()  # this worker thread's own connection
        return response.status_code

    assert await sync_to_async(vote)() == 302  # to log in: past the CSRF check


async def test_a_reader_with_a_cookie_of_their_own_keeps_it(thread):
    path = f"/q/{thread.pk}/"
    await get(path)
    mine = "a" * 32

    _status, headers, _html = await get(path, (b"cookie", f"csrftoken={mine}".encode()))

    cookie = next(v.decode() for n, v in headers if n.lower() == b"set-cookie")
    assert cookie.startswith(f"csrftoken={mine};")


@pytest.mark.parametrize(
    ("headers", "query"),
    [
        ([(b"cookie", f"{settings.SESSION_COOKIE_NAME}=abc".encode())], b""),
        ([(b"cookie", b"messages=abc")], b""),
        ([(b"hx-request", b"true")], b""),
        ([], b"utm_source=mail"),
    ],
)
async def test_anything_but_a_plain_anonymous_read_goes_to_django(thread, headers, query):
    path = f"/q/{thread.pk}/"
    await get(path)
    served = fast_page.served

    status, _headers, _html = await get(path, *headers, query=query)

    assert status == 200
    assert fast_page.served == served


async def test_a_published_change_is_rendered_by_django(thread):
    path = f"/q/{thread.pk}/"
    await get(path)
    served = fast_page.served
    author = await sync_to_async(lambda: thread.answers.first().author)()

    def answer() -> None:  # committed: published on the question's stream
        try:
            services.post_answer(
                actor=author, question=thread, body="Chiama il 190, risolvono subito."
            )
        finally:
            connection.close()  # this worker thread's own connection

    await sync_to_async(answer)()

    _status, _headers, html = await get(path)
    assert fast_page.served == served
    assert "Chiama il 190" in html
    _status, _headers, html = await get(path)
    assert fast_page.served == served + 1
    assert "Chiama il 190" in html


async def test_a_missing_question_is_djangos_404(thread):
    status, _headers, _html = await get("/q/999999/")
    assert status == 404
