"""The question lists' caches (forum/views/list_cache.py): rows' HTML shared by every
reader and keyed by what they show, the sidebar reused until the feed publishes, and a
page whose queries do not grow with the questions, tags, categories or authors shown."""

from __future__ import annotations

import re
import threading
import time
from datetime import UTC, datetime
from unittest import mock

import pytest
import time_machine
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from forum import services
from forum.models import Question, User
from forum.views import list_cache
from gamification import rules
from live.conf import redis_url
from tests.budget import session_query
from tests.factories import AnswerFactory, CategoryFactory, QuestionFactory, UserFactory

pytestmark = pytest.mark.django_db

PAGES = ("/", "/?sort=unanswered", "/?sort=top", "/?tag=sim", "/tags/sim/", "/categories/cat-1/")


@pytest.fixture
def frozen():
    with time_machine.travel(datetime(2026, 3, 2, 9, 30, tzinfo=UTC), tick=False):
        yield


@pytest.fixture
def questions(frozen):
    made = []
    for n in range(8):
        made.append(
            QuestionFactory(
                title=f"Roaming question {n} <b>bold</b>",
                author=UserFactory(reputation=n * 300, is_advocate=n == 3),
                tags=["sim", f"tag{n}"],
                category=CategoryFactory(slug=f"cat-{n % 2}", name=f"Cat {n % 2}"),
            )
        )
    AnswerFactory(question=made[0])
    return made


