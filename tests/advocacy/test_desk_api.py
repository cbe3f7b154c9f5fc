"""The escalation endpoints of `/api/v1/`: the flow, who may call what (denial changes and
publishes nothing), bad input, and their place in the OpenAPI schema."""

from __future__ import annotations

import pytest
import yaml
from django.core.management import call_command
from rest_framework.test import APIClient

from advocacy.models import AnswerVerdict, Escalation
from advocacy.services import escalations
from gamification.models import PointEvent
from tests.advocacy.desk_support import escalate, published, snapshot
from tests.factories import AnswerFactory, QuestionFactory, UserFactory

pytestmark = pytest.mark.django_db


def api(user=None) -> APIClient:  # noqa: ANN001
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


@pytest.fixture
def case(advocate, question):
    return escalate(advocate, question)


def test_the_whole_flow_through_the_api(advocate, staff, customer, helper, question):
    answer = AnswerFactory(question=question, author=helper)

    created = api(advocate).post(
        f"/api/v1/questions/{question.pk}/escalate/",
        {"reason": "Customer double charged", "priority": "urgent"},
        format="json",
    )
    assert created.status_code == 201, created.json()
    pk = created.json()["id"]
    assert created["Location"].endswith(f"/api/v1/escalations/{pk}/")
    assert created.json()["status"] == "open"
    assert created.json()["priority"] == "urgent"

    listed = api(staff).get("/api/v1/escalations/?assignee=none")
    assert [e["id"] for e in listed.json()["results"]] == [pk]

    claimed = api(staff).post(f"/api/v1/escalations/{pk}/claim/")
    assert claimed.status_code == 200
    assert claimed.json()["assignee"]["username"] == "sofia-staff"
    assert claimed.json()["status"] == "in_progress"
    assert [
        e["id"] for e in api(staff).get("/api/v1/escalations/?assignee=me").json()["results"]
    ] == [pk]

    note = api(staff).post(
        f"/api/v1/escalations/{pk}/notes/", {"body": "VIP customer"}, format="json"
    )
    assert note.status_code == 201
    assert note.json()["body"] == "VIP customer"

    official = api(staff).post(
        f"/api/v1/escalations/{pk}/answer/",
        {"body": "We refunded the second charge today."},
        format="json",
    )
    assert official.status_code == 201
    assert official.json()["author"]["username"] == "sofia-staff"

    resolved = api(staff).post(
        f"/api/v1/escalations/{pk}/resolve/",
        {"resolution": "Refunded", "verdicts": [{"answer_id": answer.pk, "verdict": "correct"}]},
        format="json",
    )
    assert resolved.status_code == 200, resolved.json()
    assert resolved.json()["status"] == "resolved"
    assert AnswerVerdict.objects.get().verdict == "correct"
    assert PointEvent.objects.filter(recipient=helper, rule="staff_verified").count() == 1

    detail = api(staff).get(f"/api/v1/escalations/{pk}/").json()
    assert [n["body"] for n in detail["notes"]] == ["VIP customer"]
    assert [e["kind"] for e in detail["events"]] == [
        "created",
        "claimed",
        "note",
        "answer",
        "verdict",
        "resolved",
    ]


def test_a_second_escalation_joins_the_case_with_200(advocate, staff, case, question):
    response = api(staff).post(
        f"/api/v1/questions/{question.pk}/escalate/",
        {"reason": "Again", "priority": "high"},
        format="json",
    )

    assert response.status_code == 200
    assert response.json()["id"] == case.pk
    assert response.json()["priority"] == "high"


def test_a_lost_claim_is_a_409_with_the_reason(staff, manager, case):
    escalations.claim_escalation(actor=manager, escalation=case)

    response = api(staff).post(f"/api/v1/escalations/{case.pk}/claim/")

    assert response.status_code == 409
    assert response.json() == {
        "detail": "Marco has already claimed this escalation.",
        "code": "conflict",
    }


def test_the_list_is_ordered_by_due_time(staff, advocate, customer):
    low = escalate(advocate, QuestionFactory(author=customer), priority="low")
    urgent = escalate(advocate, QuestionFactory(author=customer), priority="urgent")
    normal = escalate(advocate, QuestionFactory(author=customer), priority="normal")

    body = api(staff).get("/api/v1/escalations/").json()

    assert [e["id"] for e in body["results"]] == [urgent.pk, normal.pk, low.pk]
    assert body["count"] == 3
    due = [e["next_due_at"] for e in body["results"]]
    assert due == sorted(due)


