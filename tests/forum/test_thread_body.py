"""The question page's body shared by members who see the same thing
(forum/views/questions/thread_cache.py, `render_body`): rendered once, then served to the
next such member with their own CSRF token, header and vote, and the view count of the
moment; never shared by the asker, advocates and staff, whose pages show what the
thread's stream does not publish."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from forum import services
from forum.follows.services import set_following
from forum.views.questions import thread_cache
from tests.factories import AnswerFactory, CommentFactory, QuestionFactory, UserFactory
from tests.pages import client_for, csrf_tokens, page, record_stored_keys

pytestmark = pytest.mark.django_db


@pytest.fixture
def stored(settings, monkeypatch) -> list[str]:
    """The keys of the bodies stored, in order."""
    settings.CIRCOLO_THREAD_PAGE_SECONDS = 60
    return record_stored_keys(thread_cache.cache, monkeypatch, "thread-body:")


@pytest.fixture
def thread(customer):
    question = QuestionFactory(author=customer, title="eSIM not activating")
    for n in range(3):
        answer = AnswerFactory(question=question, body=f"Answer number {n}.")
        CommentFactory(question=None, answer=answer, body=f"Comment {n}.")
    CommentFactory(question=question, body="Which phone?")
    return question


def _views(html: str) -> tuple[str, str]:
    return (
        re.search(r"Viewed \d+ times?", html).group(0),
        re.search(r"<dt>Views</dt><dd>([\d,]+)</dd>", html).group(1),
    )


def test_members_who_see_the_same_body_share_it_with_their_own_token_header_and_count(
    thread, stored
):
    first, second = UserFactory(username="elena"), UserFactory(username="fabio")
    first_page = page(client_for(first), thread.get_absolute_url())
    second_page = page(client_for(second), thread.get_absolute_url())

    assert len(stored) == 1  # rendered for the first, served to the second
    assert len(csrf_tokens(first_page)) == len(csrf_tokens(second_page)) == 1
    assert csrf_tokens(first_page) != csrf_tokens(second_page)
    assert "/u/elena/" in first_page
    assert "/u/elena/" not in second_page
    assert "/u/fabio/" in second_page
    # Each page counted its reader, the shared body shows the count of the moment.
    assert _views(first_page) == ("Viewed 1 time", "1")
    assert _views(second_page) == ("Viewed 2 times", "2")
    assert "<!--circolo-view-count" not in second_page
    assert "Answer number 2." in second_page
    assert "Which phone?" in second_page


def test_a_members_own_vote_and_follow_give_them_a_body_of_their_own(thread, stored):
    voter, follower, reader = UserFactory.create_batch(3, reputation=200)
    services.cast_vote(actor=voter, post=thread, value=1)
    set_following(actor=follower, target=thread, following=True)

    pages = [page(client_for(m), thread.get_absolute_url()) for m in (voter, follower, reader)]

    assert len(stored) == 3
    pressed = [p.count('aria-pressed="true"') for p in pages]
    assert pressed[0] == pressed[1] == pressed[2] + 1  # the upvote, the follow button
    assert "You upvoted this" in pages[0]
    assert "You upvoted this" not in pages[1] + pages[2]
    assert "You are notified of new activity." in pages[1]
    assert "You are notified of new activity." not in pages[0] + pages[2]


def test_the_page_changes_with_the_thread(thread, stored, other_customer):
    reader = client_for(UserFactory())
    page(reader, thread.get_absolute_url())

    services.post_answer(actor=other_customer, question=thread, body="Restart in flight mode.")
    thread_cache.cache.clear()  # the test settings publish nothing: as the stream moving on

    assert "Restart in flight mode." in page(reader, thread.get_absolute_url())


@pytest.mark.parametrize("who", ["customer", "advocate", "staff"])
def test_the_asker_advocates_and_staff_never_share_a_body(thread, stored, who, request):
    member = request.getfixturevalue(who)

    page(client_for(member), thread.get_absolute_url())

    assert stored == []


def test_a_redisplayed_form_is_never_stored(thread, stored):
    reader = client_for(UserFactory(reputation=200))

    response = reader.post(reverse("forum:post_answer", args=[thread.pk]), {"body": ""})

    assert response.status_code == 200
    assert stored == []
