"""Tag autocomplete (issue 15): forum:tag_suggestions lists the tags matching the word being
typed, with their description in the page's language and the number of questions the
viewer may see; one query. The ask and edit forms wire their tags field to it."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from taggit.models import Tag

from forum.models import TagInfo
from tests.factories import CategoryFactory, QuestionFactory

URL = reverse("forum:tag_suggestions")


@pytest.fixture
def tagged(db):
    QuestionFactory(tags=["sim", "esim"])
    QuestionFactory(tags=["sim"])
    QuestionFactory(tags=["dual-sim"])
    QuestionFactory(tags=["roaming"])
    TagInfo.objects.create(
        tag=Tag.objects.get(name="sim"),
        description="Physical SIM cards: PIN, PUK, replacement.",
        description_it="SIM fisiche: PIN, PUK, sostituzione.",
    )


def options(response) -> list[str]:  # noqa: ANN001
    return [tag.name for tag in response.context["tags"]]


def test_names_containing_the_word_prefix_first_then_most_used(tagged, client):
    response = client.get(URL, {"q": "sim"})

    assert response.status_code == 200
    assert options(response) == ["sim", "dual-sim", "esim"]
    html = response.content.decode()
    assert 'role="option"' in html
    assert 'data-value="sim"' in html
    assert "2 questions" in html
    assert "Physical SIM cards: PIN, PUK, replacement." in html


def test_the_description_follows_the_language(tagged, client):
    html = client.get(URL, {"q": "sim"}, headers={"accept-language": "it"}).content.decode()

    assert "SIM fisiche: PIN, PUK, sostituzione." in html
    assert "2 domande" in html


def test_tags_only_on_questions_the_viewer_may_not_see_are_not_suggested(tagged, client):
    lounge = CategoryFactory(slug="lounge", name="Lounge", is_private=True)
    QuestionFactory(tags=["simlock-secret"], category=lounge)
    QuestionFactory(tags=["simhidden"], hidden_at=timezone.now())
    QuestionFactory(tags=["simgone"], deleted_at=timezone.now())

    assert options(client.get(URL, {"q": "sim"})) == ["sim", "dual-sim", "esim"]


@pytest.mark.parametrize("q", ["", "   ", "zzz", "\x00sim", "s" * 5000, "%", "_"])
def test_odd_words_give_an_empty_list_or_matches_never_an_error(tagged, client, q):
    response = client.get(URL, {"q": q})

    assert response.status_code == 200
    assert all("sim" in name for name in options(response)) or not options(response)


def test_one_query_whatever_the_number_of_tags(tagged, client):
    for n in range(20):
        QuestionFactory(tags=[f"sim-{n}"])
    TagInfo.objects.bulk_create(
        TagInfo(tag=tag, description=f"About {tag.name}") for tag in Tag.objects.exclude(name="sim")
    )

    with CaptureQueriesContext(connection) as queries:
        response = client.get(URL, {"q": "sim"})

    assert len(options(response)) == 8
    assert len(queries) == 1


def test_ask_and_edit_forms_wire_their_tags_field(customer, customer_client):
    question = QuestionFactory(author=customer)
    for page in (reverse("forum:ask"), reverse("forum:edit_question", args=[question.pk])):
        html = customer_client.get(page).content.decode()
        assert f'data-tag-suggest="{URL}"' in html, page
        assert "js/tags.js" in html
