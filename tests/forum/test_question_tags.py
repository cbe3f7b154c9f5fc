"""forum.models.QuestionTags: a question's tags, as taggit's own manager gives them, with
the query built only when it runs (Django's prefetch never runs it)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from taggit.managers import _TaggableManager

from forum.models import Question
from tests.factories import QuestionFactory

pytestmark = pytest.mark.django_db


def _stock(question: Question):  # noqa: ANN202
    """The query taggit's own manager builds for the question's tags."""
    return _TaggableManager.get_queryset(question.tags)


def test_a_questions_tags_are_the_query_taggit_builds_in_its_order():
    question = QuestionFactory(tags=["roaming", "esim", "bolletta"])
    QuestionFactory(tags=["esim", "rete"])
    question = Question.objects.get(pk=question.pk)
    assert str(question.tags.all().query) == str(_stock(question).query)
    assert [t.name for t in question.tags.all()] == ["roaming", "esim", "bolletta"]
    assert list(question.tags.all()) == list(_stock(question))
    assert question.tags.count() == 3
    assert list(question.tags.filter(name="esim").values_list("name", flat=True)) == ["esim"]
    assert sorted(question.tags.names()) == ["bolletta", "esim", "roaming"]


def test_prefetched_tags_are_read_in_one_query_and_their_filter_is_never_built():
    QuestionFactory(tags=["roaming", "esim"])
    QuestionFactory(tags=["rete"])
    QuestionFactory(tags=[])
    with CaptureQueriesContext(connection) as queries:
        questions = list(Question.objects.order_by("pk").prefetch_related("tags"))
        names = [[t.name for t in q.tags.all()] for q in questions]
    assert names == [["roaming", "esim"], ["rete"], []]
    assert len(queries) == 2  # the questions, then every tag of theirs
    for question in questions:
        # The query each question handed Django's prefetch holds its filter unapplied.
        assert question._prefetched_objects_cache["tags"]._deferred_filter is not None


def test_tags_change_through_the_manager_as_before():
    question = QuestionFactory(tags=["sim"])
    question.tags.add("esim")
    question.tags.remove("sim")
    assert list(Question.objects.get(pk=question.pk).tags.names()) == ["esim"]
    question.tags.set(["rete", "roaming"])
    assert sorted(Question.objects.get(pk=question.pk).tags.names()) == ["rete", "roaming"]
    assert list(Question.objects.filter(tags__name="rete")) == [question]
