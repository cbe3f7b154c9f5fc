"""Each write x each role, on `customer`'s question and `other_customer`'s answer to it.

Roles (tests/conftest.py): anonymous; customer (the asker, reputation 20); other_customer
(who answered, 150); newcomer (1); helper (1500); staff. Privileges come from reputation
(core.privileges). A refused request must change nothing in the database.
"""

from __future__ import annotations

import pytest

from forum.models import Answer, Comment, Question, Revision, Vote
from tests.factories import AnswerFactory

ROLES = ["api", "customer_api", "other_api", "newcomer_api", "helper_api", "staff_api"]


def _answer_question(client, question, answer):  # noqa: ANN001, ANN202
    return client.post(
        f"/api/v1/questions/{question.pk}/answers/",
        {"body": "Try resetting the APN settings."},
        format="json",
    )


def _upvote_question(client, question, answer):  # noqa: ANN001, ANN202
    return client.post(f"/api/v1/questions/{question.pk}/vote/", {"value": 1}, format="json")


def _downvote_question(client, question, answer):  # noqa: ANN001, ANN202
    return client.post(f"/api/v1/questions/{question.pk}/vote/", {"value": -1}, format="json")


def _upvote_answer(client, question, answer):  # noqa: ANN001, ANN202
    return client.post(f"/api/v1/answers/{answer.pk}/vote/", {"value": 1}, format="json")


def _accept(client, question, answer):  # noqa: ANN001, ANN202
    return client.post(f"/api/v1/answers/{answer.pk}/accept/")


def _comment_question(client, question, answer):  # noqa: ANN001, ANN202
    return client.post(
        f"/api/v1/questions/{question.pk}/comments/", {"body": "Which phone is it?"}, format="json"
    )


def _comment_answer(client, question, answer):  # noqa: ANN001, ANN202
    return client.post(
        f"/api/v1/answers/{answer.pk}/comments/", {"body": "Did that help you?"}, format="json"
    )


def _edit_question(client, question, answer):  # noqa: ANN001, ANN202
    return client.patch(
        f"/api/v1/questions/{question.pk}/", {"title": "A better title for this"}, format="json"
    )


def _edit_answer(client, question, answer):  # noqa: ANN001, ANN202
    return client.patch(
        f"/api/v1/answers/{answer.pk}/", {"body": "A better answer body."}, format="json"
    )


def _delete_question(client, question, answer):  # noqa: ANN001, ANN202
    return client.delete(f"/api/v1/questions/{question.pk}/")


def _delete_answer(client, question, answer):  # noqa: ANN001, ANN202
    return client.delete(f"/api/v1/answers/{answer.pk}/")


# action -> expected status for each of ROLES
MATRIX = {
    _answer_question: [401, 201, 201, 201, 201, 201],
    _upvote_question: [401, 403, 200, 403, 200, 200],
    _downvote_question: [401, 403, 200, 403, 200, 200],
    _upvote_answer: [401, 200, 403, 403, 200, 200],
    # Staff accept for the asker only after two weeks away (tests/forum/test_community_acceptance.py).
    _accept: [401, 200, 403, 403, 403, 403],
    _comment_question: [401, 201, 201, 403, 201, 201],
    _comment_answer: [401, 201, 201, 403, 201, 201],
    _edit_question: [401, 200, 403, 403, 200, 200],
    _edit_answer: [401, 403, 200, 403, 200, 200],
    _delete_question: [401, 204, 403, 403, 403, 204],
    _delete_answer: [401, 403, 204, 403, 403, 204],
}
CASES = [
    pytest.param(action, role, status, id=f"{action.__name__[1:]}-{role}")
    for action, statuses in MATRIX.items()
    for role, status in zip(ROLES, statuses, strict=True)
]


def snapshot() -> tuple:
    """Everything a write could touch."""
    return (
        list(Question.objects.order_by("pk").values()),
        list(Answer.objects.order_by("pk").values()),
        list(Comment.objects.order_by("pk").values()),
        list(Vote.objects.order_by("pk").values()),
        list(Revision.objects.order_by("pk").values()),
    )


@pytest.mark.parametrize(("action", "role", "status"), CASES)
def test_permission_matrix(request, question, other_customer, action, role, status):
    answer = AnswerFactory(question=question, author=other_customer)
    client = request.getfixturevalue(role)
    before = snapshot()

    response = action(client, question, answer)

    assert response.status_code == status, response.content
    if status >= 400:
        body = response.json()
        assert set(body) == {"detail", "code"}
        assert body["code"] == {401: "not_authenticated", 403: "permission_denied"}[status]
        assert snapshot() == before
    else:
        assert snapshot() != before


def test_denied_reasons_say_why(newcomer_api, customer_api, other_api, question, other_customer):
    answer = AnswerFactory(question=question, author=other_customer)

    own_vote = _upvote_question(customer_api, question, answer).json()["detail"]
    no_privilege = _upvote_question(newcomer_api, question, answer).json()["detail"]
    not_asker = _accept(other_api, question, answer).json()["detail"]

    assert own_vote == "You cannot vote on your own post."
    assert "15 reputation" in no_privilege
    assert not_asker == "Only the person who asked can accept an answer."


def test_session_post_without_csrf_token_is_403(customer, question):
    from rest_framework.test import APIClient

    client = APIClient(enforce_csrf_checks=True)
    client.force_login(customer)
    before = snapshot()

    response = client.post(
        f"/api/v1/questions/{question.pk}/comments/", {"body": "Any news on this?"}, format="json"
    )

    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"
    assert response.json()["detail"].startswith("CSRF Failed")
    assert snapshot() == before


def test_session_post_with_csrf_token_works(customer, question):
    from rest_framework.test import APIClient

    client = APIClient(enforce_csrf_checks=True)
    client.force_login(customer)
    secret = "a" * 32
    client.cookies["csrftoken"] = secret

    response = client.post(
        f"/api/v1/questions/{question.pk}/comments/",
        {"body": "Any news on this?"},
        format="json",
        HTTP_X_CSRFTOKEN=secret,
    )

    assert response.status_code == 201
    assert Comment.objects.get().author == customer


def test_session_reads_need_no_csrf_token(customer, question):
    from rest_framework.test import APIClient

    client = APIClient(enforce_csrf_checks=True)
    client.force_login(customer)

    response = client.get("/api/v1/users/me/")

    assert response.status_code == 200
    assert response.json()["username"] == "anna"