@pytest.mark.parametrize(
    "query",
    [
        "status=nope",
        "assignee=someone",
        "priority=critical",
        "category=unknown-category",
        "assignee=-1",
    ],
)
def test_bad_filters_are_400(staff, query):
    assert api(staff).get(f"/api/v1/escalations/?{query}").status_code == 400


ROLES = ["customer", "other_customer", "helper", "advocate", "revoked_advocate"]
STAFF_ENDPOINTS = [
    ("get", "/api/v1/escalations/", None),
    ("get", "/api/v1/escalations/{pk}/", None),
    ("post", "/api/v1/escalations/{pk}/claim/", None),
    ("post", "/api/v1/escalations/{pk}/assign/", {"assignee": None}),
    ("post", "/api/v1/escalations/{pk}/status/", {"status": "waiting_on_customer"}),
    ("post", "/api/v1/escalations/{pk}/notes/", {"body": "secret"}),
    ("post", "/api/v1/escalations/{pk}/answer/", {"body": "An official answer."}),
    ("post", "/api/v1/escalations/{pk}/resolve/", {"resolution": "Done"}),
    ("post", "/api/v1/escalations/{pk}/dismiss/", {"reason": "Nothing"}),
]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("method", "url", "body"), STAFF_ENDPOINTS)
def test_the_desk_api_is_for_staff_only(
    request, role, method, url, body, case, django_capture_on_commit_callbacks
):
    member = request.getfixturevalue(role)
    before = snapshot()

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = getattr(api(member), method)(url.format(pk=case.pk), body, format="json")

    assert response.status_code == 403
    assert response.json() == {
        "detail": "Only support staff can work the escalation desk.",
        "code": "permission_denied",
    }
    assert snapshot() == before
    assert published(callbacks) == []


@pytest.mark.parametrize(("method", "url", "body"), STAFF_ENDPOINTS)
def test_anonymous_callers_must_authenticate(method, url, body, case):
    response = getattr(api(), method)(url.format(pk=case.pk), body, format="json")

    assert response.status_code == 401


def test_non_staff_get_403_even_for_unknown_cases(customer):
    assert api(customer).get("/api/v1/escalations/999999/").status_code == 403
    assert api(customer).post("/api/v1/escalations/999999/claim/").status_code == 403


@pytest.mark.parametrize(("method", "url", "body"), STAFF_ENDPOINTS[1:])
def test_unknown_cases_are_404_for_staff(staff, method, url, body):
    response = getattr(api(staff), method)(url.format(pk=999_999), body, format="json")
    assert response.status_code == 404
    huge = getattr(api(staff), method)(url.format(pk=2**70), body, format="json")
    assert huge.status_code == 404


@pytest.mark.parametrize(
    "role", ["customer", "other_customer", "helper", "revoked_advocate", "suspended_member"]
)
def test_only_advocates_and_staff_escalate(
    request, role, question, django_capture_on_commit_callbacks
):
    member = request.getfixturevalue(role)
    before = snapshot()

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = api(member).post(
            f"/api/v1/questions/{question.pk}/escalate/", {"reason": "Help"}, format="json"
        )

    assert response.status_code == 403
    assert response.json()["detail"]
    assert snapshot() == before
    assert published(callbacks) == []


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "reason"),
        ({"reason": 12}, "reason"),
        ({"reason": ["x"]}, "reason"),
        ({"reason": ""}, "reason"),
        ({"reason": "\u200b\u202e "}, "reason"),
        ({"reason": "x" * 1001}, "reason"),
        ({"reason": "ok", "priority": "critical"}, "priority"),
        ({"reason": "ok", "priority": 3}, "priority"),
    ],
)
def test_bad_escalations_are_400(advocate, question, body, field):
    before = snapshot()

    response = api(advocate).post(f"/api/v1/questions/{question.pk}/escalate/", body, format="json")

    assert response.status_code == 400
    assert field in response.json()
    assert snapshot() == before


