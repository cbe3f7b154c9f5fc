"""Every subscription is authorised on the server; the protocol's replies."""

from __future__ import annotations

import pytest
from django.utils import timezone

from forum import services
from forum.models import Question
from live import streams
from live.streams import Denied
from tests.factories import QuestionFactory
from tests.live.sockets import events, next_frame, run, subscribe

pytestmark = pytest.mark.django_db(transaction=True)

ANSWER = "Dial *123# and follow the menu to top up."


@pytest.fixture
def deleted_question(customer):
    return QuestionFactory(author=customer, deleted_at=timezone.now())


async def test_anyone_may_subscribe_to_the_feed_and_a_visible_question(connect, question):
    socket = await connect()
    assert await subscribe(socket, "feed") == {"type": "subscribed", "stream": "feed", "last_id": 0}
    assert await subscribe(socket, f"question.{question.pk}") == {
        "type": "subscribed",
        "stream": f"question.{question.pk}",
        "last_id": 0,
    }


async def test_anonymous_may_not_subscribe_to_user(connect):
    socket = await connect()
    assert await subscribe(socket, "user") == {
        "type": "error",
        "stream": "user",
        "reason": "login_required",
    }


async def test_a_member_cannot_name_another_members_stream(
    connect, customer, other_customer, question
):
    # given bruno trying to listen to anna's private stream by its internal name
    socket = await connect(other_customer)
    assert await subscribe(socket, f"user.{customer.pk}") == {
        "type": "error",
        "stream": f"user.{customer.pk}",
        "reason": "forbidden",
    }
    # when anna gets a notification, bruno hears nothing
    await run(services.post_answer, actor=other_customer, question=question, body=ANSWER)
    assert await events(socket, wait=0.3) == []


async def test_user_stream_carries_only_the_members_own_notifications(
    connect, customer, other_customer, helper, question
):
    anna = await connect(customer)
    bruno = await connect(other_customer)
    assert (await subscribe(anna, "user"))["type"] == "subscribed"
    assert (await subscribe(bruno, "user"))["type"] == "subscribed"
    answer = await run(services.post_answer, actor=helper, question=question, body=ANSWER)
    frame = await next_frame(anna)
    assert frame["stream"] == "user"
    assert frame["type"] == "notification.created"
    assert frame["data"]["answer"] == answer.pk
    assert await events(bruno, wait=0.3) == []


async def test_another_members_deleted_question_is_not_found(
    connect, other_customer, deleted_question
):
    socket = await connect(other_customer)
    assert await subscribe(socket, f"question.{deleted_question.pk}") == {
        "type": "error",
        "stream": f"question.{deleted_question.pk}",
        "reason": "not_found",
    }


async def test_anonymous_cannot_subscribe_to_a_deleted_question(connect, deleted_question):
    socket = await connect()
    reply = await subscribe(socket, f"question.{deleted_question.pk}")
    assert reply["reason"] == "not_found"


async def test_the_author_and_moderators_still_see_a_deleted_question(
    connect, customer, staff, deleted_question
):
    for member in (customer, staff):
        socket = await connect(member)
        reply = await subscribe(socket, f"question.{deleted_question.pk}")
        assert reply["type"] == "subscribed"


async def test_a_question_that_does_not_exist_is_not_found(connect):
    missing = await run(
        lambda: (Question.objects.order_by("-pk").values_list("pk").first() or [0])[0]
    )
    socket = await connect()
    reply = await subscribe(socket, f"question.{missing + 1000}")
    assert reply["reason"] == "not_found"


@pytest.mark.parametrize(
    "name",
    ["bogus", "question", "question.abc", "question.-1", "FEED", "feed.1", "desks", "", "q" * 300],
)
async def test_unknown_streams_are_refused(connect, name):
    socket = await connect()
    reply = await subscribe(socket, name)
    assert reply["type"] == "error"
    assert reply["reason"] == "unknown_stream"
    assert reply["stream"] == (name if len(name) <= 100 else None)


@pytest.mark.parametrize("name", [12, None, ["feed"], {"a": 1}, True])
async def test_a_stream_name_must_be_a_string(connect, name):
    socket = await connect()
    await socket.send_json_to({"action": "subscribe", "stream": name})
    assert await socket.receive_json_from(timeout=5) == {
        "type": "error",
        "stream": None,
        "reason": "unknown_stream",
    }


