"""forum.streams: subscriptions to one question asked at once share one visibility query;
nothing is remembered once it is answered, and a subscriber going away does not cancel
the answer the others wait for."""

from __future__ import annotations

import asyncio

import pytest
from django.contrib.auth.models import AnonymousUser

from forum import streams

pytestmark = pytest.mark.django_db


@pytest.fixture
def queries(monkeypatch):
    """Replace the database query: each call waits for `release` and answers `visible`."""
    state = {"calls": 0, "release": None, "visible": True}

    async def question_visible(user: object, pk: int) -> bool:
        state["calls"] += 1
        await state["release"].wait()
        return state["visible"]

    monkeypatch.setattr(streams, "_question_visible", question_visible)
    return state


async def test_checks_at_once_share_one_query_and_none_is_kept(queries) -> None:
    queries["release"] = asyncio.Event()
    waiting = [asyncio.create_task(streams._visible(AnonymousUser(), 7)) for _ in range(50)]
    await asyncio.sleep(0)
    queries["release"].set()
    assert await asyncio.gather(*waiting) == [True] * 50
    assert queries["calls"] == 1
    # Answered: the next subscription asks again and sees the question hidden now.
    queries["visible"] = False
    with pytest.raises(streams.Denied):
        await streams._authorise_question(AnonymousUser(), "7")
    assert queries["calls"] == 2


async def test_other_questions_and_members_get_queries_of_their_own(
    queries, django_user_model
) -> None:
    queries["release"] = asyncio.Event()
    queries["release"].set()
    member = django_user_model(pk=5, username="m5")
    await asyncio.gather(
        streams._visible(AnonymousUser(), 7),
        streams._visible(AnonymousUser(), 8),
        streams._visible(member, 7),
    )
    assert queries["calls"] == 3


async def test_a_subscriber_going_away_does_not_cancel_the_others_answer(queries) -> None:
    queries["release"] = asyncio.Event()
    first = asyncio.create_task(streams._visible(AnonymousUser(), 9))
    second = asyncio.create_task(streams._visible(AnonymousUser(), 9))
    await asyncio.sleep(0)
    first.cancel()
    await asyncio.sleep(0)
    queries["release"].set()
    assert await second is True
    assert first.cancelled()
    assert queries["calls"] == 1
