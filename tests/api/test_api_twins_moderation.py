"""API twins of the moderators', managers' and members' remaining HTML actions:
moderation acts, queue claims, suspensions, escalation priority and bulk assignment,
advocate approval, the member's profile and e-mail preferences."""

from __future__ import annotations

import pytest

from advocacy.models import AuditEntry, Escalation
from forum.models import Question, User
from tests.advocacy.desk_support import escalate
from tests.api.conftest import token_client
from tests.factories import AnswerFactory, CategoryFactory, QuestionFactory


def _post(user, path: str, body: object = None):  # noqa: ANN001, ANN202
    return token_client(user).post(path, body if body is not None else {}, format="json")


@pytest.mark.parametrize(
    ("action", "body", "check"),
    [
        ("lock", {"reason": "Heated"}, lambda q: q.locked_at is not None),
        ("close", {"close_reason": "off_topic"}, lambda q: q.closed_at is not None),
        ("hide", {"reason": "spam"}, lambda q: q.hidden_at is not None),
        (
            "retag",
            {"tags": ["esim", "roaming"]},
            lambda q: set(q.tags.names()) == {"esim", "roaming"},
        ),
        ("move", {"category": "billing"}, lambda q: q.category.slug == "billing"),
    ],
)
def test_moderators_act_on_a_question_and_it_is_audited(advocate, question, action, body, check):
    CategoryFactory(slug="billing", name="Billing")
    response = _post(advocate, f"/api/v1/moderation/question/{question.pk}/{action}/", body)
    assert response.status_code == 200, response.content
    assert check(Question.objects.get(pk=question.pk))
    assert AuditEntry.objects.filter(actor=advocate).exists()


def test_members_cannot_moderate_and_nothing_changes(customer, other_customer, question):
    for user in (customer, other_customer):
        for action in ("lock", "hide", "close"):
            response = _post(
                user,
                f"/api/v1/moderation/question/{question.pk}/{action}/",
                {"close_reason": "off_topic"},
            )
            assert response.status_code == 403
    q = Question.objects.get(pk=question.pk)
    assert (q.locked_at, q.hidden_at, q.closed_at) == (None, None, None)
    assert not AuditEntry.objects.exists()


@pytest.mark.parametrize(
    ("path", "body", "status"),
    [
        ("question/{pk}/close/", {}, 400),
        ("question/{pk}/close/", {"close_reason": "nonsense"}, 400),
        ("question/{pk}/close/", {"close_reason": "duplicate", "duplicate_of": 999999}, 400),
        ("question/{pk}/retag/", {}, 400),
        ("question/{pk}/move/", {}, 400),
        ("question/{pk}/explode/", {}, 404),
        ("thing/{pk}/hide/", {}, 404),
        ("question/999999/hide/", {}, 404),
    ],
)
def test_bad_moderation_requests(advocate, question, path, body, status):
    response = _post(advocate, "/api/v1/moderation/" + path.format(pk=question.pk), body)
    assert response.status_code == status
    assert Question.objects.get(pk=question.pk).closed_at is None


def test_claim_and_release_a_queue_item(advocate, staff, question):
    item = f"flags:question:{question.pk}"
    assert _post(advocate, "/api/v1/moderation/claim/", {"item": item}).status_code == 200
    assert _post(staff, "/api/v1/moderation/claim/", {"item": item}).status_code == 409
    assert _post(advocate, "/api/v1/moderation/release/", {"item": item}).status_code == 200
    assert _post(staff, "/api/v1/moderation/claim/", {"item": item}).status_code == 200
    assert _post(advocate, "/api/v1/moderation/claim/", {"item": "nope"}).status_code == 400


def test_suspend_and_unsuspend(advocate, customer, other_customer):
    path = f"/api/v1/members/{other_customer.username}/"
    assert _post(customer, path + "suspend/", {"days": 3, "reason": "Spam"}).status_code == 403
    assert _post(advocate, path + "suspend/", {"days": 0, "reason": "Spam"}).status_code == 400
    assert User.objects.get(pk=other_customer.pk).suspended_until is None
    response = _post(advocate, path + "suspend/", {"days": 3, "reason": "Repeated spam"})
    assert response.status_code == 200
    assert response.json()["suspended_until"] is not None
    assert User.objects.get(pk=other_customer.pk).is_suspended
    assert _post(advocate, path + "unsuspend/", {}).json()["suspended_until"] is None


