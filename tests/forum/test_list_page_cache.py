"""The anonymous list page cache (forum/views/list_cache.py): shared by anonymous readers
only, renewed by a published change, never fed by a moderator's render."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from forum.views import list_cache
from tests.factories import QuestionFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _page_cache_on(settings):
    settings.CIRCOLO_LIST_PAGE_SECONDS = 60


def test_shareable_queries():
    tabs = {"newest", "top"}
    assert list_cache.shareable_query("", tabs)
    assert list_cache.shareable_query("sort=top&page=2", tabs)
    assert not list_cache.shareable_query("sort=bogus", tabs)
    assert not list_cache.shareable_query("page=2&page=3", tabs)
    assert not list_cache.shareable_query("tag=x", tabs)
    assert not list_cache.shareable_query("page=1234567", tabs)


def test_a_hidden_question_a_moderator_saw_is_not_served_to_anonymous_readers(django_user_model):
    from django.utils import timezone

    hidden = QuestionFactory(title="Segreto nascosto", hidden_at=timezone.now())
    moderator = UserFactory(is_staff=True)
    client = Client()
    client.force_login(moderator)
    client.get("/")  # a moderator's render (whatever it shows) is never stored
    anonymous = Client()
    assert hidden.title not in anonymous.get("/").content.decode()
    assert hidden.title not in anonymous.get("/").content.decode()  # the stored one


def test_a_change_published_on_a_question_renews_the_shared_page():
    question = QuestionFactory(title="Prima domanda")
    anonymous = Client()
    anonymous.get("/")
    key_before = list_cache.list_version()
    list_cache._published(None, stream=f"question.{question.pk}")  # noqa: SLF001
    assert list_cache.list_version() == key_before + 1
    list_cache._published(None, stream="user.3")  # noqa: SLF001
    assert list_cache.list_version() == key_before + 1


def test_stored_pages_carry_each_readers_token():
    QuestionFactory(title="Domanda condivisa")
    first, second = Client(), Client()
    one = first.get("/").content.decode()
    two = second.get("/").content.decode()
    assert "Domanda condivisa" in one
    assert "Domanda condivisa" in two
    assert list_cache.CSRF_SENTINEL not in two
    assert first.cookies["csrftoken"].value != second.cookies["csrftoken"].value
    # The stored page's forms carry each reader's own token, not the first reader's.
    token = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
    assert token.findall(one)
    assert token.findall(two)
    assert not set(token.findall(one)) & set(token.findall(two))


@pytest.mark.parametrize("path", ["/", "/?sort=unanswered", "/?sort=top&page=1"])
def test_a_stored_list_costs_at_most_the_feed_id_whatever_the_number_of_questions(path):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    QuestionFactory.create_batch(25, tags=["sim", "roaming"])
    anonymous = Client()
    anonymous.get(path)
    with CaptureQueriesContext(connection) as queries:
        assert anonymous.get(path).status_code == 200
    # The feed's last id (a query without Redis, where the backlog is in the database).
    assert len(queries) <= 1


def test_a_new_question_shows_at_once_on_the_stored_page(django_capture_on_commit_callbacks):
    from forum import services

    QuestionFactory(title="Domanda vecchia")
    anonymous = Client()
    assert "Domanda vecchia" in anonymous.get("/").content.decode()  # stored
    with django_capture_on_commit_callbacks(execute=True):  # the feed publishes
        services.ask_question(
            actor=UserFactory(reputation=100),
            title="Nuova domanda sul roaming in Svizzera",
            body="Il roaming in Svizzera non funziona da ieri sera, come mai?",
            tags=["roaming"],
        )
    assert "Nuova domanda sul roaming in Svizzera" in anonymous.get("/").content.decode()


def test_a_category_made_private_in_the_admin_leaves_the_stored_pages_at_once(admin_client):
    from tests.factories import CategoryFactory

    category = CategoryFactory(name="Fatture", slug="fatture")
    QuestionFactory(title="Domanda sulle fatture", category=category)
    anonymous = Client()
    assert "Domanda sulle fatture" in anonymous.get("/").content.decode()  # stored

    response = admin_client.post(
        f"/admin/forum/category/{category.pk}/change/",
        {
            "name": "Fatture",
            "name_it": "",
            "slug": "fatture",
            "description": "",
            "description_it": "",
            "position": 0,
            "is_private": "on",
        },
    )

    assert response.status_code == 302
    assert "Domanda sulle fatture" not in anonymous.get("/").content.decode()
