"""Related questions beside a thread (issue 15): open public questions sharing its tags or
title words, most related first; never the thread itself, closed, deleted, hidden or
lounge questions. One query, kept with the thread's snapshot when snapshots are on."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from forum.models import Question
from forum.related import related_questions
from forum.views.questions import thread_snapshot
from tests.factories import CategoryFactory, QuestionFactory


@pytest.fixture
def thread(db):
    return QuestionFactory(title="eSIM activation fails on iPhone", tags=["esim", "iphone"])


def related(question: Question) -> list[str]:
    question = Question.objects.prefetch_related("tags").get(pk=question.pk)
    return [q.title for q in related_questions(question)]


def test_shared_tags_count_more_than_shared_words_and_unrelated_ones_are_left_out(thread):
    QuestionFactory(title="Roaming in Spain", tags=["roaming"])
    QuestionFactory(title="Moving my eSIM to a new phone", tags=["esim"])
    QuestionFactory(title="iPhone eSIM with dual SIM", tags=["esim", "iphone"])
    QuestionFactory(title="Activation code for the router", tags=["modem"])

    assert related(thread) == [
        "iPhone eSIM with dual SIM",  # two tags and three title words
        "Moving my eSIM to a new phone",  # one tag and one word
        "Activation code for the router",  # one word
    ]


def test_closed_deleted_hidden_and_lounge_questions_are_not_related(thread):
    lounge = CategoryFactory(slug="lounge", name="Lounge", is_private=True)
    now = timezone.now()
    QuestionFactory(title="eSIM closed", tags=["esim"], closed_at=now)
    QuestionFactory(title="eSIM deleted", tags=["esim"], deleted_at=now)
    QuestionFactory(title="eSIM hidden", tags=["esim"], hidden_at=now)
    QuestionFactory(title="eSIM in the lounge", tags=["esim"], category=lounge)
    QuestionFactory(title="eSIM open", tags=["esim"])

    assert related(thread) == ["eSIM open"]


def test_at_most_five_in_one_query(thread, django_assert_num_queries):
    for n in range(8):
        QuestionFactory(title=f"eSIM question {n}", tags=["esim"])
    question = Question.objects.prefetch_related("tags").get(pk=thread.pk)

    with django_assert_num_queries(1):
        assert len(related_questions(question)) == 5


def test_the_thread_page_shows_them_beside_the_thread(thread, client):
    other = QuestionFactory(title="Moving my eSIM to a new phone", tags=["esim"])

    html = client.get(thread.get_absolute_url()).content.decode()

    assert 'id="related-heading"' in html
    assert f'href="{other.get_absolute_url()}"' in html


def test_the_snapshot_keeps_them_so_a_warm_page_reads_none(thread, settings):
    settings.CIRCOLO_THREAD_PAGE_SECONDS = 60
    QuestionFactory(title="Moving my eSIM to a new phone", tags=["esim"])
    thread_snapshot.load(thread.pk, 0)  # built and stored

    with CaptureQueriesContext(connection) as queries:
        snapshot = thread_snapshot.load(thread.pk, 0)

    assert [q.title for q in snapshot.related] == ["Moving my eSIM to a new phone"]
    assert len(queries) == 0


def test_no_tags_and_no_long_words_costs_nothing(db, django_assert_num_queries):
    question = QuestionFactory(title="Why?", tags=[])
    question = Question.objects.prefetch_related("tags").get(pk=question.pk)

    with django_assert_num_queries(0):
        assert related_questions(question) == []
