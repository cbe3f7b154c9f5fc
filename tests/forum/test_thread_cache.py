"""The question page's caches (forum/views/questions/thread_cache.py): anonymous readers
share the page until the thread's stream publishes; every reader shares answers' HTML
with whoever sees exactly the same thing; nobody ever gets another reader's CSRF token,
vote or rights."""

from __future__ import annotations

import re

import pytest
import time_machine
from django.conf import settings
from django.contrib.messages import constants, get_messages
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.cache import cache
from django.db import connection
from django.http import HttpRequest
from django.shortcuts import resolve_url
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from advocacy.services.moderation import hide_post
from forum import services
from forum.models import Answer, Question
from forum.views.questions import thread_cache
from live.backlog import last_id
from live.conf import redis_url
from tests.factories import AnswerFactory, CommentFactory, QuestionFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _one_instant():
    """Pages rendered twice are compared: their relative times ("now", "a second ago")
    must not cross a second in between, as they did on a loaded machine."""
    with time_machine.travel(timezone.now(), tick=False):
        yield


@pytest.fixture(autouse=True)
def _page_cache_on(settings):
    settings.CIRCOLO_THREAD_PAGE_SECONDS = 60
    settings.CIRCOLO_ANSWER_HTML_SECONDS = 120


@pytest.fixture
def thread(customer, other_customer, helper):
    """A question by anna with three answers (two by bruno, one by carla), a comment each."""
    question = QuestionFactory(author=customer, title="Roaming in Svizzera?")
    for author in (other_customer, other_customer, helper):
        answer = AnswerFactory(question=question, author=author, body="Attiva l'opzione Europa.")
        CommentFactory(question=None, answer=answer, author=customer, body="Grazie, provo.")
    return question


def page(client: Client, question: Question) -> str:
    """The page's HTML, its CSP nonce (checked against the header) written as "N"."""
    response = client.get(question.get_absolute_url())
    assert response.status_code == 200
    html = response.content.decode()
    nonces = set(re.findall(r'nonce="([^"]+)"', html))
    assert len(nonces) == 1
    assert f"'nonce-{next(iter(nonces))}'" in response["Content-Security-Policy"]
    return re.sub(r'nonce="[^"]+"', 'nonce="N"', html)


def tokens(html: str) -> set[str]:
    return set(re.findall(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)) | set(
        re.findall(r'"X-CSRFToken": "([^"]+)"', html)
    )


def answer_html_keys() -> set[str]:
    """The answers' HTML entries in the cache (local memory, or Redis when configured)."""
    if hasattr(cache._cache, "get_client"):  # noqa: SLF001 - django's RedisCache
        client = cache._cache.get_client(None)  # noqa: SLF001
        return {k.decode() for k in client.keys("*answer-html*")}
    return {k for k in cache._cache if "answer-html" in k}  # noqa: SLF001 - locmem


def answer_html(html: str, answer: Answer) -> str:
    start = html.index(f'id="answer-{answer.pk}"')
    end = html.find('class="post answer-post', start)
    return html[start : end if end > 0 else len(html)]


# The anonymous page ---------------------------------------------------------------------


def test_an_anonymous_reader_gets_the_stored_page_without_reading_the_thread(thread):
    first = page(Client(), thread)

    with CaptureQueriesContext(connection) as queries:
        second = page(Client(REMOTE_ADDR="10.0.0.2"), thread)

    # Only the stream's last id (kept in the database when there is no Redis), the new
    # reader's view and, for a signed-out reader, whether the thread is solved (the
    # deflection counter, forum.deflection); with Redis, no other query at all.
    tables = [re.search(r'(?:FROM|UPDATE) "(\w+)"', q["sql"]).group(1) for q in queries]
    if redis_url():
        assert tables == ["forum_question", "forum_question"]
    else:
        assert tables == ["forum_livestream", "forum_question", "forum_question"]
    assert queries[-2]["sql"].startswith("UPDATE")
    assert queries[-1]["sql"].startswith("SELECT")  # solved? (it is not: nothing written)
    assert second.replace(next(iter(tokens(second))), "T") == first.replace(
        next(iter(tokens(first))), "T"
    )
    assert Question.objects.get(pk=thread.pk).view_count == 2


def test_a_published_change_is_on_the_next_anonymous_page(
    thread, other_customer, django_capture_on_commit_callbacks
):
    reader = Client()
    page(reader, thread)
    with django_capture_on_commit_callbacks(execute=True):
        services.post_answer(actor=other_customer, question=thread, body="Chiama il 190.")

    html = page(reader, thread)

    assert "Chiama il 190." in html
    assert f'data-live-since="{last_id(f"question.{thread.pk}")}"' in html


