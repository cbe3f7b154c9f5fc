"""The `moderation` stream (advocates and staff): who may subscribe, what it carries
(ids, post keys and states, never a flag's note), catch-up with `since`, and that a
refused or rolled-back act publishes nothing."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied

from advocacy.services import flags as flag_services
from advocacy.services import moderation as moderation_services
from tests.factories import QuestionFactory, UserFactory
from tests.live.sockets import events, next_frame, run, subscribe

pytestmark = pytest.mark.django_db(transaction=True)

NOTE = "PRIVATE: the author is my ex"


@pytest.fixture
def flagged_question(db, helper):
    return QuestionFactory(author=helper, title="Cheap watches at my site")


@pytest.fixture
def flagger(db):
    return UserFactory(username="fiona", reputation=40)


@pytest.mark.parametrize(
    ("role", "reason"),
    [
        (None, "login_required"),
        ("customer", "forbidden"),
        ("helper", "forbidden"),
        ("revoked_advocate", "forbidden"),
        ("suspended_member", "forbidden"),
    ],
)
async def test_only_advocates_and_staff_may_subscribe(
    connect, role, reason, customer, helper, revoked_advocate, suspended_member
):
    members = {
        "customer": customer,
        "helper": helper,
        "revoked_advocate": revoked_advocate,
        "suspended_member": suspended_member,
    }
    member = members[role] if role else None
    socket = await connect(member)
    assert await subscribe(socket, "moderation") == {
        "type": "error",
        "stream": "moderation",
        "reason": reason,
    }
    assert (await subscribe(socket, "moderation.3"))["reason"] == "unknown_stream"


async def test_a_suspended_advocate_is_refused(connect, advocate):
    from datetime import timedelta

    from django.utils import timezone

    from forum.models import User

    await run(
        lambda **kw: User.objects.filter(pk=advocate.pk).update(
            suspended_until=timezone.now() + timedelta(days=1)
        )
    )
    socket = await connect(advocate)
    assert (await subscribe(socket, "moderation"))["reason"] == "forbidden"


@pytest.mark.parametrize("role", ["advocate", "staff", "manager"])
async def test_moderators_hear_flags_arrive_and_get_resolved(
    connect, role, flagged_question, flagger, advocate, staff, manager
):
    member = {"advocate": advocate, "staff": staff, "manager": manager}[role]
    socket = await connect(member)
    assert (await subscribe(socket, "moderation"))["type"] == "subscribed"

    flag = await run(
        flag_services.raise_flag, actor=flagger, post=flagged_question, reason="spam", note=NOTE
    )
    created = await next_frame(socket)
    await run(flag_services.resolve_flags, actor=member, flag=flag, action="dismiss")
    resolved = await next_frame(socket)

    assert created["stream"] == "moderation"
    assert created["type"] == "flag.created"
    assert created["data"] == {
        "id": flag.pk,
        "post": f"question:{flagged_question.pk}",
        "question": flagged_question.pk,
        "reason": "spam",
        "status": "open",
        "hidden": False,
    }
    assert NOTE not in str(created)
    assert resolved["type"] == "flag.resolved"
    assert resolved["data"]["flags"] == [flag.pk]
    assert resolved["data"]["status"] == "dismissed"
    assert resolved["id"] == created["id"] + 1


async def test_catch_up_with_since(connect, advocate, flagged_question, flagger):
    first = await run(flag_services.raise_flag, actor=flagger, post=flagged_question, reason="rude")
    socket = await connect(advocate)
    assert (await subscribe(socket, "moderation", since=0))["type"] == "subscribed"
    replayed = await events(socket, wait=0.3)
    assert [f["data"]["id"] for f in replayed if f["type"] == "flag.created"] == [first.pk]


async def test_a_refused_act_publishes_nothing(connect, advocate, customer, flagged_question):
    socket = await connect(advocate)
    assert (await subscribe(socket, "moderation"))["type"] == "subscribed"
    with pytest.raises(PermissionDenied):
        await run(
            moderation_services.claim_item,
            actor=customer,
            item=f"flags:question:{flagged_question.pk}",
        )
    assert await events(socket, wait=0.3) == []


async def test_the_public_question_stream_never_hears_flags(
    connect, customer, flagged_question, flagger
):
    socket = await connect(customer)
    assert (await subscribe(socket, f"question.{flagged_question.pk}"))["type"] == "subscribed"
    await run(
        flag_services.raise_flag,
        actor=flagger,
        post=flagged_question,
        reason="off_topic",
        note=NOTE,
    )
    assert [f for f in await events(socket, wait=0.3) if "flag" in f["type"]] == []
