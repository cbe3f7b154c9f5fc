"""What the audit found where answers and the schema disagreed (issue 16, item 7)."""

from __future__ import annotations

import pytest
import yaml
from django.core.management import call_command

from forum.models import Notification
from tests.factories import QuestionFactory


@pytest.fixture(scope="module")
def schema(tmp_path_factory, django_db_blocker) -> dict:
    path = tmp_path_factory.mktemp("schema") / "schema.yaml"
    with django_db_blocker.unblock():
        call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(path))
    return yaml.safe_load(path.read_text())


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/api/v1/questions/abc/"),
        ("get", "/api/v1/questions/null%2Cnull/"),
        ("delete", "/api/v1/answers/1.5/"),
        ("post", "/api/v1/answers/x/accept/"),
        ("post", "/api/v1/escalations/-1/claim/"),
        ("patch", "/api/v1/questions/%00/"),
        ("get", "/api/v1/users/abc/"),
        ("get", "/api/v1/no-such-endpoint/"),
        ("post", "/api/v1/questions/1/vote"),  # no slash: no redirect for a POST
    ],
)
def test_a_path_matching_no_endpoint_is_a_json_404(customer_api, method, path):
    response = getattr(customer_api, method)(path)

    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"detail": "Not found.", "code": "not_found"}


def test_a_json_404_also_under_debug(customer_api, settings):
    settings.DEBUG = True

    response = customer_api.get("/api/v1/questions/abc/")

    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_a_get_without_its_slash_is_still_redirected(api, db):
    question = QuestionFactory()

    response = api.get(f"/api/v1/questions/{question.pk}?x=1")

    assert response.status_code == 301
    assert response["Location"] == f"/api/v1/questions/{question.pk}/?x=1"


def test_close_reason_documents_the_empty_value_of_an_open_question(schema, api, db):
    question = QuestionFactory()
    body = api.get(f"/api/v1/questions/{question.pk}/").json()

    prop = schema["components"]["schemas"]["QuestionDetail"]["properties"]["close_reason"]
    enums = [
        schema["components"]["schemas"][ref["$ref"].rsplit("/", 1)[1]]["enum"]
        for ref in prop["oneOf"]
    ]
    assert body["close_reason"] == ""
    assert "" in [value for enum in enums for value in enum]
    assert "duplicate" in [value for enum in enums for value in enum]


def test_redemptions_are_documented_as_the_page_they_are(schema, customer_api):
    body = customer_api.get("/api/v1/rewards/redemptions/").json()
    operation = schema["paths"]["/api/v1/rewards/redemptions/"]["get"]
    ref = operation["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
    page = schema["components"]["schemas"][ref.rsplit("/", 1)[1]]

    assert set(body) == {"count", "next", "previous", "results"}
    assert set(page["properties"]) == set(body)
    assert set(page["required"]) == set(body)


def test_notification_actor_and_question_are_documented_nullable(schema, customer, customer_api):
    Notification.objects.create(recipient=customer, kind="badge", link="/badges/")
    [item] = customer_api.get("/api/v1/notifications/").json()["results"]
    props = schema["components"]["schemas"]["Notification"]["properties"]

    assert item["actor"] is None
    assert item["question"] is None
    assert props["actor"]["nullable"] is True
    assert props["question"]["nullable"] is True


def test_a_page_past_the_end_of_the_escalations_is_a_documented_404(schema, staff):
    from tests.api.conftest import token_client

    response = token_client(staff).get("/api/v1/escalations/?page=0")

    assert response.status_code == 404
    assert response.json() == {"detail": "Invalid page.", "code": "not_found"}
    assert "404" in schema["paths"]["/api/v1/escalations/"]["get"]["responses"]


@pytest.mark.parametrize("size", ["abc", "0", "-1", "null", "1.5", "١"])
def test_a_page_size_that_is_not_a_whole_number_from_1_is_a_400(customer_api, size):
    for url in ["/api/v1/questions/", "/api/v1/notifications/", "/api/v1/rewards/redemptions/"]:
        response = customer_api.get(url, {"page_size": size})

        assert response.status_code == 400, url
        assert response.json() == {"page_size": ["The page size must be a whole number from 1."]}


def test_a_large_page_size_is_still_capped(customer_api):
    assert customer_api.get("/api/v1/questions/", {"page_size": "1000"}).status_code == 200


def test_the_leaderboard_of_a_tag_that_does_not_exist_is_a_404(api, db):
    response = api.get("/api/v1/leaderboard/", {"tag": "no-such-tag"})

    assert response.status_code == 404
    assert response.json() == {"detail": "There is no such tag.", "code": "not_found"}


def test_page_and_page_size_are_documented_from_1(schema, db):
    seen = 0
    for operations in schema["paths"].values():
        for operation in operations.values():
            for parameter in operation.get("parameters", []):
                if parameter["in"] == "query" and parameter["name"] in ("page", "page_size"):
                    assert parameter["schema"]["minimum"] == 1
                    seen += 1
    assert seen >= 10
