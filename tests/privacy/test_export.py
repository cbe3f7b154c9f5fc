"""The export (GDPR articles 15 and 20): `GET /api/v1/users/me/export/` and the page."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from forum.models import Question
from privacy.export import SECTIONS
from tests.api.conftest import token_client
from tests.factories import QuestionFactory

EXPORT = "/api/v1/users/me/export/"


def test_export_holds_every_section_with_the_members_rows(busy_member):
    response = token_client(busy_member).get(EXPORT)
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="circolo-')
    assert response["Cache-Control"] == "no-store"
    data = response.json()
    assert set(SECTIONS) <= set(data)
    assert data["profile"]["username"] == "giulia"
    assert data["profile"]["display_name"] == "Giulia Rossi"
    assert data["profile"]["bio"] == "Lives in Bologna"
    assert sorted(e["email"] for e in data["email_addresses"]) == [
        "giulia.work@example.com",
        "giulia@example.com",
    ]
    assert [q["title"] for q in data["questions"]] == ["Roaming charges in Switzerland"]
    assert data["questions"][0]["tags"] == ["roaming"]
    assert [a["body"] for a in data["answers"]] == ["Restart the phone with the SIM inserted."]
    assert [c["body"] for c in data["comments"]] == ["Which phone do you have?"]
    assert [(r["question_id"] is not None, r["number"]) for r in data["revisions"]] == [
        (True, 1),
        (True, 2),
        (False, 1),
    ]
    assert [v["value"] for v in data["votes"]] == [1]
    assert sum(p["points"] for p in data["points"]) == busy_member.reputation - 1
    kinds = sorted(n["kind"] for n in data["notifications"])
    assert "answer" in kinds
    assert kinds.count("badge") == len(data["badges"]) > 0
    assert [f["reason"] for f in data["flags"]] == ["off_topic"]
    # Asking and answering follow the question (forum.follows.handlers).
    asked = Question.objects.get(title="Roaming charges in Switzerland")
    answered = busy_member.answers.get().question_id
    assert sorted((f["question_id"], f["tag_id"], f["category_id"]) for f in data["follows"]) == [
        (asked.pk, None, None),
        (answered, None, None),
    ]
    assert data["email_preferences"] == [
        {
            "kind": "answer",
            "mode": "digest",
            "updated_at": data["email_preferences"][0]["updated_at"],
        }
    ]
    assert data["redemptions"] == []


def test_export_holds_nothing_of_anyone_else(busy_member, other_customer):
    data = token_client(other_customer).get(EXPORT).json()
    assert data["profile"]["username"] == "bruno"
    text = json.dumps(data)
    assert "giulia" not in text.lower()
    assert "Restart the phone" not in text


def test_export_needs_a_member(db):
    assert APIClient().get(EXPORT).status_code == 401


def test_export_query_count_does_not_grow_with_the_rows(
    busy_member, django_assert_max_num_queries, django_assert_num_queries
):
    client = token_client(busy_member)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as small:
        client.get(EXPORT)
    for _ in range(5):
        QuestionFactory(author=busy_member, tags=["roaming", "sim"])
    with CaptureQueriesContext(connection) as large:
        assert client.get(EXPORT).status_code == 200
    assert len(large) == len(small)
    with django_assert_max_num_queries(20):
        client.get(EXPORT)


def test_the_page_offers_the_download_and_the_file_is_an_attachment(busy_member, client):
    client.force_login(busy_member)
    page = client.get(reverse("privacy:settings"))
    assert page.status_code == 200
    assert reverse("privacy:export") in page.content.decode()
    download = client.get(reverse("privacy:export"))
    assert download.status_code == 200
    assert download["Content-Type"] == "application/json"
    assert "attachment;" in download["Content-Disposition"]
    assert json.loads(download.content)["profile"]["username"] == "giulia"


@pytest.mark.parametrize("name", ["privacy:settings", "privacy:export"])
def test_the_pages_need_a_login(client, db, name):
    response = client.get(reverse(name))
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_settings_menu_links_the_page(customer_client):
    html = customer_client.get(reverse("forum:question_list")).content.decode()
    assert reverse("privacy:settings") in html
