"""Each thread keeps the snapshots it unpickled last (forum/views/questions/
thread_snapshot.py): a warm page reads only the snapshot's small head, the view count
still comes from the cache (another process's count shows), no two threads share the
rows a page writes its viewer's overlay onto, and rows gone from the cache, or about to
go when a page is rendered again ahead, are rebuilt."""

from __future__ import annotations

import re
import threading
import time

import pytest
import time_machine
from django.core.cache import cache
from django.test import Client

from forum.models import Question
from forum.views.questions import thread_cache, thread_snapshot
from tests.factories import AnswerFactory, CommentFactory, QuestionFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def thread(settings):
    settings.CIRCOLO_THREAD_PAGE_SECONDS = 60
    question = QuestionFactory(title="Roaming stopped in Austria")
    for n in range(3):
        answer = AnswerFactory(question=question, body=f"Answer {n}.")
        CommentFactory(question=None, answer=answer, body=f"Comment {n}.")
    return question


def _views(html: str) -> int:
    return int(re.search(r"<dt>Views</dt><dd>([\d,]+)</dd>", html).group(1).replace(",", ""))


def _member_client() -> Client:
    client = Client()
    client.force_login(UserFactory())
    return client


def test_a_warm_load_reuses_the_unpickled_rows_and_reads_only_the_head(thread, monkeypatch):
    first = thread_snapshot.load(thread.pk, 0)
    keys = []
    real_get = cache.get
    monkeypatch.setattr(
        cache, "get", lambda key, *a, **k: keys.append(key) or real_get(key, *a, **k)
    )

    again = thread_snapshot.load(thread.pk, 0)

    assert again is first
    assert keys == [thread_snapshot.head_key(thread.pk, 0)]


def test_another_thread_gets_rows_of_its_own(thread):
    mine = thread_snapshot.load(thread.pk, 0)
    theirs = []
    worker = threading.Thread(target=lambda: theirs.append(thread_snapshot.load(thread.pk, 0)))
    worker.start()
    worker.join()

    assert theirs[0] is not mine
    assert theirs[0].stamp == mine.stamp  # the same snapshot, unpickled again
    assert [a.pk for a in theirs[0].answers] == [a.pk for a in mine.answers]


def test_each_page_shows_the_view_count_of_the_cache_not_of_its_kept_copy(thread):
    readers = [_member_client() for _ in range(3)]
    counts = [_views(r.get(thread.get_absolute_url()).content.decode()) for r in readers]

    assert counts == [1, 2, 3]
    assert Question.objects.get(pk=thread.pk).view_count == 3
    # Another process counted a view and stored the head with it: the kept rows here
    # still say 3, the page says 4.
    other = thread_snapshot.load(thread.pk, 0)
    head_key = thread_snapshot.head_key(thread.pk, 0)
    stamp, built, count = cache.get(head_key)
    cache.set(head_key, (stamp, built, count + 1), 60)
    assert other.question.view_count == 3

    assert _views(readers[0].get(thread.get_absolute_url()).content.decode()) == 4


def test_rows_gone_from_the_cache_are_read_again(thread):
    first = thread_snapshot.load(thread.pk, 0)
    cache.delete(thread_snapshot._rows_key(thread.pk, 0, first.stamp))  # noqa: SLF001
    thread_snapshot._kept().clear()  # noqa: SLF001 - as a fresh process
    AnswerFactory(question=thread, body="Posted without publishing.")

    rebuilt = thread_snapshot.load(thread.pk, 0)

    assert rebuilt.stamp != first.stamp
    assert "Posted without publishing." in [a.body for a in rebuilt.answers]
    assert cache.get(thread_snapshot.head_key(thread.pk, 0))[0] == rebuilt.stamp


def test_a_page_rendered_again_ahead_reads_rows_about_to_expire_afresh(thread):
    """fast_page.py has Django render a page again in its last seconds (thread_cache.
    page_due): rows as old as the page are read again, not given another lifetime; rows
    read since (by another page) are reused."""
    first = thread_snapshot.load(thread.pk, 0)
    assert thread_snapshot.load(thread.pk, 0, again=True) is first  # fresh: reused

    later = time.time() + thread_cache.thread_page_seconds() - 5
    with time_machine.travel(later, tick=False):
        assert thread_snapshot.load(thread.pk, 0) is first  # still stored: reused
        rebuilt = thread_snapshot.load(thread.pk, 0, again=True)
        assert rebuilt.stamp != first.stamp
        assert thread_snapshot.load(thread.pk, 0, again=True) is rebuilt
