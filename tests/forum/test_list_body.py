"""A list's body shared by the members who see the same list (forum/views/list_cache.py,
`member_body_key`): rendered once, then served with each member's own token and header;
moderators share a variant of their own, a member whose own questions are hidden gets a
body of their own, and a tag's follow button shows each member's own state."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from forum.follows.services import set_following
from forum.views import list_cache
from forum.views.questions import thread_cache
from tests.factories import CategoryFactory, QuestionFactory, UserFactory
from tests.pages import client_for, csrf_tokens, page, record_stored_keys

pytestmark = pytest.mark.django_db


@pytest.fixture
def stored(settings, monkeypatch) -> list[str]:
    """The keys of the list bodies stored, in order."""
    settings.CIRCOLO_LIST_PAGE_SECONDS = 60
    return record_stored_keys(thread_cache.cache, monkeypatch, "list-body:")


@pytest.fixture
def questions(db):
    lounge = CategoryFactory(slug="lounge", name="Lounge", is_private=True)
    return {
        "public": QuestionFactory(title="Roaming in Francia", tags=["roaming"]),
        "lounge": QuestionFactory(title="Riservata agli advocate", category=lounge),
    }


def test_members_share_the_body_of_a_list_with_their_own_token_and_header(questions, stored):
    first, second = (
        client_for(UserFactory(username="elena")),
        client_for(UserFactory(username="fabio")),
    )

    one, two = page(first, "/"), page(second, "/")

    assert len(stored) == 1
    assert "Roaming in Francia" in two
    assert "Riservata agli advocate" not in two
    assert "/u/fabio/" in two
    assert "/u/elena/" not in two
    assert len(csrf_tokens(one)) == len(csrf_tokens(two)) == 1
    assert csrf_tokens(one) != csrf_tokens(two)
    with CaptureQueriesContext(connection) as queries:
        assert "Roaming in Francia" in page(second, "/")
    # The session, the member, whether their own questions are hidden, the unread count
    # (and, without Redis, the feed's last event id and the list version).
    assert len(queries) <= 6
    assert not any("forum_question" in q["sql"] and "ORDER BY" in q["sql"] for q in queries)


def test_moderators_share_a_variant_of_their_own(questions, stored, advocate):
    member = client_for(UserFactory())
    page(member, "/")
    moderator_page = page(client_for(advocate), "/")

    assert len(stored) == 2
    assert "Riservata agli advocate" in moderator_page
    assert "Riservata agli advocate" not in page(member, "/")


def test_a_member_whose_own_question_is_hidden_gets_a_body_of_their_own(questions, stored):
    author = UserFactory()
    QuestionFactory(author=author, title="La mia nascosta", hidden_at=timezone.now())
    other = client_for(UserFactory())
    page(other, "/")

    theirs = page(client_for(author), "/")

    assert len(stored) == 1  # the other member's only
    assert "La mia nascosta" in theirs
    assert "La mia nascosta" not in page(other, "/")


def test_a_tags_follow_button_shows_each_members_own_state(questions, stored):
    follower, reader = UserFactory(), UserFactory()
    tag = questions["public"].tags.get()
    set_following(actor=follower, target=tag, following=True)

    follower_page = page(client_for(follower), "/tags/roaming/")
    reader_page = page(client_for(reader), "/tags/roaming/")
    again = page(client_for(UserFactory()), "/tags/roaming/")

    assert len(stored) == 2
    assert "You are notified of new activity." in follower_page
    assert "You are notified of new activity." not in reader_page
    assert "Follow tag" in again
    assert again.replace(*csrf_tokens(again), "T") != follower_page.replace(
        *csrf_tokens(follower_page), "T"
    )


def test_htmx_other_queries_and_anonymous_readers_store_no_body(questions, stored):
    member = client_for(UserFactory())
    member.get("/", headers={"HX-Request": "true"})
    member.get("/?tag=roaming")
    Client().get("/")

    assert stored == []
    assert list_cache.list_page_seconds() == 60
    member.get("/")  # the same member's plain request does store one
    assert len(stored) == 1
