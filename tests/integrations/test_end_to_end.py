"""End to end: an answer posted through the API, the real database task backend, the
`run_worker` command, a real HTTP receiver on 127.0.0.1; the receiver verifies the
signature with the `standardwebhooks` package."""

from __future__ import annotations

from unittest import mock

from django.core.management import call_command
from django_tasks_db.models import DBTaskResult
from standardwebhooks import Webhook

from integrations.models import Delivery
from tests.advocacy.tasks_support import DATABASE_TASKS
from tests.api.conftest import token_client
from tests.factories import QuestionFactory


def test_an_answer_posted_through_the_api_reaches_the_receiver_through_the_worker(
    manager, customer, helper, receiver, settings, django_capture_on_commit_callbacks
):
    settings.TASKS = DATABASE_TASKS
    created = token_client(manager).post(
        "/api/v1/webhooks/",
        {"url": receiver.url, "events": ["answer.created", "answer.accepted"]},
        format="json",
    )
    assert created.status_code == 201
    secret = created.json()["secret"]
    question = QuestionFactory(author=customer)

    with django_capture_on_commit_callbacks(execute=True):
        posted = token_client(helper).post(
            f"/api/v1/questions/{question.pk}/answers/",
            {"body": "Switch the phone off and on again, then retry."},
            format="json",
        )
    assert posted.status_code == 201
    assert receiver.requests == []  # not sent in the request: queued for the worker
    queued = DBTaskResult.objects.filter(task_path="integrations.tasks.deliver_webhook")
    assert list(queued.values_list("status", flat=True)) == ["READY"]

    with (
        django_capture_on_commit_callbacks(execute=True),
        mock.patch("django_tasks_db.management.commands.db_worker.close_old_connections"),
    ):
        call_command("run_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)

    (request,) = receiver.wait_for(1)
    event = Webhook(secret).verify(request.body, request.headers)
    assert event["type"] == "answer.created"
    assert event["data"]["id"] == posted.json()["id"]
    assert event["data"]["question_id"] == question.pk
    delivery = Delivery.objects.get()
    assert (delivery.status, delivery.attempts, delivery.response_code) == ("succeeded", 1, 200)
    assert request.headers["webhook-id"] == delivery.message_id