def _html(client: Client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    for token in set(re.findall(r'"X-CSRFToken": "([^"]+)"', html)):
        html = html.replace(token, "CSRF")
    # Each response names a fresh Content-Security-Policy nonce.
    return re.sub(r'nonce="[^"]+"', 'nonce="NONCE"', html)


@pytest.mark.parametrize("url", PAGES)
def test_a_list_is_the_same_html_with_its_rows_and_sidebar_from_the_cache(
    questions, customer_client, settings, url
):
    settings.CIRCOLO_ANSWER_HTML_SECONDS = 0
    settings.CIRCOLO_LIST_SIDEBAR_SECONDS = 0
    readers = {"anonymous": Client(), "member": customer_client}
    before = {who: _html(client, url) for who, client in readers.items()}
    settings.CIRCOLO_ANSWER_HTML_SECONDS = 120
    settings.CIRCOLO_LIST_SIDEBAR_SECONDS = 60

    for who, client in readers.items():
        assert _html(client, url) == before[who], who  # cold
        assert _html(client, url) == before[who], who  # warm

    assert "Roaming question 1 &lt;b&gt;bold&lt;/b&gt;" in before["anonymous"]


def test_a_changed_row_shows_at_once_without_any_event(questions):
    reader = Client()
    _html(reader, "/")
    Question.objects.filter(pk=questions[2].pk).update(title="Changed quietly", score=7)
    User.objects.filter(pk=questions[4].author_id).update(display_name="Renamed <i>x</i>")

    html = _html(reader, "/")

    assert "Changed quietly" in html
    assert "7 votes" in html
    assert "Renamed &lt;i&gt;x&lt;/i&gt;" in html


def test_the_sidebar_follows_the_feed(
    questions, customer, settings, django_capture_on_commit_callbacks
):
    settings.CIRCOLO_LIST_SIDEBAR_SECONDS = 60
    reader = Client()
    assert "× 8" in _html(reader, "/")  # the "sim" tag, on every question
    QuestionFactory(tags=["sim"])  # written behind the live layer: not published
    assert "× 8" in _html(reader, "/")

    with django_capture_on_commit_callbacks(execute=True):
        services.ask_question(
            actor=customer,
            title="Roaming in Svizzera, how?",
            body="Which option do I need for Switzerland?",
            tags="sim",
        )

    assert "× 10" in _html(reader, "/")


@pytest.mark.parametrize("url", ["/", "/?sort=unanswered", "/tags/sim/"])
def test_the_count_follows_the_feed(
    questions, customer, settings, django_capture_on_commit_callbacks, url
):
    settings.CIRCOLO_LIST_SIDEBAR_SECONDS = 60
    reader = Client()
    unanswered = url == "/?sort=unanswered"  # questions[0] has an answer
    assert f"{7 if unanswered else 8} questions" in _html(reader, url)
    QuestionFactory(tags=["sim"])  # written behind the live layer: not published
    assert f"{7 if unanswered else 8} questions" in _html(reader, url)

    with django_capture_on_commit_callbacks(execute=True):
        services.ask_question(
            actor=customer,
            title="Roaming in Svizzera, how?",
            body="Which option do I need for Switzerland?",
            tags="sim",
        )

    assert f"{9 if unanswered else 10} questions" in _html(reader, url)


def test_a_count_is_never_shared_by_viewers_who_see_other_questions(
    questions, advocate_client, settings
):
    settings.CIRCOLO_LIST_SIDEBAR_SECONDS = 60
    lounge = CategoryFactory(slug="lounge", name="Lounge", is_private=True)
    QuestionFactory(category=lounge, tags=["sim"])
    assert "9 questions" in _html(advocate_client, "/")
    assert "8 questions" in _html(Client(), "/")
    assert "9 questions" in _html(advocate_client, "/")


def test_a_due_sidebar_and_count_are_recomputed_by_one_request_while_others_get_the_last(
    questions, settings
):
    """No stampede: while one request recomputes (it holds the lock), the others are
    served the previous sidebar and count and run no aggregate at all."""
    settings.CIRCOLO_LIST_SIDEBAR_SECONDS = 60
    reader = Client()
    assert "8 questions" in _html(reader, "/")
    QuestionFactory(tags=["sim"])
    with (
        mock.patch.object(cache, "add", return_value=False),  # another request refreshes
        time_machine.travel(datetime(2026, 3, 2, 9, 32, tzinfo=UTC), tick=False),
        CaptureQueriesContext(connection) as queries,
    ):
        html = _html(reader, "/")
    assert "8 questions" in html
    assert "× 8" in html
    assert not [q for q in queries.captured_queries if "COUNT(" in q["sql"].upper()]

    with time_machine.travel(datetime(2026, 3, 2, 9, 32, tzinfo=UTC), tick=False):
        html = _html(reader, "/")  # this request takes the lock: it recomputes
    assert "9 questions" in html
    assert "× 9" in html


def test_moderators_and_members_never_share_a_sidebar(questions, advocate_client, settings):
    settings.CIRCOLO_LIST_SIDEBAR_SECONDS = 60
    lounge = CategoryFactory(slug="lounge", name="Lounge", is_private=True)
    QuestionFactory(category=lounge, tags=["sim"])
    assert "Lounge" in _html(advocate_client, "/")
    assert "Lounge" not in _html(Client(), "/")


def clear_caches() -> None:
    """Empty the shared cache, and this process's copy of the gamification tuning it held:
    the copy lives 2 s by the monotonic clock, which time_machine does not stop. On a busy
    box a copy made before the clear lapsed between a page's warm-up and its counted
    request, and the counted one read the tuning again (5 queries more)."""
    cache.clear()
    rules.clear_cache()


def _queries(client: Client, url: str) -> int:
    client.get(url)  # warm
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


@pytest.mark.parametrize("url", PAGES)
def test_a_lists_queries_do_not_grow_with_questions_tags_categories_or_authors(
    frozen, customer_client, settings, url
):
    settings.CIRCOLO_LIST_SIDEBAR_SECONDS = 60
    QuestionFactory(tags=["sim"], category=CategoryFactory(slug="cat-1"))
    clear_caches()  # both counts start from the same (empty) cache, whatever ran before
    few = (_queries(Client(), url), _queries(customer_client, url))
    for n in range(25):
        QuestionFactory(
            author=UserFactory(),
            tags=["sim", f"t{n}", f"u{n}"],
            category=CategoryFactory(slug=f"cat-{n % 3}"),
        )
    clear_caches()  # a new feed id, as the services would publish

    many = (_queries(Client(), url), _queries(customer_client, url))

    assert few == many
    # Anonymous: the page, its tags (+ the tag or category by name; the count is cached
    # until the feed publishes, test_the_count_follows_the_feed); a member
    # adds the session (cached with Redis), the member and the header's unread count. Without Redis the
    # streams' last ids come from the database (the feed; a member's own stream too).
    # (a tag page also asks whether the reader may see any question carrying it: 1 more)
    by_name = next(
        (
            n
            for start, n in (("/?tag=", 1), ("/tags/", 2), ("/categories/", 1))
            if url.startswith(start)
        ),
        0,
    )
    # A tag or category page shows a member whether they follow it (forum.follows): 1 more.
    follow = 1 if url.startswith(("/tags/", "/categories/")) else 0
    live = 0 if redis_url() else 1
    assert many == (2 + by_name + live, 4 + session_query() + by_name + follow + 2 * live)


def _wait_until(condition, seconds: float = 10) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "condition not met in time"
        threading.Event().wait(0.001)


def test_a_cold_value_is_computed_by_one_request_while_the_others_wait_for_it(settings):
    """No cold stampede: P1 measured 0 pages of the anonymous `/` in 10 s when 32
    requests (each in its own view thread) found no count or sidebar and all ran the
    aggregates at once. Now one computes while the others wait for its value."""
    settings.CIRCOLO_LIST_SIDEBAR_SECONDS = 60
    cache.clear()
    release = threading.Event()
    computed = []

    def compute():
        computed.append(threading.get_ident())
        release.wait(10)
        return {"n": 42}

    waiting = []
    real_wait = list_cache._wait_for

    def counted_wait(key, deadline):
        waiting.append(key)
        return real_wait(key, deadline)

    results = []
    with mock.patch.object(list_cache, "_wait_for", counted_wait):
        first = threading.Thread(target=lambda: results.append(list_cache.shared("k", 7, compute)))
        first.start()
        _wait_until(lambda: computed)
        others = [
            threading.Thread(target=lambda: results.append(list_cache.shared("k", 7, compute)))
            for _ in range(6)
        ]
        for thread in others:
            thread.start()
        _wait_until(lambda: len(waiting) == 6)
        release.set()
        for thread in (first, *others):
            thread.join(10)
    assert len(computed) == 1
    assert results == [{"n": 42}] * 7
    assert cache.get("k:computing") is None


def test_a_failed_cold_computation_lets_the_next_request_compute(settings):
    settings.CIRCOLO_LIST_SIDEBAR_SECONDS = 60
    cache.clear()

    def broken():
        raise RuntimeError("database went away")

    with pytest.raises(RuntimeError):
        list_cache.shared("k", 7, broken)
    assert cache.get("k:computing") is None
    assert list_cache.shared("k", 7, lambda: 3) == 3
    assert list_cache._wait_for("k", time.monotonic() + 1) == (3, 7, mock.ANY)
