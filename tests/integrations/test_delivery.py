"""Webhook deliveries: signed (verified by the real `standardwebhooks` package), sent by
the worker after commit, retried with back-off, the endpoint disabled after repeated
failure, the SSRF guard at each delivery, nothing private in any payload."""

from __future__ import annotations

import json
import socket
import threading
from datetime import UTC, datetime, timedelta
from unittest import mock

import pytest
from django.db import transaction
from standardwebhooks import Webhook

from advocacy.services import escalations
from advocacy.services.flags import raise_flag
from advocacy.services.programme import approve_advocate, revoke_advocate
from forum import services as forum
from forum.models import Notification
from gamification.rewards import services as rewards
from gamification.rewards.models import Reward, RewardAccount
from integrations import delivery as deliveries
from integrations import dispatch, services, ssrf, transport
from integrations.models import EVENT_TYPES, Delivery, Endpoint
from integrations.tasks import retry_due_deliveries
from tests.advocacy.tasks_support import DATABASE_TASKS, run_queued_tasks
from tests.factories import CategoryFactory, QuestionFactory
from tests.integrations.receiver import start_receiver

T0 = datetime(2026, 3, 28, 23, 0, tzinfo=UTC)  # the night before Europe's clocks change


def verified(endpoint: Endpoint, request) -> dict:  # noqa: ANN001
    """The request's JSON, after the receiver-side check of the real package."""
    return Webhook(endpoint.secret).verify(request.body, request.headers)


# Signed, after commit ---------------------------------------------------------------------


def test_an_answer_is_delivered_signed_after_commit(
    endpoint, receiver, customer, helper, django_capture_on_commit_callbacks
):
    question = QuestionFactory(author=customer)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        answer = forum.post_answer(actor=helper, question=question, body="Restart the router.")
    # Inside the request (before commit) the delivery is recorded but nothing is sent.
    delivery = Delivery.objects.get(event="answer.created")
    assert (delivery.status, delivery.attempts) == ("pending", 0)
    assert receiver.requests == []

    for callback in callbacks:
        callback()

    (request,) = receiver.wait_for(1)
    event = verified(endpoint, request)
    assert event["type"] == "answer.created"
    assert event["data"] == {
        "id": answer.pk,
        "url": f"http://127.0.0.1:8000/q/{question.pk}/#answer-{answer.pk}",
        "question_id": question.pk,
        "question_url": f"http://127.0.0.1:8000/q/{question.pk}/",
        "is_official": False,
        "author": {
            "id": helper.pk,
            "username": "carla",
            "name": "Carla Verdi",
            "url": "http://127.0.0.1:8000/u/carla/",
        },
        "created_at": answer.created_at.isoformat(),
    }
    assert request.headers["webhook-id"] == delivery.message_id
    assert request.headers["content-type"] == "application/json"
    assert request.path == "/hooks"
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.response_code) == ("succeeded", 1, 200)


def test_a_forged_or_replayed_request_does_not_verify(
    endpoint, receiver, customer, helper, django_capture_on_commit_callbacks
):
    from standardwebhooks.webhooks import WebhookVerificationError

    with django_capture_on_commit_callbacks(execute=True):
        forum.post_answer(
            actor=helper, question=QuestionFactory(author=customer), body="Yes, restart the router."
        )
    (request,) = receiver.wait_for(1)
    with pytest.raises(WebhookVerificationError):
        Webhook(endpoint.secret).verify(request.body.replace(b"carla", b"mallory"), request.headers)
    other = Webhook("whsec_" + "A" * 43 + "=")
    with pytest.raises(WebhookVerificationError):
        other.verify(request.body, request.headers)


def test_a_rolled_back_act_records_and_sends_nothing(
    endpoint, receiver, customer, helper, django_capture_on_commit_callbacks
):
    question = QuestionFactory(author=customer)

    def answer_then_fail() -> None:
        with transaction.atomic():
            forum.post_answer(actor=helper, question=question, body="Restart it, please.")
            raise RuntimeError("the request failed after the answer")

    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError):
        answer_then_fail()
    assert not Delivery.objects.exists()
    assert receiver.requests == []


