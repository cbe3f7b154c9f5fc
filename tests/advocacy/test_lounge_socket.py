"""The live layer keeps the lounge private: its threads' streams and the `lounge` list
stream are for moderators only, and a lounge question never reaches the public feed."""

from __future__ import annotations

import pytest
from channels.db import database_sync_to_async

from forum import services
from tests.factories import CategoryFactory, QuestionFactory
from tests.live.sockets import communicator, events, expect_events, subscribe

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def lounge():
    # Transactional tests flush the tables, so the migration's lounge is gone: make one.
    return CategoryFactory(name="Lounge", slug="lounge-test", is_private=True)


@pytest.fixture
def lounge_question(advocate, lounge):
    return QuestionFactory(author=advocate, category=lounge, title="Lounge thread title here")


@pytest.fixture
def member(request):
    return None if request.param == "anonymous" else request.getfixturevalue(request.param)


async def _open(user=None):  # noqa: ANN001, ANN202
    socket = await communicator(user)
    connected, _code = await socket.connect(timeout=5)
    assert connected
    return socket


@pytest.mark.parametrize(
    ("member", "question_reply", "lounge_reply"),
    [
        ("anonymous", "not_found", "login_required"),
        ("customer", "not_found", "forbidden"),
        ("helper", "not_found", "forbidden"),
        ("revoked_advocate", "not_found", "forbidden"),
        ("advocate", "subscribed", "subscribed"),
        ("staff", "subscribed", "subscribed"),
        ("manager", "subscribed", "subscribed"),
    ],
    indirect=["member"],
)
async def test_subscriptions_by_role(member, question_reply, lounge_reply, lounge_question):
    socket = await _open(member)
    try:
        reply = await subscribe(socket, f"question.{lounge_question.pk}")
        assert reply.get("reason", reply["type"]) == question_reply
        reply = await subscribe(socket, "lounge")
        assert reply.get("reason", reply["type"]) == lounge_reply
    finally:
        await socket.disconnect(timeout=5)


async def test_a_lounge_question_reaches_the_lounge_stream_and_not_the_feed(
    advocate, staff, lounge
):
    outsider = await _open()
    insider = await _open(staff)
    try:
        assert (await subscribe(outsider, "feed"))["type"] == "subscribed"
        assert (await subscribe(insider, "lounge"))["type"] == "subscribed"
        question = await database_sync_to_async(services.ask_question)(
            actor=advocate,
            category=lounge,
            title="A private question for staff",
            body="Only advocates and staff should hear of this one.",
            tags="sim",
        )
        heard = await expect_events(insider, 1)
        assert [(f["stream"], f["type"], f["data"]["id"]) for f in heard] == [
            ("lounge", "question.created", question.pk)
        ]
        assert await events(outsider, wait=0.3) == []
    finally:
        await outsider.disconnect(timeout=5)
        await insider.disconnect(timeout=5)
