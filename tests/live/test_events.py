"""Services publish after commit: every stream and event type reaches its subscribers."""

from __future__ import annotations

import json

import pytest
from django.core.exceptions import PermissionDenied
from django.db import transaction

from forum import services
from live import events
from live.backlog import get_backlog
from live.consumers import LiveConsumer
from tests.factories import AnswerFactory, CommentFactory
from tests.live.sockets import events as received
from tests.live.sockets import next_frame, run, subscribe

pytestmark = pytest.mark.django_db(transaction=True)

ANSWER = "Dial *123# and follow the menu to top up."


@pytest.fixture
def answer(question, other_customer):
    return AnswerFactory(question=question, author=other_customer, body=ANSWER)


async def watch(connect, stream: str, user=None):
    socket = await connect(user)
    reply = await subscribe(socket, stream)
    assert reply["type"] == "subscribed", reply
    await received(socket)  # the initial presence frame of a question stream
    return socket


async def test_asking_a_question_sends_question_created_to_the_feed(connect, customer):
    # given an anonymous visitor watching the feed
    feed = await watch(connect, "feed")
    # when a member asks a question
    question = await run(
        services.ask_question,
        actor=customer,
        title="Roaming does not work in France",
        body="Since yesterday my phone shows no service in Paris.",
        tags=["roaming", "sim"],
    )
    # then the feed hears of it, with the id the page needs to fetch the row
    assert await next_frame(feed) == {
        "id": 1,
        "stream": "feed",
        "type": "question.created",
        "data": {
            "id": question.pk,
            "author": "anna",
            "category": None,
            "tags": ["roaming", "sim"],
        },
    }


async def test_editing_a_question_sends_question_updated_to_feed_and_question(
    connect, customer, question
):
    feed = await watch(connect, "feed")
    page = await watch(connect, f"question.{question.pk}")
    await run(
        services.edit_question,
        actor=customer,
        question=question,
        title="How do I top up my SIM card abroad?",
        body=question.body,
        tags=["sim"],
        category=None,
    )
    expected = {"type": "question.updated", "data": {"id": question.pk}}
    assert await next_frame(feed) == {"id": 1, "stream": "feed", **expected}
    assert await next_frame(page) == {"id": 1, "stream": f"question.{question.pk}", **expected}


async def test_posting_an_answer_sends_answer_created(connect, question, other_customer):
    page = await watch(connect, f"question.{question.pk}")
    answer = await run(services.post_answer, actor=other_customer, question=question, body=ANSWER)
    assert await next_frame(page) == {
        "id": 1,
        "stream": f"question.{question.pk}",
        "type": "answer.created",
        "data": {"id": answer.pk, "question": question.pk, "author": "bruno"},
    }


async def test_editing_and_deleting_an_answer(connect, question, answer, other_customer):
    page = await watch(connect, f"question.{question.pk}")
    await run(services.edit_answer, actor=other_customer, answer=answer, body=ANSWER + " Or call.")
    await run(services.delete_answer, actor=other_customer, answer=answer)
    data = {"id": answer.pk, "question": question.pk}
    assert await received(page) == [
        {"id": 1, "stream": f"question.{question.pk}", "type": "answer.updated", "data": data},
        {"id": 2, "stream": f"question.{question.pk}", "type": "answer.deleted", "data": data},
    ]


async def test_deleting_the_accepted_answer_also_unaccepts_it(
    connect, customer, question, answer, staff
):
    await run(services.accept_answer, actor=customer, answer=answer)
    page = await watch(connect, f"question.{question.pk}")
    await run(services.delete_answer, actor=staff, answer=answer)
    assert [(f["type"], f["data"]["id"]) for f in await received(page)] == [
        ("answer.unaccepted", answer.pk),
        ("answer.deleted", answer.pk),
    ]


async def test_accepting_and_unaccepting(connect, customer, question, answer):
    page = await watch(connect, f"question.{question.pk}")
    await run(services.accept_answer, actor=customer, answer=answer)
    await run(services.accept_answer, actor=customer, answer=answer)  # no change: no event
    await run(services.unaccept_answer, actor=customer, answer=answer)
    data = {"id": answer.pk, "question": question.pk}
    assert [(f["id"], f["type"], f["data"]) for f in await received(page)] == [
        (1, "answer.accepted", {**data, "on_behalf": False}),
        (2, "answer.unaccepted", data),
    ]


async def test_comments_on_question_and_answer(connect, question, answer, customer, helper):
    page = await watch(connect, f"question.{question.pk}")
    on_question = await run(
        services.post_comment, actor=helper, post=question, body="Which phone is it?"
    )
    on_answer = await run(services.post_comment, actor=customer, post=answer, body="Thanks, trying")
    await run(services.delete_comment, actor=helper, comment=on_question)
    assert [(f["type"], f["data"]) for f in await received(page)] == [
        (
            "comment.created",
            {
                "id": on_question.pk,
                "question": question.pk,
                "post": "question",
                "post_id": question.pk,
                "author": "carla",
            },
        ),
        (
            "comment.created",
            {
                "id": on_answer.pk,
                "question": question.pk,
                "post": "answer",
                "post_id": answer.pk,
                "author": "anna",
            },
        ),
        (
            "comment.deleted",
            {
                "id": on_question.pk,
                "question": question.pk,
                "post": "question",
                "post_id": question.pk,
            },
        ),
    ]