@pytest.mark.parametrize(
    ("url", "body", "field"),
    [
        ("notes/", {"body": ""}, "body"),
        ("notes/", {"body": 5}, "body"),
        ("notes/", {"body": "n" * 5001}, "body"),
        ("answer/", {"body": "short"}, "body"),
        ("resolve/", {"resolution": ""}, "resolution"),
        ("resolve/", {"resolution": "ok", "verdicts": "correct"}, "verdicts"),
        (
            "resolve/",
            {"resolution": "ok", "verdicts": [{"answer_id": "1", "verdict": "correct"}]},
            "verdicts",
        ),
        (
            "resolve/",
            {"resolution": "ok", "verdicts": [{"answer_id": 999999, "verdict": "correct"}]},
            "verdicts",
        ),
        (
            "resolve/",
            {"resolution": "ok", "verdicts": [{"answer_id": 1, "verdict": "meh"}]},
            "verdicts",
        ),
        ("status/", {"status": "resolved"}, "status"),
        ("assign/", {"assignee": "me"}, "assignee"),
        ("assign/", {"assignee": 999999}, "assignee"),
        ("dismiss/", {}, "reason"),
    ],
)
def test_bad_desk_input_is_400_and_changes_nothing(staff, case, url, body, field):
    before = snapshot()

    response = api(staff).post(f"/api/v1/escalations/{case.pk}/{url}", body, format="json")

    assert response.status_code == 400, response.json()
    assert field in response.json()
    assert snapshot() == before


def test_assigning_a_customer_is_refused(staff, customer, case):
    response = api(staff).post(
        f"/api/v1/escalations/{case.pk}/assign/", {"assignee": customer.pk}, format="json"
    )

    assert response.status_code == 400
    assert response.json() == {"assignee": ["Cases can only be assigned to support staff."]}


def test_malformed_json_is_400(staff, case):
    response = api(staff).post(
        f"/api/v1/escalations/{case.pk}/notes/", "{not json", content_type="application/json"
    )
    assert response.status_code == 400


def test_public_api_never_shows_notes_or_reasons(staff, case, question, client):
    escalations.add_note(actor=staff, escalation=case, body="INTERNAL-NOTE-TEXT")

    for caller in (api(), api(UserFactory(username="someone"))):
        body = caller.get(f"/api/v1/questions/{question.pk}/").content.decode()
        assert "INTERNAL-NOTE-TEXT" not in body
        assert case.reason not in body


# The schema ------------------------------------------------------------------------------------

DESK_OPERATIONS = {
    ("/api/v1/questions/{id}/escalate/", "post"),
    ("/api/v1/escalations/", "get"),
    ("/api/v1/escalations/{id}/", "get"),
    ("/api/v1/escalations/{id}/claim/", "post"),
    ("/api/v1/escalations/{id}/assign/", "post"),
    ("/api/v1/escalations/{id}/status/", "post"),
    ("/api/v1/escalations/{id}/notes/", "post"),
    ("/api/v1/escalations/{id}/answer/", "post"),
    ("/api/v1/escalations/{id}/resolve/", "post"),
    ("/api/v1/escalations/{id}/dismiss/", "post"),
}


@pytest.fixture(scope="module")
def openapi(tmp_path_factory, django_db_blocker) -> dict:
    path = tmp_path_factory.mktemp("schema") / "schema.yaml"
    with django_db_blocker.unblock():
        call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(path))
    return yaml.safe_load(path.read_text())


def test_every_desk_endpoint_and_its_errors_are_documented(openapi):
    missing = {}
    for path, method in DESK_OPERATIONS:
        operation = openapi["paths"][path][method]
        expected = {"401", "429"}
        if "{id}" in path:
            expected |= {"404"}
        if path != "/api/v1/questions/{id}/escalate/":
            expected |= {"403"}
        if method == "post":
            expected |= {"403", "409"}
        if "requestBody" in operation:
            expected |= {"400", "413", "415"}
        if absent := expected - set(operation["responses"]):
            missing[f"{method} {path}"] = sorted(absent)

    assert missing == {}
    escalation = openapi["components"]["schemas"]["Escalation"]["properties"]
    assert {"status", "priority", "assignee", "first_response_due_at", "resolve_due_at"} <= set(
        escalation
    )
    assert "notes" not in escalation
    assert Escalation.objects.count() == 0
