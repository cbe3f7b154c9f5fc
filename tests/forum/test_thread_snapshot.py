"""The question page from the thread's shared snapshot and each viewer's overlay
(forum/views/questions/thread_snapshot.py): the same HTML every role saw when each page
read the whole thread, a constant four queries for a member, and published changes (and
only those, until the snapshot expires) on the next page."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
import time_machine
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from advocacy.services.moderation import hide_post
from forum import services
from forum.models import Answer, Comment, Question
from live.conf import redis_url
from tests.budget import session_query
from tests.factories import AnswerFactory, CommentFactory, QuestionFactory, UserFactory

pytestmark = pytest.mark.django_db

ROLES = (
    "anonymous",
    "customer",  # the asker: may accept
    "other_customer",  # answered (one answer deleted), voted both ways
    "newcomer",  # no privilege at all: "You need N reputation..." on every button
    "helper",  # edits anyone's post
    "advocate",  # a moderator: sees hidden posts and deleted answers
    "staff",
    "suspended_member",
)


@pytest.fixture
def frozen():
    with time_machine.travel(datetime(2026, 3, 2, 9, 30, tzinfo=UTC), tick=False):
        yield


@pytest.fixture
def thread(frozen, customer, other_customer, newcomer, helper, advocate):
    """Answers by several members, comments (one hidden), votes up and down, an accepted
    answer, an edited one, a deleted one and a hidden one."""
    question = QuestionFactory(author=customer, tags=["sim", "roaming"])
    authors = (other_customer, helper, newcomer, other_customer, helper, advocate)
    answers = [
        AnswerFactory(question=question, author=author, body=f"Answer number {n}.")
        for n, author in enumerate(authors)
    ]
    for answer in answers:
        CommentFactory(question=None, answer=answer, author=customer, body="Grazie!")
        CommentFactory(question=None, answer=answer, author=helper, body="Which model?")
    CommentFactory(question=question, author=other_customer, body="Which network?")
    services.cast_vote(actor=helper, post=answers[0], value=1)
    services.cast_vote(actor=other_customer, post=answers[1], value=-1)
    services.cast_vote(actor=other_customer, post=answers[5], value=1)
    services.cast_vote(actor=customer, post=answers[1], value=1)
    services.accept_answer(actor=customer, answer=answers[1])
    services.edit_answer(actor=helper, answer=answers[0], body="Answer number 0, edited.")
    services.delete_answer(actor=other_customer, answer=answers[3])
    hide_post(actor=advocate, post=answers[4], reason="spam")
    Comment.objects.filter(answer=answers[2], author=helper).update(hidden_at=timezone.now())
    return Question.objects.get(pk=question.pk)


def _tokens(html: str) -> set[str]:
    return set(re.findall(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)) | set(
        re.findall(r'"X-CSRFToken": "([^"]+)"', html)
    )


def page(client: Client, question: Question) -> str:
    response = client.get(question.get_absolute_url())
    assert response.status_code == 200
    html = response.content.decode()
    for token in _tokens(html):
        html = html.replace(token, "CSRF")
    # Each response names a fresh Content-Security-Policy nonce.
    return re.sub(r'nonce="[^"]+"', 'nonce="NONCE"', html)


def _clients(request: pytest.FixtureRequest) -> dict[str, Client]:
    clients = {}
    for role in ROLES:
        client = Client()
        if role != "anonymous":
            client.force_login(request.getfixturevalue(role))
        clients[role] = client
    return clients


def test_every_role_gets_the_html_it_got_when_each_page_read_the_whole_thread(
    thread, request, settings, monkeypatch
):
    # Views are counted elsewhere: here a count moving between two renders is noise.
    monkeypatch.setattr(services, "record_view", lambda **kwargs: False)
    clients = _clients(request)
    settings.CIRCOLO_THREAD_PAGE_SECONDS = 0  # the old path: every page reads every row
    settings.CIRCOLO_ANSWER_HTML_SECONDS = 0
    before = {role: page(client, thread) for role, client in clients.items()}
    settings.CIRCOLO_THREAD_PAGE_SECONDS = 60
    settings.CIRCOLO_ANSWER_HTML_SECONDS = 120

    # Each role in turn, on entries the roles before it stored (cold, then warm).
    cold = {role: page(client, thread) for role, client in clients.items()}
    warm = {role: page(client, thread) for role, client in clients.items()}

    for role in ROLES:
        assert cold[role] == before[role], role
        assert warm[role] == before[role], role
    # The roles do see different pages (so the comparison above means something).
    assert len(set(before.values())) == len(ROLES)
    hidden = thread.answers.filter(hidden_at__isnull=False).get()
    deleted = Answer.objects.filter(question=thread, deleted_at__isnull=False).get()
    assert f'id="answer-{hidden.pk}"' in warm["advocate"]
    assert f'id="answer-{hidden.pk}"' not in warm["other_customer"]
    assert f'id="answer-{deleted.pk}"' in warm["other_customer"]
    assert f'id="answer-{deleted.pk}"' not in warm["customer"]
    assert "You need 15 reputation to vote up" in warm["newcomer"]
    assert "Accept this answer" in warm["customer"]


def test_a_hidden_question_is_404_from_a_snapshot_for_those_who_may_not_see_it(
    thread, customer, helper, advocate, settings, django_capture_on_commit_callbacks
):
    settings.CIRCOLO_THREAD_PAGE_SECONDS = 60
    reader = Client()
    reader.force_login(helper)
    page(reader, thread)
    with django_capture_on_commit_callbacks(execute=True):
        hide_post(actor=advocate, post=thread, reason="spam")

    assert reader.get(thread.get_absolute_url()).status_code == 404
    author = Client()
    author.force_login(customer)
    assert author.get(thread.get_absolute_url()).status_code == 200
    assert Client().get("/q/999999/").status_code == 404


def test_a_published_change_is_on_the_members_next_page(
    thread, other_customer, helper, settings, django_capture_on_commit_callbacks
):
    settings.CIRCOLO_THREAD_PAGE_SECONDS = 60
    reader = Client()
    reader.force_login(helper)
    page(reader, thread)

    with django_capture_on_commit_callbacks(execute=True):
        services.post_answer(actor=other_customer, question=thread, body="Call 190 instead.")

    assert "Call 190 instead." in page(reader, thread)


def test_an_unpublished_change_shows_once_the_snapshot_expires(thread, helper, settings):
    settings.CIRCOLO_THREAD_PAGE_SECONDS = 60
    reader = Client()
    reader.force_login(helper)
    page(reader, thread)
    Answer.objects.filter(question=thread).update(body_html="<p>Changed behind it</p>")
    assert "Changed behind it" not in page(reader, thread)

    cache.clear()  # as THREAD_PAGE_SECONDS passing would

    assert "Changed behind it" in page(reader, thread)


def _warm_queries(client: Client, question: Question, query: str = "") -> int:
    url = question.get_absolute_url() + query
    assert client.get(url).status_code == 200
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_a_members_page_is_four_queries_whatever_the_size_of_the_thread(customer, settings, frozen):
    settings.CIRCOLO_THREAD_PAGE_SECONDS = 60
    reader = Client()
    reader.force_login(customer)
    counts = []
    for answers, comments, tags, voters in ((2, 1, 1, 1), (25, 3, 5, 6)):
        question = QuestionFactory(tags=[f"tag{n}" for n in range(tags)])
        for n in range(answers):
            answer = AnswerFactory(question=question, author=UserFactory(), body=f"A {n}")
            for _ in range(comments):
                CommentFactory(question=None, answer=answer, author=UserFactory())
            for voter in [customer, *UserFactory.create_batch(voters - 1, reputation=200)]:
                services.cast_vote(actor=voter, post=answer, value=1)
        counts.append(_warm_queries(reader, question))

    # The session (from the cache with Redis), the member, their votes with whether they
    # follow the question (one query), the header's unread count (and, without Redis, the
    # last event ids of the question's and the member's streams, kept in the database).
    assert counts == [3 + session_query() + (0 if redis_url() else 2)] * 2


def test_anonymous_and_moderators_pages_do_not_grow_with_the_thread(advocate, settings, frozen):
    """Anonymous readers the page cache does not serve (a query string) read nothing but
    the stream's id; a moderator adds the header's open-flags count and the escalation
    card's open case to a member's four (their votes and follow in one)."""
    settings.CIRCOLO_THREAD_PAGE_SECONDS = 60
    moderator = Client()
    moderator.force_login(advocate)
    counts = []
    for answers in (1, 20):
        question = QuestionFactory(tags=["a", "b"])
        for n in range(answers):
            answer = AnswerFactory(question=question, author=UserFactory(), body=f"A {n}")
            CommentFactory(question=None, answer=answer, author=UserFactory())
        counts.append(
            (_warm_queries(Client(), question, "?ref=mail"), _warm_queries(moderator, question))
        )

    live = 0 if redis_url() else 1
    assert counts == [(0 + live, 5 + session_query() + 2 * live)] * 2


def test_the_follow_button_shows_whether_the_member_follows_the_question(customer, settings):
    """Read with the member's votes: following, unfollowed from elsewhere (another tab,
    the API), followed again; a vote of theirs on the thread is not taken for a follow."""
    from forum.follows.services import set_following

    settings.CIRCOLO_THREAD_PAGE_SECONDS = 60
    question = QuestionFactory()
    answer = AnswerFactory(question=question, author=UserFactory())
    services.cast_vote(actor=customer, post=answer, value=1)
    reader = Client()
    reader.force_login(customer)

    def pressed() -> str:
        html = reader.get(question.get_absolute_url()).content.decode()
        return html.split('data-follow="question"')[0].rsplit("aria-pressed=", 1)[1].split()[0]

    assert pressed() == '"false"'
    set_following(actor=customer, target=question, following=True)
    assert pressed() == '"true"'
    set_following(actor=customer, target=question, following=False)
    assert pressed() == '"false"'