def test_escalation_priority_and_bulk_assign(advocate, staff, customer, question):
    case = escalate(advocate, question)
    other = escalate(advocate, QuestionFactory(author=customer))
    assert (
        _post(
            customer, f"/api/v1/escalations/{case.pk}/priority/", {"priority": "urgent"}
        ).status_code
        == 403
    )
    changed = _post(staff, f"/api/v1/escalations/{case.pk}/priority/", {"priority": "urgent"})
    assert (changed.status_code, changed.json()["priority"]) == (200, "urgent")
    assert (
        _post(staff, f"/api/v1/escalations/{case.pk}/priority/", {"priority": "x"}).status_code
        == 400
    )

    body = {"escalations": [case.pk, other.pk], "assignee": staff.pk}
    assert _post(customer, "/api/v1/escalations/bulk-assign/", body).status_code == 403
    assigned = _post(staff, "/api/v1/escalations/bulk-assign/", body)
    assert assigned.status_code == 200
    assert sorted(e["id"] for e in assigned.json()) == sorted([case.pk, other.pk])
    assert set(Escalation.objects.values_list("assignee_id", flat=True)) == {staff.pk}
    bad = _post(
        staff,
        "/api/v1/escalations/bulk-assign/",
        {"escalations": [case.pk, 999999], "assignee": None},
    )
    assert bad.status_code == 400
    assert set(Escalation.objects.values_list("assignee_id", flat=True)) == {staff.pk}


def test_managers_approve_and_revoke_advocates(manager, staff, helper):
    path = f"/api/v1/advocates/{helper.username}/"
    assert _post(staff, path + "approve/", {"override": True, "note": "Trusted"}).status_code == 403
    assert not User.objects.get(pk=helper.pk).is_advocate
    approved = _post(manager, path + "approve/", {"override": True, "note": "Long-time helper"})
    assert approved.json() == {"username": helper.username, "is_advocate": True}
    assert _post(manager, path + "revoke/", {}).status_code == 400
    revoked = _post(manager, path + "revoke/", {"reason": "Inactive for months"})
    assert revoked.json() == {"username": helper.username, "is_advocate": False}
    assert _post(manager, "/api/v1/advocates/nobody/approve/", {}).status_code == 404


def test_members_edit_their_profile_and_email_preferences(customer, api):
    client = token_client(customer)
    changed = client.patch(
        "/api/v1/users/me/profile/", {"display_name": "Anna R.", "locale": "it"}, format="json"
    )
    assert changed.status_code == 200
    assert changed.json() == {
        "username": "anna",
        "display_name": "Anna R.",
        "bio": "",
        "locale": "it",
    }
    assert (
        client.patch("/api/v1/users/me/profile/", {"locale": "xx"}, format="json").status_code
        == 400
    )
    assert (
        client.patch("/api/v1/users/me/profile/", {"bio": "b" * 2001}, format="json").status_code
        == 400
    )
    assert User.objects.get(pk=customer.pk).locale == "it"
    assert api.patch("/api/v1/users/me/profile/", {"bio": "x"}, format="json").status_code == 401

    prefs = client.patch(
        "/api/v1/users/me/email-preferences/", {"modes": {"comment": "off"}}, format="json"
    )
    assert prefs.status_code == 200
    assert prefs.json()["modes"]["comment"] == "off"
    bad = client.patch(
        "/api/v1/users/me/email-preferences/",
        {"modes": {"nope": "off", "answer": "off"}},
        format="json",
    )
    assert bad.status_code == 400
    assert client.get("/api/v1/users/me/email-preferences/").json()["modes"]["answer"] == "instant"


def test_a_first_post_is_approved_through_the_api(advocate, newcomer):
    question = QuestionFactory(author=newcomer)
    answer = AnswerFactory(question=question, author=newcomer)
    response = _post(advocate, f"/api/v1/moderation/answer/{answer.pk}/approve/")
    assert response.status_code == 200
    assert _post(advocate, f"/api/v1/moderation/comment/{answer.pk}/approve/").status_code == 404
