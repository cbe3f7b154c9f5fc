"""The staff-only `desk` stream: who may subscribe, what it carries (ids and states,
never an internal note), catch-up with `since`, and that the public question stream and
the members' bells never hear a note."""

from __future__ import annotations

import pytest

from advocacy.services import escalations
from tests.factories import UserFactory
from tests.live.sockets import events, expect_events, next_frame, run, subscribe

pytestmark = pytest.mark.django_db(transaction=True)

NOTE = "INTERNAL: the customer's account is flagged for fraud"


@pytest.mark.parametrize(
    ("role", "reason"),
    [
        (None, "login_required"),
        ("customer", "forbidden"),
        ("helper", "forbidden"),
        ("advocate", "forbidden"),
        ("revoked_advocate", "forbidden"),
    ],
)
async def test_only_staff_may_subscribe(
    connect, role, reason, customer, helper, advocate, revoked_advocate
):
    members = {
        "customer": customer,
        "helper": helper,
        "advocate": advocate,
        "revoked_advocate": revoked_advocate,
    }
    member = members[role] if role else None
    socket = await connect(member)

    assert await subscribe(socket, "desk") == {"type": "error", "stream": "desk", "reason": reason}
    assert await subscribe(socket, "desk.1") == {
        "type": "error",
        "stream": "desk.1",
        "reason": "unknown_stream",
    }


@pytest.mark.parametrize("role", ["staff", "manager"])
async def test_staff_hear_escalations_arrive_and_change(
    connect, role, advocate, question, staff, manager
):
    member = {"staff": staff, "manager": manager}[role]
    socket = await connect(member)
    assert (await subscribe(socket, "desk"))["type"] == "subscribed"

    escalation = await run(
        escalations.escalate_question,
        actor=advocate,
        question=question,
        reason="Charged twice",
        priority="urgent",
    )
    created = await next_frame(socket)
    await run(escalations.claim_escalation, actor=member, escalation=escalation)
    claimed = await next_frame(socket)

    assert created["stream"] == "desk"
    assert created["type"] == "escalation.created"
    assert created["data"] == {
        "id": escalation.pk,
        "question": question.pk,
        "status": "open",
        "priority": "urgent",
        "assignee": None,
        "change": "created",
    }
    assert claimed["type"] == "escalation.updated"
    assert claimed["data"]["assignee"] == member.username
    assert claimed["data"]["status"] == "in_progress"
    assert claimed["id"] == created["id"] + 1


async def test_a_note_reaches_no_socket_with_its_text(connect, staff, advocate, customer, question):
    escalation = await run(
        escalations.escalate_question, actor=advocate, question=question, reason="r", priority="low"
    )
    desk = await connect(staff)
    await subscribe(desk, "desk")
    thread = await connect(customer)
    await subscribe(thread, f"question.{question.pk}")
    await subscribe(thread, "user")
    watcher = await connect(advocate)
    await subscribe(watcher, "user")
    await subscribe(watcher, f"question.{question.pk}")

    note = await run(escalations.add_note, actor=staff, escalation=escalation, body=NOTE)

    [frame] = await expect_events(desk, 1)
    assert frame["type"] == "escalation.updated"
    assert frame["data"]["change"] == "note"
    assert NOTE not in str(frame)
    assert note.body == NOTE
    assert await events(thread, wait=0.3) == []
    assert await events(watcher, wait=0.1) == []


async def test_the_flow_on_the_public_streams_never_carries_a_note(
    connect, staff, advocate, customer, question
):
    escalation = await run(
        escalations.escalate_question, actor=advocate, question=question, reason="r", priority="low"
    )
    thread = await connect(customer)
    await subscribe(thread, f"question.{question.pk}")
    await subscribe(thread, "user")

    await run(escalations.add_note, actor=staff, escalation=escalation, body=NOTE)
    answer = await run(
        escalations.post_official_answer,
        actor=staff,
        escalation=escalation,
        body="We refunded you today.",
    )
    await run(escalations.resolve_escalation, actor=staff, escalation=escalation, resolution="Ok")

    frames = await expect_events(thread, 3)
    assert sorted((f["stream"], f["type"]) for f in frames) == [
        (f"question.{question.pk}", "answer.created"),
        ("user", "notification.created"),
        ("user", "notification.created"),
    ]
    [created] = [f for f in frames if f["type"] == "answer.created"]
    assert created["data"]["id"] == answer.pk
    texts = [f["data"].get("text") for f in frames if f["stream"] == "user"]
    assert any(t and "resolved your question" in t for t in texts)
    assert NOTE not in str(frames)
    assert "INTERNAL" not in str(frames)


async def test_a_staff_member_catches_up_with_since(connect, staff, advocate, customer):
    from tests.factories import QuestionFactory

    questions = [await run(QuestionFactory, author=customer) for _ in range(3)]
    for q in questions:
        await run(
            escalations.escalate_question, actor=advocate, question=q, reason="r", priority="low"
        )

    socket = await connect(staff)
    reply = await subscribe(socket, "desk", since=1)
    replayed = await events(socket, wait=0.3)

    assert reply == {"type": "subscribed", "stream": "desk", "last_id": 3}
    assert [f["id"] for f in replayed] == [2, 3]
    assert {f["data"]["question"] for f in replayed} == {questions[1].pk, questions[2].pk}


async def test_a_denied_subscription_hears_nothing(connect, customer, advocate, question):
    socket = await connect(customer)
    await subscribe(socket, "desk")

    await run(
        escalations.escalate_question, actor=advocate, question=question, reason="r", priority="low"
    )

    assert await events(socket, wait=0.3) == []


async def test_a_deactivated_agent_is_refused(connect):
    gone = await run(UserFactory, username="ex-agent", is_staff=True, is_active=False)
    socket = await connect(gone)

    reply = await subscribe(socket, "desk")

    assert reply["type"] == "error"
