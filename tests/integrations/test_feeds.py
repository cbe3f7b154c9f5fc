"""Atom feeds: valid Atom 1.0, public content only, conditional GET, bounded queries."""

from __future__ import annotations

from datetime import timedelta

import feedparser
import pytest
from django.utils import timezone

from tests.factories import AnswerFactory, CategoryFactory, QuestionFactory


def _parse(response):
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    feed = feedparser.parse(response.content)
    assert feed.bozo == 0, feed.get("bozo_exception")
    assert feed.version == "atom10"
    return feed


@pytest.fixture
def lounge(db):
    return CategoryFactory(name="Lounge", slug="lounge", is_private=True)


@pytest.fixture
def billing(db):
    return CategoryFactory(name="Billing", slug="billing")


def test_newest_questions_lists_public_questions_newest_first(client, customer, lounge):
    now = timezone.now()
    old = QuestionFactory(
        author=customer, title="Old <b>one</b> & more", created_at=now - timedelta(hours=2)
    )
    new = QuestionFactory(author=customer, title="New one", created_at=now - timedelta(hours=1))
    QuestionFactory(author=customer, title="Secret lounge talk", category=lounge)
    QuestionFactory(author=customer, title="Hidden spam", hidden_at=now)
    QuestionFactory(author=customer, title="Deleted one", deleted_at=now)

    feed = _parse(client.get("/feeds/questions.atom"))

    assert [e.title for e in feed.entries] == ["New one", "Old <b>one</b> & more"]
    assert feed.entries[0].link == f"http://testserver/q/{new.pk}/"
    assert feed.entries[1].link == f"http://testserver/q/{old.pk}/"
    assert feed.entries[0].author == "Anna Rossi"
    assert "payment page" in feed.entries[0].summary
    assert b"Secret lounge" not in client.get("/feeds/questions.atom").content


def test_newest_questions_feed_is_the_same_for_a_moderator(advocate_client, customer, lounge):
    QuestionFactory(author=customer, title="Secret lounge talk", category=lounge)
    feed = _parse(advocate_client.get("/feeds/questions.atom"))
    assert feed.entries == []


def test_tag_feed_by_slug_and_lounge_only_tag_is_404(client, customer, lounge):
    QuestionFactory(author=customer, title="About eSIM", tags=["esim"])
    QuestionFactory(author=customer, title="Other", tags=["billing"])
    QuestionFactory(
        author=customer, title="Lounge eSIM", tags=["esim", "internal"], category=lounge
    )

    feed = _parse(client.get("/feeds/tags/esim.atom"))

    assert [e.title for e in feed.entries] == ["About eSIM"]
    assert client.get("/feeds/tags/internal.atom").status_code == 404
    assert client.get("/feeds/tags/nope.atom").status_code == 404


def test_category_feed_and_private_category_is_404(client, customer, billing, lounge):
    QuestionFactory(author=customer, title="Bill too high", category=billing)
    QuestionFactory(author=customer, title="Elsewhere")

    feed = _parse(client.get("/feeds/categories/billing.atom"))

    assert [e.title for e in feed.entries] == ["Bill too high"]
    assert client.get("/feeds/categories/lounge.atom").status_code == 404
    assert client.get("/feeds/categories/missing.atom").status_code == 404


def test_question_feed_lists_its_visible_answers(client, question, helper, other_customer):
    now = timezone.now()
    first = AnswerFactory(question=question, author=helper, created_at=now - timedelta(minutes=5))
    second = AnswerFactory(question=question, author=other_customer, created_at=now)
    AnswerFactory(question=question, author=other_customer, hidden_at=now, body="spam link")
    AnswerFactory(question=question, author=other_customer, deleted_at=now, body="deleted")

    feed = _parse(client.get(f"/feeds/questions/{question.pk}.atom"))

    assert [e.link for e in feed.entries] == [
        f"http://testserver/q/{question.pk}/#answer-{second.pk}",
        f"http://testserver/q/{question.pk}/#answer-{first.pk}",
    ]
    assert [e.author for e in feed.entries] == ["Bruno Bianchi", "Carla Verdi"]
    assert "spam link" not in str(feed.entries)