def test_only_subscribed_active_endpoints_get_an_event(
    manager, receiver, customer, helper, django_capture_on_commit_callbacks
):
    questions_only = services.create_endpoint(
        actor=manager, url=receiver.url, events=["question.created"]
    )
    answers = services.create_endpoint(actor=manager, url=receiver.url, events=["answer.created"])
    disabled = services.create_endpoint(actor=manager, url=receiver.url, events=["answer.created"])
    services.update_endpoint(actor=manager, endpoint=disabled, is_active=False)

    with django_capture_on_commit_callbacks(execute=True):
        forum.post_answer(
            actor=helper, question=QuestionFactory(author=customer), body="Yes, restart the router."
        )

    assert list(Delivery.objects.values_list("endpoint_id", "event")) == [
        (answers.pk, "answer.created")
    ]
    assert questions_only.deliveries.count() == 0


def test_emitting_with_no_subscriber_costs_no_query_once_cached(
    manager, customer, django_assert_num_queries
):
    question = QuestionFactory(author=customer)
    dispatch.active_subscriptions()  # warm
    with django_assert_num_queries(0):
        assert dispatch.emit("question.created", question) == []


# Retries ----------------------------------------------------------------------------------


def test_a_receiver_answering_500_then_200_gets_the_same_message_again(
    allow_private, manager, customer, helper, django_capture_on_commit_callbacks, time_machine
):
    receiver, server = start_receiver([500, 200])
    try:
        endpoint = services.create_endpoint(
            actor=manager, url=receiver.url, events=["answer.created"]
        )
        time_machine.move_to(T0, tick=False)
        with django_capture_on_commit_callbacks(execute=True):
            forum.post_answer(
                actor=helper,
                question=QuestionFactory(author=customer),
                body="Restart the router please.",
            )
        delivery = Delivery.objects.get()
        assert (delivery.status, delivery.attempts, delivery.response_code) == ("pending", 1, 500)
        assert delivery.last_error == "HTTP 500"
        assert delivery.next_attempt_at == T0 + timedelta(seconds=5)

        time_machine.move_to(T0 + timedelta(seconds=4), tick=False)
        assert retry_due_deliveries.call() == 0  # not due yet
        time_machine.move_to(T0 + timedelta(seconds=5), tick=False)
        with django_capture_on_commit_callbacks(execute=True):
            assert retry_due_deliveries.call() == 1

        first, second = receiver.wait_for(2)
        assert verified(endpoint, first) == verified(endpoint, second)
        assert first.headers["webhook-id"] == second.headers["webhook-id"]
        assert (
            int(second.headers["webhook-timestamp"]) - int(first.headers["webhook-timestamp"]) == 5
        )
        delivery.refresh_from_db()
        assert (delivery.status, delivery.attempts, delivery.response_code) == (
            "succeeded",
            2,
            200,
        )
        endpoint.refresh_from_db()
        assert endpoint.consecutive_failures == 0
    finally:
        server.shutdown()
        server.server_close()


