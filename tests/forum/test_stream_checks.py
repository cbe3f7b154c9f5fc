"""forum.streams: the visibility checks of subscriptions asked at once are answered
together, one query per member (or for anonymous viewers); nothing is remembered once
answered, and a subscriber going away does not cancel the answer the others wait for."""

from __future__ import annotations

import asyncio

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from forum import streams
from live.batching import CombinedReads
from tests.factories import QuestionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def queries(monkeypatch):
    """Replace the database query: each waits for `release`, answers `visible` for every
    question asked, and is recorded as (who asked, the questions asked)."""
    state = {"asked": [], "release": asyncio.Event(), "visible": True}

    async def questions_visible(user: object, pks: list[int]) -> dict[int, bool]:
        state["asked"].append((user, list(pks)))
        await state["release"].wait()
        return dict.fromkeys(pks, state["visible"])

    monkeypatch.setattr(streams, "_checks", CombinedReads(questions_visible))
    return state


async def test_checks_of_one_question_at_once_share_one_query_and_none_is_kept(queries):
    waiting = [asyncio.create_task(streams._visible(AnonymousUser(), 7)) for _ in range(50)]
    await asyncio.sleep(0)
    queries["release"].set()
    assert await asyncio.gather(*waiting) == [True] * 50
    assert len(queries["asked"]) == 1
    # Answered: the next subscription asks again and sees the question hidden now.
    queries["visible"] = False
    with pytest.raises(streams.Denied):
        await streams._authorise_question(AnonymousUser(), "7")
    assert len(queries["asked"]) == 2


async def test_other_questions_asked_meanwhile_go_together_in_the_next_query(queries):
    first = asyncio.create_task(streams._visible(AnonymousUser(), 7))
    await asyncio.sleep(0)
    others = [asyncio.create_task(streams._visible(AnonymousUser(), pk)) for pk in (8, 9, 7, 8)]
    await asyncio.sleep(0)
    queries["release"].set()
    assert await asyncio.gather(first, *others) == [True] * 5
    # 7 took the answer of the query in flight; 8 and 9 were asked after it began
    assert [pks for _user, pks in queries["asked"]] == [[7], [8, 9]]


async def test_members_get_queries_of_their_own_and_checks_asked_at_once_share_one(
    queries, django_user_model
):
    queries["release"].set()
    member = django_user_model(pk=5, username="m5")
    await asyncio.gather(
        streams._visible(AnonymousUser(), 7),
        streams._visible(AnonymousUser(), 8),
        streams._visible(member, 7),
    )
    groups = [(getattr(user, "pk", None), pks) for user, pks in queries["asked"]]
    assert sorted(groups, key=str) == sorted([(None, [7, 8]), (5, [7])], key=str)


async def test_a_subscriber_going_away_does_not_cancel_the_others_answer(queries):
    first = asyncio.create_task(streams._visible(AnonymousUser(), 9))
    second = asyncio.create_task(streams._visible(AnonymousUser(), 9))
    await asyncio.sleep(0)
    first.cancel()
    await asyncio.sleep(0)
    queries["release"].set()
    assert await second is True
    assert first.cancelled()
    assert len(queries["asked"]) == 1


@pytest.mark.django_db(transaction=True)
async def test_one_query_tells_visible_from_hidden_questions():
    visible, hidden, deleted = await asyncio.to_thread(
        lambda: [
            QuestionFactory(),
            QuestionFactory(hidden_at=timezone.now()),
            QuestionFactory(deleted_at=timezone.now()),
        ]
    )
    answers = await streams._questions_visible(
        AnonymousUser(), [visible.pk, hidden.pk, deleted.pk, 10**9]
    )
    assert answers == {visible.pk: True, hidden.pk: False, deleted.pk: False, 10**9: False}