def test_question_feed_of_lounge_hidden_or_deleted_question_is_404(client, customer, lounge):
    now = timezone.now()
    for q in (
        QuestionFactory(author=customer, category=lounge),
        QuestionFactory(author=customer, hidden_at=now),
        QuestionFactory(author=customer, deleted_at=now),
    ):
        assert client.get(f"/feeds/questions/{q.pk}.atom").status_code == 404
    assert client.get("/feeds/questions/999999.atom").status_code == 404


def test_conditional_get_answers_304_until_the_feed_changes(client, customer):
    QuestionFactory(author=customer, title="First")
    response = client.get("/feeds/questions.atom")
    etag, last_modified = response["ETag"], response["Last-Modified"]

    assert client.get("/feeds/questions.atom", HTTP_IF_NONE_MATCH=etag).status_code == 304
    assert (
        client.get("/feeds/questions.atom", HTTP_IF_MODIFIED_SINCE=last_modified).status_code == 304
    )

    QuestionFactory(author=customer, title="Second")
    changed = client.get("/feeds/questions.atom", HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200
    assert changed["ETag"] != etag
    assert [e.title for e in _parse(changed).entries] == ["Second", "First"]


def test_conditional_get_sees_an_edit_and_a_removal(client, question, helper):
    answer = AnswerFactory(question=question, author=helper)
    url = f"/feeds/questions/{question.pk}.atom"
    etag = client.get(url)["ETag"]
    type(answer).objects.filter(pk=answer.pk).update(
        edited_at=timezone.now() + timedelta(seconds=5)
    )
    edited = client.get(url, HTTP_IF_NONE_MATCH=etag)
    assert edited.status_code == 200
    type(answer).objects.filter(pk=answer.pk).update(hidden_at=timezone.now())
    removed = client.get(url, HTTP_IF_NONE_MATCH=edited["ETag"])
    assert removed.status_code == 200
    assert _parse(removed).entries == []


@pytest.mark.parametrize("n", [3, 12])
def test_feeds_query_budget_is_constant(
    client, customer, helper, billing, django_assert_num_queries, n
):
    question = QuestionFactory(author=customer, category=billing, tags=["esim"])
    for _ in range(n):
        QuestionFactory(author=helper, category=billing, tags=["esim"])
        AnswerFactory(question=question, author=helper)
    # The conditional-GET state (1) and the entries with their authors (1); object
    # feeds look their object up once for each (2 more), and a tag also checks that
    # a public question carries it (plus the slug lookup).
    with django_assert_num_queries(2):
        _parse(client.get("/feeds/questions.atom"))
    with django_assert_num_queries(4):
        _parse(client.get("/feeds/categories/billing.atom"))
    with django_assert_num_queries(4):
        _parse(client.get(f"/feeds/questions/{question.pk}.atom"))
    with django_assert_num_queries(6):
        _parse(client.get("/feeds/tags/esim.atom"))
    etag = client.get("/feeds/questions.atom")["ETag"]
    with django_assert_num_queries(1):
        assert client.get("/feeds/questions.atom", HTTP_IF_NONE_MATCH=etag).status_code == 304


def test_pages_advertise_their_feed(client, question, billing):
    QuestionFactory(category=billing, tags=["esim"])
    cases = {
        "/": "/feeds/questions.atom",
        "/categories/billing/": "/feeds/categories/billing.atom",
        "/tags/esim/": "/feeds/tags/esim.atom",
        f"/q/{question.pk}/": f"/feeds/questions/{question.pk}.atom",
    }
    for page, feed_url in cases.items():
        html = client.get(page).content.decode()
        assert '<link rel="alternate" type="application/atom+xml"' in html
        assert f'href="{feed_url}"' in html, page