async def test_deleting_a_comment_on_an_answer(connect, question, answer, helper):
    comment = await run(CommentFactory, question=None, answer=answer, author=helper)
    page = await watch(connect, f"question.{question.pk}")
    await run(services.delete_comment, actor=helper, comment=comment)
    assert [(f["type"], f["data"]) for f in await received(page)] == [
        (
            "comment.deleted",
            {"id": comment.pk, "question": question.pk, "post": "answer", "post_id": answer.pk},
        )
    ]


async def test_votes_send_the_new_score(connect, question, answer, helper, customer):
    page = await watch(connect, f"question.{question.pk}")
    await run(services.cast_vote, actor=helper, post=question, value=1)
    await run(services.cast_vote, actor=helper, post=question, value=1)  # the same: no event
    await run(services.cast_vote, actor=helper, post=answer, value=-1)
    await run(services.cast_vote, actor=customer, post=answer, value=1)
    await run(services.cast_vote, actor=helper, post=answer, value=0)
    assert [f["data"] for f in await received(page) if f["type"] == "vote.changed"] == [
        {"target": "question", "id": question.pk, "score": 1},
        {"target": "answer", "id": answer.pk, "score": -1},
        {"target": "answer", "id": answer.pk, "score": 0},
        {"target": "answer", "id": answer.pk, "score": 1},
    ]


async def test_closing_reopening_locking_and_deleting_a_question(connect, question, staff):
    feed = await watch(connect, "feed")
    page = await watch(connect, f"question.{question.pk}")
    await run(services.close_question, actor=staff, question=question, reason="off_topic")
    await run(services.reopen_question, actor=staff, question=question)
    await run(services.set_question_lock, actor=staff, question=question, locked=True)
    await run(services.delete_question, actor=staff, question=question)
    assert [(f["id"], f["type"], f["data"]) for f in await received(page)] == [
        (1, "question.closed", {"id": question.pk, "reason": "off_topic", "duplicate_of": None}),
        (2, "question.updated", {"id": question.pk}),
        (3, "question.updated", {"id": question.pk}),
        (4, "question.updated", {"id": question.pk}),
    ]
    assert [(f["id"], f["type"]) for f in await received(feed)] == [
        (1, "question.updated"),
        (2, "question.updated"),
        (3, "question.updated"),
    ]


async def test_a_rolled_back_write_publishes_nothing(connect, question, other_customer):
    page = await watch(connect, f"question.{question.pk}")

    def answer_then_fail() -> None:
        with transaction.atomic():
            services.post_answer(actor=other_customer, question=question, body=ANSWER)
            raise RuntimeError("the request failed after the service")

    with pytest.raises(RuntimeError):
        await run(answer_then_fail)
    assert await received(page, wait=0.3) == []
    assert await get_backlog().alast_id(f"question.{question.pk}") == 0


async def test_a_refused_write_publishes_nothing(connect, question, customer):
    page = await watch(connect, f"question.{question.pk}")
    with pytest.raises(PermissionDenied):
        await run(services.cast_vote, actor=customer, post=question, value=1)  # own question
    assert await received(page, wait=0.3) == []


async def test_a_frame_is_encoded_once_for_all_its_subscribers(
    connect, question, other_customer, monkeypatch
):
    # given three sockets on the question
    sockets = [await watch(connect, f"question.{question.pk}") for _ in range(3)]
    for socket in sockets:
        await received(socket)  # presence: the others joined
    encodes = []
    real_dumps = json.dumps

    class CountingJson:
        @staticmethod
        def dumps(*args, **kwargs):
            encodes.append((args[0]["stream"], args[0]["type"]))
            return real_dumps(*args, **kwargs)

    monkeypatch.setattr(events, "json", CountingJson)
    monkeypatch.setattr(
        LiveConsumer, "encode_json", lambda *a: pytest.fail("a live frame was re-encoded")
    )
    # when an answer is posted
    await run(services.post_answer, actor=other_customer, question=question, body=ANSWER)
    # then each socket gets the same text, encoded once (other encodes are the asker's
    # notification and the like, on their own streams)
    texts = [(await s.receive_output(timeout=5))["text"] for s in sockets]
    assert [e for e in encodes if e[0] == f"question.{question.pk}"] == [
        (f"question.{question.pk}", "answer.created")
    ]
    assert len(set(texts)) == 1
    assert json.loads(texts[0])["type"] == "answer.created"


async def test_ids_increase_per_stream(connect, question, other_customer, helper):
    page = await watch(connect, f"question.{question.pk}")
    feed = await watch(connect, "feed")
    await run(services.post_answer, actor=other_customer, question=question, body=ANSWER)
    await run(services.cast_vote, actor=helper, post=question, value=1)
    await run(
        services.ask_question,
        actor=helper,
        title="Which APN for MMS on Android?",
        body="MMS fail to download since I changed phone.",
        tags=["mms"],
    )
    assert [f["id"] for f in await received(page)] == [1, 2]
    assert [f["id"] for f in await received(feed)] == [1]


def test_publish_refuses_a_stream_name_that_is_not_a_group_name():
    with pytest.raises(ValueError, match="Bad stream"):
        events.publish("question 12", "answer.created", {})