def test_retries_back_off_over_17_hours_then_the_endpoint_is_disabled_and_managers_told(
    allow_private,
    manager,
    customer,
    helper,
    settings,
    django_capture_on_commit_callbacks,
    time_machine,
):
    """The real database task backend and worker: each retry is a task with run_after."""
    settings.TASKS = DATABASE_TASKS
    receiver, server = start_receiver([503])
    try:
        endpoint = services.create_endpoint(
            actor=manager, url=receiver.url, events=["answer.created"]
        )
        time_machine.move_to(T0, tick=False)
        with django_capture_on_commit_callbacks(execute=True):
            forum.post_answer(
                actor=helper,
                question=QuestionFactory(author=customer),
                body="Restart the router please.",
            )
        assert receiver.requests == []  # queued, not sent in the request

        schedule = [timedelta(0)]
        for delay in deliveries.RETRY_DELAYS:
            schedule.append(schedule[-1] + delay)
        assert len(schedule) == 7 >= 6
        assert schedule[-1] == timedelta(hours=17, minutes=35, seconds=5) >= timedelta(hours=8)

        for n, offset in enumerate(schedule, start=1):
            if offset:
                time_machine.move_to(T0 + offset - timedelta(seconds=1), tick=False)
                with django_capture_on_commit_callbacks(execute=True):
                    run_queued_tasks()
                assert len(receiver.requests) == n - 1, "a retry ran early"
            time_machine.move_to(T0 + offset, tick=False)
            with django_capture_on_commit_callbacks(execute=True):
                run_queued_tasks()
            assert len(receiver.wait_for(n)) == n

        delivery = Delivery.objects.get()
        assert (delivery.status, delivery.attempts, delivery.response_code) == ("failed", 7, 503)
        assert delivery.next_attempt_at is None
        endpoint.refresh_from_db()
        assert endpoint.is_active is False
        assert endpoint.disabled_at == T0 + schedule[-1]
        notice = Notification.objects.get(recipient=manager)
        assert notice.data["params"] == {"url": receiver.url, "failures": 7}
        assert notice.link == f"/admin/integrations/endpoint/{endpoint.pk}/change/"

        # Disabled: a new answer records nothing for it and the worker sends nothing more.
        with django_capture_on_commit_callbacks(execute=True):
            forum.post_answer(
                actor=helper,
                question=QuestionFactory(author=customer),
                body="Another answer for you.",
            )
            run_queued_tasks()
        assert Delivery.objects.count() == 1
        assert len(receiver.requests) == 7
    finally:
        server.shutdown()
        server.server_close()


def test_manual_retry_of_a_failed_delivery_sends_it_again(
    endpoint, receiver, manager, django_capture_on_commit_callbacks
):
    failed = Delivery.objects.create(
        endpoint=endpoint,
        event="webhook.test",
        body='{"type":"webhook.test"}',
        status="failed",
        attempts=7,
        response_code=500,
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.retry_delivery(actor=manager, delivery=failed)
    (request,) = receiver.wait_for(1)
    assert verified(endpoint, request) == {"type": "webhook.test"}
    failed.refresh_from_db()
    assert (failed.status, failed.attempts, failed.response_code) == ("succeeded", 8, 200)


def test_a_redirect_is_a_failure_and_is_not_followed(
    allow_private, manager, django_capture_on_commit_callbacks
):
    receiver, server = start_receiver([302])
    try:
        endpoint = services.create_endpoint(
            actor=manager, url=receiver.url, events=["answer.created"]
        )
        with django_capture_on_commit_callbacks(execute=True):
            services.send_test_event(actor=manager, endpoint=endpoint)
        delivery = Delivery.objects.get()
        assert (delivery.status, delivery.response_code, delivery.last_error) == (
            "pending",
            302,
            "HTTP 302",
        )
        assert len(receiver.requests) == 1
    finally:
        server.shutdown()
        server.server_close()


def test_a_receiver_that_never_answers_times_out():
    assert transport.TIMEOUT_SECONDS == 10
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)
    accepted: list[socket.socket] = []
    thread = threading.Thread(target=lambda: accepted.append(listener.accept()[0]), daemon=True)
    thread.start()
    target = ssrf.Target("http", "127.0.0.1", listener.getsockname()[1], "/", _ip("127.0.0.1"))
    try:
        outcome = transport.post(target, b"{}", {}, timeout=0.5)
    finally:
        for conn in accepted:
            conn.close()
        listener.close()
    assert outcome.status is None
    assert "Timeout" in outcome.error or "timed out" in outcome.error


def _ip(text: str):  # noqa: ANN202
    import ipaddress

    return ipaddress.ip_address(text)


# The SSRF guard at delivery time ----------------------------------------------------------


def test_a_target_that_became_private_is_not_contacted(
    endpoint, receiver, manager, settings, django_capture_on_commit_callbacks
):
    settings.CIRCOLO_WEBHOOKS_ALLOW_PRIVATE = False  # registered while allowed
    with django_capture_on_commit_callbacks(execute=True):
        services.send_test_event(actor=manager, endpoint=endpoint)
    delivery = Delivery.objects.get()
    assert delivery.status == "pending"
    assert delivery.response_code is None
    assert "private, loopback" in delivery.last_error
    assert receiver.requests == []