def test_an_unpublished_change_shows_once_the_page_expires(thread, settings):
    reader = Client()
    page(reader, thread)
    Question.objects.filter(pk=thread.pk).update(title="Changed behind the live layer")
    assert "Changed behind the live layer" not in page(reader, thread)

    cache.clear()  # as THREAD_PAGE_SECONDS passing would

    assert "Changed behind the live layer" in page(reader, thread)


def test_each_anonymous_reader_gets_their_own_csp_nonce_from_the_stored_page(thread):
    first = Client().get(thread.get_absolute_url())
    second = Client().get(thread.get_absolute_url())  # from the cache

    nonces = [re.search(r'nonce="([^"]+)"', r.content.decode()).group(1) for r in (first, second)]
    assert nonces[0] != nonces[1]
    for response, nonce in zip((first, second), nonces, strict=True):
        assert f"'nonce-{nonce}'" in response["Content-Security-Policy"]
    assert thread_cache.NONCE_SENTINEL not in second.content.decode()


def test_each_anonymous_reader_gets_their_own_csrf_token_which_works(thread):
    first, second = Client(enforce_csrf_checks=True), Client(enforce_csrf_checks=True)
    html_first, html_second = page(first, thread), page(second, thread)
    answer = thread.answers.first()

    assert len(tokens(html_first)) == 1
    assert len(tokens(html_second)) == 1
    assert tokens(html_first) != tokens(html_second)
    assert thread_cache.CSRF_SENTINEL not in html_second
    response = second.post(
        f"/a/{answer.pk}/vote/",
        {"value": 1, "csrfmiddlewaretoken": next(iter(tokens(html_second)))},
    )
    # Past the CSRF check: an anonymous vote is sent to log in, not refused with 403.
    assert response.status_code == 302
    assert response["Location"].startswith(resolve_url(settings.LOGIN_URL))


def test_members_never_get_the_anonymous_page(thread, other_customer, customer_client):
    answer = thread.answers.filter(author=other_customer).first()
    services.cast_vote(actor=thread.author, post=answer, value=1)
    page(Client(), thread)

    html = page(customer_client, thread)

    assert 'class="user-menu"' in html
    assert 'aria-pressed="true"' in answer_html(html, answer)


def test_a_reader_with_a_flash_message_gets_a_page_of_their_own(thread, rf):
    page(Client(), thread)
    request = rf.get(thread.get_absolute_url())
    request.user = type("Anonymous", (), {"is_authenticated": False})()
    request._messages = CookieStorage(request)  # noqa: SLF001
    request._messages.add(constants.INFO, "You have signed out.")  # noqa: SLF001

    assert len(get_messages(request)) == 1
    assert thread_cache.page_key(request, thread.pk, 0) is None


def test_query_strings_and_htmx_requests_are_not_shared(thread, rf):
    anonymous = type("Anonymous", (), {"is_authenticated": False})()
    plain, with_query, with_htmx = (
        rf.get("/q/1/"),
        rf.get("/q/1/?utm_source=mail"),
        rf.get("/q/1/", HTTP_HX_REQUEST="true"),
    )
    for request in (plain, with_query, with_htmx):
        request.user = anonymous
        request.htmx = request.headers.get("HX-Request") == "true"
        request._messages = CookieStorage(request)  # noqa: SLF001

    assert thread_cache.page_key(plain, 1, 5)
    assert thread_cache.page_key(with_query, 1, 5) is None
    assert thread_cache.page_key(with_htmx, 1, 5) is None


def test_the_page_is_stored_per_language(thread):
    english = page(Client(), thread)
    italian_client = Client()
    italian_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "it"

    italian = page(italian_client, thread)

    assert 'lang="en"' in english
    assert 'lang="it"' in italian


def test_a_hidden_question_is_not_served_from_a_page_stored_before_it_was_published_hidden(
    thread, advocate, django_capture_on_commit_callbacks
):
    page(Client(), thread)
    with django_capture_on_commit_callbacks(execute=True):
        services.delete_question(actor=advocate, question=thread)

    assert Client().get(thread.get_absolute_url()).status_code == 404


def test_the_page_cache_can_be_turned_off(thread, settings):
    settings.CIRCOLO_THREAD_PAGE_SECONDS = 0
    request = HttpRequest()
    request.user = type("Anonymous", (), {"is_authenticated": False})()

    assert thread_cache.page_key(request, thread.pk, 0) is None


# Answers' HTML --------------------------------------------------------------------------


