"""The OpenAPI schema documents every endpoint and every error response, and validates."""

from __future__ import annotations

import pytest
import yaml
from django.core.management import call_command

FORUM_OPERATIONS = {
    ("/api/v1/auth/token/", "post"),
    ("/api/v1/auth/token/", "delete"),
    ("/api/v1/questions/", "get"),
    ("/api/v1/questions/", "post"),
    ("/api/v1/questions/{id}/", "get"),
    ("/api/v1/questions/{id}/", "patch"),
    ("/api/v1/questions/{id}/", "delete"),
    ("/api/v1/questions/{id}/answers/", "post"),
    ("/api/v1/questions/{id}/vote/", "post"),
    ("/api/v1/questions/{id}/comments/", "post"),
    ("/api/v1/answers/{id}/", "get"),
    ("/api/v1/answers/{id}/", "patch"),
    ("/api/v1/answers/{id}/", "delete"),
    ("/api/v1/answers/{id}/vote/", "post"),
    ("/api/v1/answers/{id}/accept/", "post"),
    ("/api/v1/answers/{id}/accept/", "delete"),
    ("/api/v1/answers/{id}/comments/", "post"),
    ("/api/v1/users/{id}/", "get"),
    ("/api/v1/users/me/", "get"),
}


@pytest.fixture(scope="module")
def schema(tmp_path_factory, django_db_blocker) -> dict:
    path = tmp_path_factory.mktemp("schema") / "schema.yaml"
    with django_db_blocker.unblock():
        # --fail-on-warn turns any generator warning (an undocumented response, a field
        # whose type could not be guessed) into an error, so this fails on drift.
        call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(path))
    return yaml.safe_load(path.read_text())


def _operations(schema: dict) -> dict[tuple[str, str], dict]:
    return {
        (path, method): operation
        for path, item in schema["paths"].items()
        for method, operation in item.items()
        if method in {"get", "post", "patch", "put", "delete"}
    }


def test_every_forum_endpoint_is_documented(schema):
    assert FORUM_OPERATIONS - set(_operations(schema)) == set()


def _expected_errors(path: str, method: str, operation: dict) -> set[str]:
    if path == "/api/v1/auth/token/":
        return {"400", "415", "429"} if method == "post" else {"401", "429"}
    expected = {"401", "429"}
    if "{id}" in path:
        expected.add("404")
    if path == "/api/v1/questions/" and method == "get":
        expected.add("400")
    if method != "get":
        expected |= {"403", "409"}
    if "requestBody" in operation:
        expected |= {"400", "413", "415"}
    return expected


def test_every_error_response_is_documented(schema):
    operations = _operations(schema)
    missing = {}
    for path, method in FORUM_OPERATIONS:
        operation = operations[(path, method)]
        expected = _expected_errors(path, method, operation)
        if absent := expected - set(operation["responses"]):
            missing[f"{method} {path}"] = sorted(absent)

    assert missing == {}


def test_errors_share_one_shape(schema):
    errors = schema["components"]["schemas"]["Error"]

    assert errors["required"] == ["code", "detail"]
    for (_path, _method), operation in _operations(schema).items():
        for code, response in operation["responses"].items():
            if code.startswith("4") and code != "400":
                ref = response["content"]["application/json"]["schema"]["$ref"]
                assert ref == "#/components/schemas/Error"


def test_list_is_paginated_with_filters(schema):
    operation = schema["paths"]["/api/v1/questions/"]["get"]
    parameters = {p["name"] for p in operation["parameters"]}
    page = operation["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]

    assert parameters == {"tag", "category", "status", "q", "ordering", "page", "page_size"}
    assert page == "#/components/schemas/PaginatedQuestionSummaryList"
    assert set(schema["components"]["schemas"]["PaginatedQuestionSummaryList"]["properties"]) == {
        "count",
        "next",
        "previous",
        "results",
    }


def test_contract_fields_are_in_the_schema(schema):
    components = schema["components"]["schemas"]

    assert {
        "id",
        "title",
        "author",
        "tags",
        "score",
        "answer_count",
        "accepted_answer_id",
        "created_at",
        "url",
    } <= set(components["QuestionSummary"]["properties"])
    assert {"body_html", "answers"} <= set(components["QuestionDetail"]["properties"])
    assert {"id", "author", "body_html", "score", "is_accepted", "comments"} <= set(
        components["Answer"]["properties"]
    )
    assert {"id", "username", "reputation", "rank", "badges", "is_advocate", "is_staff"} <= set(
        components["Member"]["properties"]
    )
    assert set(components["VoteResult"]["properties"]) == {"score", "my_vote"}
    assert set(components["Token"]["properties"]) == {"token"}


def test_schema_and_docs_are_served(client, db):
    schema = client.get("/api/schema/")
    docs = client.get("/api/docs/")

    assert schema.status_code == 200
    assert b"/api/v1/questions/{id}/vote/" in schema.content
    assert docs.status_code == 200
    assert b"swagger-ui" in docs.content