def test_dns_rebinding_after_registration_is_refused_at_delivery(
    manager, receiver, settings, django_capture_on_commit_callbacks
):
    settings.CIRCOLO_WEBHOOKS_ALLOW_PRIVATE = False
    port = int(receiver.url.rsplit(":", 1)[1].split("/")[0])
    answers = {"now": "93.184.215.14"}

    def resolve(host, port, *args, **kwargs):
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (answers["now"], port))]

    with mock.patch("integrations.ssrf.socket.getaddrinfo", side_effect=resolve):
        endpoint = services.create_endpoint(
            actor=manager, url=f"http://hooks.example.com:{port}/hooks", events=["answer.created"]
        )
        answers["now"] = "127.0.0.1"  # the name now points inside
        with django_capture_on_commit_callbacks(execute=True):
            services.send_test_event(actor=manager, endpoint=endpoint)
    assert "private, loopback" in Delivery.objects.get().last_error
    assert receiver.requests == []


def test_the_request_goes_to_the_checked_address_with_the_host_name(
    manager, receiver, allow_private, django_capture_on_commit_callbacks
):
    port = int(receiver.url.rsplit(":", 1)[1].split("/")[0])
    calls = []

    def resolve(host, port, *args, **kwargs):
        calls.append(host)
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("127.0.0.1", port))]

    with mock.patch("integrations.ssrf.socket.getaddrinfo", side_effect=resolve):
        endpoint = services.create_endpoint(
            actor=manager, url=f"http://hooks.example.test:{port}/in", events=["answer.created"]
        )
        with django_capture_on_commit_callbacks(execute=True):
            services.send_test_event(actor=manager, endpoint=endpoint)
    (request,) = receiver.wait_for(1)
    assert request.headers["host"] == f"hooks.example.test:{port}"
    assert request.path == "/in"
    # Checked at registration and at delivery; the connection then opens to the checked
    # address itself (urllib3 "resolves" the literal), never to the name again.
    assert calls == ["hooks.example.test", "hooks.example.test", "127.0.0.1"]


# Nothing private leaves -------------------------------------------------------------------


@pytest.fixture
def lounge(db):
    return CategoryFactory(name="Lounge", slug="lounge", is_private=True)


def _bodies() -> list[dict]:
    return [
        json.loads(body) for body in Delivery.objects.order_by("pk").values_list("body", flat=True)
    ]