@pytest.mark.parametrize("since", ["3", -1, 1.5, True, [1]])
async def test_since_must_be_a_non_negative_integer(connect, since):
    socket = await connect()
    await socket.send_json_to({"action": "subscribe", "stream": "feed", "since": since})
    assert await socket.receive_json_from(timeout=5) == {
        "type": "error",
        "stream": "feed",
        "reason": "bad_since",
    }


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("not json", "bad_message"),
        ("[1, 2]", "bad_message"),
        ('"subscribe"', "bad_message"),
        ("[" * 3000 + "]" * 3000, "message_too_large"),
        ('{"action": "dance"}', "unknown_action"),
        ("{}", "unknown_action"),
    ],
)
async def test_malformed_messages_get_an_error(connect, settings, text, reason):
    settings.LIVE_MAX_MESSAGE_BYTES = 4096
    socket = await connect()
    await socket.send_to(text_data=text)
    assert (await socket.receive_json_from(timeout=5))["reason"] == reason


async def test_deeply_nested_json_within_the_size_limit_is_a_bad_message(connect, settings):
    settings.LIVE_MAX_MESSAGE_BYTES = 100_000
    socket = await connect()
    await socket.send_to(text_data="[" * 50_000 + "]" * 50_000)
    assert (await socket.receive_json_from(timeout=5))["reason"] == "bad_message"


async def test_unsubscribe_stops_the_frames(connect, customer):
    socket = await connect()
    await subscribe(socket, "feed")
    await socket.send_json_to({"action": "unsubscribe", "stream": "feed"})
    assert await socket.receive_json_from(timeout=5) == {"type": "unsubscribed", "stream": "feed"}
    await run(
        services.ask_question,
        actor=customer,
        title="Roaming does not work in France",
        body="Since yesterday my phone shows no service in Paris.",
        tags=["roaming"],
    )
    assert await events(socket, wait=0.3) == []


async def test_unsubscribing_from_a_stream_not_subscribed(connect):
    socket = await connect()
    await socket.send_json_to({"action": "unsubscribe", "stream": "feed"})
    assert await socket.receive_json_from(timeout=5) == {
        "type": "error",
        "stream": "feed",
        "reason": "not_subscribed",
    }


async def test_subscribing_twice_is_one_subscription(connect, customer):
    socket = await connect()
    await subscribe(socket, "feed")
    await subscribe(socket, "feed")
    await run(
        services.ask_question,
        actor=customer,
        title="Roaming does not work in France",
        body="Since yesterday my phone shows no service in Paris.",
        tags=["roaming"],
    )
    assert [f["type"] for f in await events(socket)] == ["question.created"]


# The registry of stream authorisers (desk, moderation) ---------------------------------------


@pytest.fixture
def desk_stream():
    async def authorise_desk(user, arg):
        if arg is not None:
            raise Denied("unknown_stream")
        if not user.is_authenticated or not user.is_staff:
            raise Denied("forbidden")
        return "desk"

    streams.register("desk", authorise_desk)
    yield
    streams.unregister("desk")


async def test_a_registered_stream_is_authorised_by_its_hook(
    connect, desk_stream, staff, customer, question
):
    staff_socket = await connect(staff)
    customer_socket = await connect(customer)
    assert (await subscribe(staff_socket, "desk"))["type"] == "subscribed"
    assert await subscribe(customer_socket, "desk") == {
        "type": "error",
        "stream": "desk",
        "reason": "forbidden",
    }

    def escalate() -> None:
        from live.events import publish

        publish("desk", "escalation.created", {"id": 1, "question": question.pk})

    await run(escalate)
    assert await next_frame(staff_socket) == {
        "id": 1,
        "stream": "desk",
        "type": "escalation.created",
        "data": {"id": 1, "question": question.pk},
    }
    assert await events(customer_socket, wait=0.3) == []


def test_a_stream_prefix_must_be_a_plain_word():
    async def anyone(user, arg):
        return "x"

    with pytest.raises(ValueError, match="Bad stream prefix"):
        streams.register("desk.1", anyone)


@pytest.fixture
def staff_room():
    streams.register_for_members("staffroom", lambda member: member.is_staff)
    yield
    streams.unregister("staffroom")


async def test_a_members_stream_reads_the_member_again(connect, staff_room, staff, customer):
    # given a member of staff and a customer, both logged in
    staff_socket = await connect(staff)
    second_staff_socket = await connect(staff)
    customer_socket = await connect(customer)
    anonymous_socket = await connect()

    assert (await subscribe(staff_socket, "staffroom"))["type"] == "subscribed"
    assert (await subscribe(customer_socket, "staffroom"))["reason"] == "forbidden"
    assert (await subscribe(anonymous_socket, "staffroom"))["reason"] == "login_required"
    assert (await subscribe(staff_socket, "staffroom.1"))["reason"] == "unknown_stream"

    # when the staff member loses the role while a socket is open, that socket's next
    # subscription is refused: the row is read again, not the socket's copy of the member
    def demote() -> None:
        type(staff).objects.filter(pk=staff.pk).update(is_staff=False)

    await run(demote)
    assert (await subscribe(second_staff_socket, "staffroom"))["reason"] == "forbidden"
