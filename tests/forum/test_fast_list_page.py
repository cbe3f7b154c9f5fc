"""The stored anonymous question lists served on the event loop (forum/views/fast_list.py,
keyed in forum/views/list_cache.py): a published change (a new or deleted question, an
answer) shows at once, languages and query strings are separate entries, members never
get the anonymous page."""

from __future__ import annotations

import pytest
from asgiref.sync import sync_to_async
from django.conf import settings
from django.db import connection
from django.test import Client

from forum import services
from forum.views import fast_list
from forum.views.questions import fast_page
from tests.factories import QuestionFactory, UserFactory
from tests.forum.test_fast_page import _same_page, _token, get
from tests.pages import NEEDS_FAST_PATHS

pytestmark = [
    pytest.mark.django_db(transaction=True),
    NEEDS_FAST_PATHS,
]


@pytest.fixture(autouse=True)
async def _page_cache_on(settings):
    settings.CIRCOLO_THREAD_PAGE_SECONDS = 60
    settings.CIRCOLO_LIST_PAGE_SECONDS = 60
    yield
    await fast_page.close_client()


@pytest.fixture
def listed(db):
    return QuestionFactory(title="Roaming in Svizzera?", tags=["roaming"])


def _committed(work) -> None:
    try:
        work()
    finally:
        connection.close()  # this worker thread's own connection


async def test_the_second_anonymous_reader_gets_the_list_from_the_event_loop(listed):
    served = fast_list.served
    status, _headers, first = await get("/", address="10.0.0.1")
    assert status == 200
    assert "Roaming in Svizzera?" in first
    assert fast_list.served == served
    status, _headers, second = await get("/", address="10.0.0.2")
    assert status == 200
    assert fast_list.served == served + 1
    assert _token(first) != _token(second)
    assert _same_page(second) == _same_page(first)
    # A tag page, a tab and a page number are pages of their own, stored alike.
    for path, query in (("/tags/roaming/", b""), ("/", b"sort=unanswered&page=1")):
        await get(path, query=query)
        served = fast_list.served
        _status, _headers, html = await get(path, query=query)
        assert fast_list.served == served + 1
        assert "Roaming in Svizzera?" in html


async def test_a_new_question_shows_at_once(listed):
    await get("/")
    await get("/")
    author = await sync_to_async(UserFactory)()

    def ask() -> None:
        services.ask_question(
            actor=author,
            title="Come si rinnova il permesso di soggiorno?",
            body="Scade il mese prossimo, quali documenti servono in questura?",
            tags=["permesso"],
        )

    await sync_to_async(_committed)(ask)
    served = fast_list.served
    _status, _headers, html = await get("/")
    assert "Come si rinnova il permesso di soggiorno?" in html
    _status, _headers, html = await get("/")
    assert fast_list.served == served + 1
    assert "Come si rinnova il permesso di soggiorno?" in html


async def test_an_answer_published_on_the_question_renews_the_stored_page(listed):
    await get("/")
    await get("/")
    helper = await sync_to_async(UserFactory)(reputation=100)

    def answer() -> None:
        services.post_answer(
            actor=helper,
            question=listed,
            body="Controlla che il roaming dati sia attivo nelle impostazioni del telefono.",
        )

    await sync_to_async(_committed)(answer)
    _status, _headers, html = await get("/")
    assert "1 answer" in html or "1 risposta" in html


async def test_a_deleted_question_never_comes_from_the_stored_page(listed):
    await get("/")
    await get("/tags/roaming/")
    author = await sync_to_async(lambda: listed.author)()
    await sync_to_async(_committed)(lambda: services.delete_question(actor=author, question=listed))
    for path in ("/", "/tags/roaming/"):
        for _ in range(2):
            _status, _headers, html = await get(path)
            assert "Roaming in Svizzera?" not in html


async def test_languages_are_separate_entries(listed):
    await get("/", (b"accept-language", b"it"))
    await get("/", (b"accept-language", b"en"))
    _status, headers, italian = await get("/", (b"accept-language", b"it"))
    _status, english_headers, english = await get("/", (b"accept-language", b"en"))
    assert dict(headers)[b"Content-Language"] == b"it"
    assert dict(english_headers)[b"Content-Language"] == b"en"
    assert '<html lang="it"' in italian
    assert '<html lang="en"' in english


@pytest.mark.parametrize(
    "query", [b"q=x", b"page=1&page=2", b"sort=top&utm_source=mail"], ids=["other", "twice", "more"]
)
async def test_other_query_strings_go_to_django(listed, query):
    await get("/", query=query)
    served = fast_list.served
    status, _headers, _html = await get("/", query=query)
    assert status == 200
    assert fast_list.served == served


async def test_members_never_get_the_anonymous_page(listed):
    await get("/")
    await get("/")
    member = await sync_to_async(UserFactory)()

    def member_page() -> str:
        client = Client()
        client.force_login(member)
        return client.cookies[settings.SESSION_COOKIE_NAME].value

    session = await sync_to_async(member_page)()
    served = fast_list.served
    cookie = f"{settings.SESSION_COOKIE_NAME}={session}".encode()
    status, _headers, html = await get("/", (b"cookie", cookie))
    assert status == 200
    assert fast_list.served == served
    assert member.username in html
    assert 'name="csrfmiddlewaretoken"' in html or "X-CSRFToken" in html