def test_lounge_activity_never_leaves(
    endpoint, receiver, advocate, staff, lounge, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        question = forum.ask_question(
            actor=advocate,
            title="Secret lounge plan for the launch",
            body="Internal only, do not share.",
            tags=["internal"],
            category=lounge,
        )
        answer = forum.post_answer(actor=staff, question=question, body="Agreed, keep it quiet.")
        escalations.escalate_question(actor=advocate, question=question, reason="lounge reason")
        forum.accept_answer(actor=advocate, answer=answer)
    assert Delivery.objects.count() == 0
    assert receiver.requests == []


def test_payloads_carry_no_note_reason_or_email_unless_trusted(
    manager,
    receiver,
    customer,
    helper,
    advocate,
    staff,
    other_customer,
    django_capture_on_commit_callbacks,
):
    for member in (customer, helper, advocate, staff, other_customer):
        type(member).objects.filter(pk=member.pk).update(email=f"{member.username}@private.example")
        member.refresh_from_db()
    public = services.create_endpoint(actor=manager, url=receiver.url, events=list(EVENT_TYPES))
    trusted = services.create_endpoint(
        actor=manager, url=receiver.url, events=list(EVENT_TYPES), trusted_personal_data=True
    )
    reward = Reward.objects.create(name="T-shirt", cost=100)
    RewardAccount.objects.create(member=helper, balance=500)

    with django_capture_on_commit_callbacks(execute=True):
        question = forum.ask_question(
            actor=customer,
            title="My SIM card stopped working today",
            body="It says no service since this morning.",
            tags=["sim"],
        )
        answer = forum.post_answer(actor=helper, question=question, body="Restart the phone.")
        forum.accept_answer(actor=customer, answer=answer)
        raise_flag(actor=other_customer, post=answer, reason="needs_staff", note="SECRET-FLAG-NOTE")
        escalation = escalations.escalate_question(
            actor=advocate, question=question, reason="SECRET-ESCALATION-REASON", priority="high"
        )
        escalations.add_note(actor=staff, escalation=escalation, body="SECRET-INTERNAL-NOTE")
        escalations.resolve_escalation(
            actor=staff, escalation=escalation, resolution="SECRET-RESOLUTION-TEXT"
        )
        redemption = rewards.redeem_reward(actor=helper, reward=reward)
        rewards.refuse_redemption(actor=staff, redemption=redemption, reason="SECRET-REFUSAL")
        approve_advocate(actor=manager, member=helper, override=True, note="SECRET-NOTE")
        revoke_advocate(actor=manager, member=helper, reason="SECRET-REVOKE-REASON")

    by_endpoint: dict[int, list[str]] = {}
    for endpoint_id, body in Delivery.objects.order_by("pk").values_list("endpoint_id", "body"):
        by_endpoint.setdefault(endpoint_id, []).append(body)
    events = [json.loads(b)["type"] for b in by_endpoint[public.pk]]
    assert set(events) == set(EVENT_TYPES)
    assert events.count("escalation.updated") >= 1
    for body in by_endpoint[public.pk]:
        assert "SECRET" not in body
        assert "@" not in body, body
    for body in by_endpoint[trusted.pk]:
        assert "SECRET" not in body
    trusted_events = {json.loads(b)["type"]: json.loads(b)["data"] for b in by_endpoint[trusted.pk]}
    assert trusted_events["answer.created"]["author_email"] == "carla@private.example"
    assert trusted_events["member.advocate_approved"]["email"] == "carla@private.example"
    assert trusted_events["redemption.decided"]["member_email"] == "carla@private.example"
    flag = trusted_events["flag.created"]
    assert set(flag) == {"id", "url", "question_id", "reason", "target", "created_at"}
    assert flag["target"] == {"type": "answer", "id": answer.pk}
    resolved = trusted_events["escalation.resolved"]
    assert (resolved["status"], resolved["question_id"]) == ("resolved", question.pk)
    assert trusted_events["redemption.decided"]["status"] == "refused"
    for event_type, data in trusted_events.items():
        assert {"id", "url"} <= set(data), event_type
    assert len(receiver.wait_for(len(Delivery.objects.all()))) == Delivery.objects.count()
    endpoint_of = dict(Delivery.objects.values_list("message_id", "endpoint_id"))
    for request in receiver.requests:
        endpoint = Endpoint.objects.get(pk=endpoint_of[request.headers["webhook-id"]])
        assert verified(endpoint, request)["type"] in EVENT_TYPES


def test_an_sla_breach_is_an_escalation_update(manager, advocate, customer, time_machine):
    from advocacy.sla.sweep import sweep_sla

    endpoint = services.create_endpoint(
        actor=manager, url="https://93.184.215.14/hooks", events=["escalation.updated"]
    )
    time_machine.move_to(T0, tick=False)
    escalation = escalations.escalate_question(
        actor=advocate, question=QuestionFactory(author=customer), reason="Stuck", priority="urgent"
    )
    assert not Delivery.objects.exists()  # created, not updated
    time_machine.move_to(T0 + timedelta(days=6), tick=False)
    with mock.patch("integrations.dispatch._enqueue"):
        assert sweep_sla().breached == [escalation.pk]
    (delivery,) = Delivery.objects.filter(endpoint=endpoint)
    data = json.loads(delivery.body)["data"]
    assert (data["id"], data["status"], data["priority"]) == (escalation.pk, "open", "urgent")
    assert "Stuck" not in delivery.body


def test_old_deliveries_are_pruned_daily(endpoint, time_machine):
    from integrations.tasks import prune_webhook_deliveries

    time_machine.move_to(T0, tick=False)
    kept = [
        Delivery.objects.create(endpoint=endpoint, event="webhook.test", body="{}", status=s)
        for s in ("succeeded", "failed", "pending")
    ]
    time_machine.move_to(T0 + timedelta(days=31), tick=False)
    assert prune_webhook_deliveries.call() == 1
    time_machine.move_to(T0 + timedelta(days=91), tick=False)
    assert prune_webhook_deliveries.call() == 1
    assert list(Delivery.objects.values_list("pk", flat=True)) == [kept[2].pk]