def test_members_share_answer_html_but_each_sees_their_own_vote_and_rights(
    thread, other_customer, helper, customer_client, other_client, helper_client
):
    bruno_answer = thread.answers.filter(author=other_customer).first()
    carla_answer = thread.answers.get(author=helper)
    services.cast_vote(actor=helper, post=bruno_answer, value=1)
    fresh = page(helper_client, thread)  # renders and stores carla's view
    stored = answer_html_keys()

    again = page(helper_client, thread)

    assert answer_html_keys() == stored
    assert again.replace(next(iter(tokens(again))), "T") == fresh.replace(
        next(iter(tokens(fresh))), "T"
    )
    assert 'aria-pressed="true"' in answer_html(again, bruno_answer)
    assert f"/a/{carla_answer.pk}/edit/" in answer_html(again, carla_answer)
    # Bruno sees neither carla's vote nor an edit link on her answer, but can edit his own.
    bruno_view = page(other_client, thread)
    assert 'aria-pressed="true"' not in answer_html(bruno_view, bruno_answer)
    assert f"/a/{carla_answer.pk}/edit/" not in answer_html(bruno_view, carla_answer)
    assert f"/a/{bruno_answer.pk}/edit/" in answer_html(bruno_view, bruno_answer)
    # The asker may accept; the others may not.
    assert "Accept this answer" in page(customer_client, thread)
    assert "Accept this answer" not in bruno_view
    assert thread_cache.CSRF_SENTINEL not in bruno_view


def test_an_edit_shows_on_the_next_page(
    thread, other_customer, other_client, django_capture_on_commit_callbacks
):
    answer = thread.answers.filter(author=other_customer).first()
    page(other_client, thread)

    with django_capture_on_commit_callbacks(execute=True):  # published on the stream
        services.edit_answer(
            actor=other_customer, answer=answer, body="Use the Europa option <b>now</b>."
        )

    html = answer_html(page(other_client, thread), answer)
    assert "Use the Europa option" in html
    assert "<b>now</b>" not in html


def test_a_renamed_author_shows_to_members_once_the_thread_expires(thread, helper, customer_client):
    """A rename is not published on the question's stream: members, like anonymous
    readers, see it once the thread's shared rows expire (thread_snapshot)."""
    client = customer_client
    page(client, thread)
    helper.display_name = "Carla <script>alert(1)</script>"
    helper.save(update_fields=["display_name"])

    cache.clear()  # as THREAD_PAGE_SECONDS passing would
    html = page(client, thread)

    assert "Carla &lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<script>alert(1)" not in html


def test_a_moderator_sees_a_hidden_answer_that_others_do_not(
    thread,
    other_customer,
    advocate,
    advocate_client,
    helper_client,
    django_capture_on_commit_callbacks,
):
    client = helper_client
    answer = thread.answers.filter(author=other_customer).first()
    page(advocate_client, thread)
    page(client, thread)
    with django_capture_on_commit_callbacks(execute=True):  # hiding publishes on the stream
        hide_post(actor=advocate, post=answer, reason="spam")

    assert f'id="answer-{answer.pk}"' in page(advocate_client, thread)
    assert f'id="answer-{answer.pk}"' not in page(client, thread)


def test_a_comment_form_with_errors_keeps_what_was_typed(thread, other_customer, other_client):
    answer = thread.answers.filter(author=other_customer).first()
    page(other_client, thread)  # the answer's HTML is stored

    response = other_client.post(f"/a/{answer.pk}/comment/", {"body": "x"})

    html = answer_html(response.content.decode(), answer)
    assert '<details class="comment-add" open>' in html
    assert ">x</textarea>" in html


def test_the_query_count_stays_constant_with_the_caches_warm(customer_client):
    counts = []
    for answers in (5, 30):
        question = QuestionFactory()
        for n in range(answers):
            AnswerFactory(question=question, author=UserFactory(), body=f"Answer {n}")
        page(customer_client, question)
        with CaptureQueriesContext(connection) as queries:
            page(customer_client, question)
        counts.append(len(queries))

    assert counts[0] == counts[1]
    assert counts[0] <= 12  # as tests/forum/test_views_questions.py's budget


def test_viewers_with_different_privileges_never_share_an_answer(
    thread, helper, newcomer, customer
):
    """Privileges decide parts of the partial outside post_state (e.g. the flag link)."""
    answer = thread.answers.get(author=helper)
    answer.visible_comment_list = []
    same_state = UserFactory(reputation=newcomer.reputation)

    key = thread_cache.answer_key

    assert key(answer, thread, newcomer, {}) == key(answer, thread, same_state, {})
    assert key(answer, thread, newcomer, {}) != key(
        answer, thread, UserFactory(reputation=6000), {}
    )


def test_a_closed_or_locked_question_changes_every_answer(thread, helper, other_customer):
    answer = thread.answers.get(author=helper)
    answer.visible_comment_list = []
    before = thread_cache.answer_key(answer, thread, other_customer, {})

    thread.locked_at = thread.created_at

    assert thread_cache.answer_key(answer, thread, other_customer, {}) != before
