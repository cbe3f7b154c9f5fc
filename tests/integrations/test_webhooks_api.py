"""`/api/v1/webhooks/`: managers only; the secret shown once; the delivery log; test
event and retry; bad input is a 400 that writes nothing."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient
from standardwebhooks import Webhook

from integrations.models import Delivery, Endpoint
from tests.api.conftest import token_client

URL = "/api/v1/webhooks/"


def _post(client, path: str, body: object):  # noqa: ANN001, ANN202
    return client.post(path, body, format="json")


@pytest.fixture
def manager_api(manager):
    return token_client(manager)


@pytest.fixture
def roles(customer, helper, advocate, staff):
    return {
        "anonymous": None,
        "customer": customer,
        "helper": helper,
        "advocate": advocate,
        "staff": staff,
    }


def test_a_manager_registers_an_endpoint_and_sees_the_secret_once(manager_api, receiver):
    response = _post(
        manager_api,
        URL,
        {
            "url": receiver.url,
            "events": ["answer.created", "question.created", "answer.created"],
            "description": "  CRM  ",
        },
    )

    assert response.status_code == 201
    body = response.json()
    endpoint = Endpoint.objects.get()
    assert body["id"] == endpoint.pk
    assert body["secret"] == endpoint.secret
    assert body["secret"].startswith("whsec_")
    Webhook(body["secret"])  # a valid Standard Webhooks secret
    assert body["events"] == ["question.created", "answer.created"]
    assert (body["url"], body["description"], body["is_active"]) == (receiver.url, "CRM", True)
    assert body["trusted_personal_data"] is False
    assert response["Location"] == f"http://testserver{URL}{endpoint.pk}/"

    shown = manager_api.get(f"{URL}{endpoint.pk}/").json()
    assert "secret" not in shown
    assert all("secret" not in row for row in manager_api.get(URL).json()["results"])


def test_get_patch_delete(manager_api, endpoint):
    detail = f"{URL}{endpoint.pk}/"
    response = manager_api.patch(
        detail,
        {"events": ["flag.created"], "trusted_personal_data": True, "is_active": False},
        format="json",
    )
    assert response.status_code == 200
    assert response.json()["events"] == ["flag.created"]
    endpoint.refresh_from_db()
    assert (endpoint.events, endpoint.trusted_personal_data, endpoint.is_active) == (
        ["flag.created"],
        True,
        False,
    )
    assert manager_api.get(detail).json()["is_active"] is False

    assert manager_api.delete(detail).status_code == 204
    assert not Endpoint.objects.exists()
    assert manager_api.get(detail).status_code == 404


def test_re_enabling_clears_the_failure_count(manager_api, endpoint):
    Endpoint.objects.filter(pk=endpoint.pk).update(
        is_active=False, consecutive_failures=9, disabled_reason="9 failed attempts in a row"
    )
    response = manager_api.patch(f"{URL}{endpoint.pk}/", {"is_active": True}, format="json")
    assert response.status_code == 200
    endpoint.refresh_from_db()
    assert (endpoint.is_active, endpoint.consecutive_failures, endpoint.disabled_reason) == (
        True,
        0,
        "",
    )


def test_nobody_but_a_manager_may_touch_webhooks(roles, endpoint, receiver):
    delivery = Delivery.objects.create(endpoint=endpoint, event="webhook.test", body="{}")
    before = list(Endpoint.objects.values())
    for role, user in roles.items():
        client = token_client(user) if user else APIClient()
        calls = [
            ("get", URL, None),
            ("post", URL, {"url": receiver.url, "events": ["answer.created"]}),
            ("get", f"{URL}{endpoint.pk}/", None),
            ("patch", f"{URL}{endpoint.pk}/", {"is_active": False}),
            ("delete", f"{URL}{endpoint.pk}/", None),
            ("get", f"{URL}{endpoint.pk}/deliveries/", None),
            ("post", f"{URL}{endpoint.pk}/test/", None),
            ("post", f"{URL}{endpoint.pk}/deliveries/{delivery.pk}/retry/", None),
            ("get", f"{URL}999999/", None),  # 403 before 404: existence does not leak
        ]
        for method, path, body in calls:
            response = getattr(client, method)(path, body, format="json")
            expected = 401 if user is None else 403
            assert response.status_code == expected, (role, method, path)
    assert list(Endpoint.objects.values()) == before
    assert list(Delivery.objects.values_list("pk", "status", "attempts")) == [
        (delivery.pk, "pending", 0)
    ]


def test_the_delivery_log_newest_first(manager_api, endpoint):
    old = Delivery.objects.create(
        endpoint=endpoint,
        event="answer.created",
        body="{}",
        status="failed",
        attempts=7,
        response_code=500,
    )
    new = Delivery.objects.create(endpoint=endpoint, event="question.created", body="{}")
    body = manager_api.get(f"{URL}{endpoint.pk}/deliveries/").json()
    assert body["count"] == 2
    assert [
        (d["id"], d["event"], d["status"], d["attempts"], d["response_code"])
        for d in body["results"]
    ] == [
        (new.pk, "question.created", "pending", 0, None),
        (old.pk, "answer.created", "failed", 7, 500),
    ]
    assert set(body["results"][0]) >= {
        "id",
        "event",
        "status",
        "attempts",
        "response_code",
        "created_at",
    }
    assert "body" not in body["results"][0]


def test_send_test_event_and_retry(
    manager_api, endpoint, receiver, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = _post(manager_api, f"{URL}{endpoint.pk}/test/", None)
    assert response.status_code == 202
    (request,) = receiver.wait_for(1)
    event = Webhook(endpoint.secret).verify(request.body, request.headers)
    assert event["type"] == "webhook.test"
    assert event["data"]["endpoint_id"] == endpoint.pk
    delivery = Delivery.objects.get()
    assert (delivery.status, delivery.attempts, delivery.response_code) == ("succeeded", 1, 200)

    # A delivery that succeeded is not sent again.
    retry = f"{URL}{endpoint.pk}/deliveries/{delivery.pk}/retry/"
    assert _post(manager_api, retry, None).status_code == 409
    Delivery.objects.filter(pk=delivery.pk).update(status="failed")
    with django_capture_on_commit_callbacks(execute=True):
        assert _post(manager_api, retry, None).status_code == 202
    assert len(receiver.wait_for(2)) == 2
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("succeeded", 2)

    # Another endpoint's delivery id, an absurd one: 404.
    assert (
        _post(manager_api, f"{URL}{endpoint.pk}/deliveries/{2**63}/retry/", None).status_code == 404
    )


def test_a_disabled_endpoint_refuses_test_and_retry_with_409(manager_api, endpoint):
    delivery = Delivery.objects.create(
        endpoint=endpoint, event="webhook.test", body="{}", status="failed"
    )
    Endpoint.objects.filter(pk=endpoint.pk).update(is_active=False)
    assert _post(manager_api, f"{URL}{endpoint.pk}/test/", None).status_code == 409
    response = _post(manager_api, f"{URL}{endpoint.pk}/deliveries/{delivery.pk}/retry/", None)
    assert response.status_code == 409
    assert Delivery.objects.count() == 1
    delivery.refresh_from_db()
    assert delivery.status == "failed"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "url"),
        ({"url": "https://example.com/h"}, "events"),
        ({"url": "https://example.com/h", "events": []}, "events"),
        ({"url": "https://example.com/h", "events": ["answer.deleted"]}, "events"),
        ({"url": "https://example.com/h", "events": "answer.created"}, "events"),
        ({"url": 12, "events": ["answer.created"]}, "url"),
        ({"url": "ftp://example.com/h", "events": ["answer.created"]}, "url"),
        ({"url": "https://example.com/" + "a" * 500, "events": ["answer.created"]}, "url"),
        ({"url": "", "events": ["answer.created"]}, "url"),
        (
            {
                "url": "https://example.com/h",
                "events": ["answer.created"],
                "description": "x" * 201,
            },
            "description",
        ),
        (
            {"url": "https://example.com/h", "events": ["answer.created"], "description": 5},
            "description",
        ),
        (
            {
                "url": "https://example.com/h",
                "events": ["answer.created"],
                "trusted_personal_data": "yes",
            },
            "trusted_personal_data",
        ),
        ({"url": "https://example.com/h", "events": [["answer.created"]]}, "events"),
    ],
)
def test_bad_input_is_a_400_naming_the_field(manager_api, body, field):
    response = _post(manager_api, URL, body)
    assert response.status_code == 400, response.content
    assert field in response.json()
    assert not Endpoint.objects.exists()


def test_non_object_bodies_are_400(manager_api):
    for body in ([], "x", 3, None):
        assert _post(manager_api, URL, body).status_code == 400
    assert not Endpoint.objects.exists()


def test_query_budgets(manager_api, endpoint, django_assert_max_num_queries):
    for _ in range(30):
        Delivery.objects.create(endpoint=endpoint, event="answer.created", body="{}")
    # token auth (2), the endpoint, the count and the page
    with django_assert_max_num_queries(5):
        assert manager_api.get(f"{URL}{endpoint.pk}/deliveries/").status_code == 200
    with django_assert_max_num_queries(4):
        assert manager_api.get(URL).status_code == 200
