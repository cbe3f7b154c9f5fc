"""Answers, votes, acceptance and comments through the API."""

from __future__ import annotations

import pytest
from django.utils import timezone

from forum.models import Answer, Comment, Question, Revision, Vote
from tests.api.helpers import absolute, author, iso
from tests.factories import AnswerFactory, QuestionFactory


@pytest.fixture
def answer(question, other_customer):
    """An answer by `other_customer` to `customer`'s question."""
    return AnswerFactory(question=question, author=other_customer, body="Restart the phone.")


# Answers --------------------------------------------------------------------------------


def test_post_an_answer(other_api, question, other_customer):
    response = other_api.post(
        f"/api/v1/questions/{question.pk}/answers/",
        {"body": "Dial *100# and follow the menu."},
        format="json",
    )

    assert response.status_code == 201
    answer = Answer.objects.get()
    assert response["Location"] == absolute(f"/api/v1/answers/{answer.pk}/")
    assert response.json() == {
        "id": answer.pk,
        "question_id": question.pk,
        "author": author(other_customer),
        "body": "Dial *100# and follow the menu.",
        "body_html": "<p>Dial *100# and follow the menu.</p>\n",
        "score": 0,
        "is_accepted": False,
        "my_vote": 0,
        "comment_count": 0,
        "created_at": iso(answer.created_at),
        "edited_at": None,
        "is_deleted": False,
        "url": absolute(f"/q/{question.pk}/#answer-{answer.pk}"),
        "comments": [],
    }
    question.refresh_from_db()
    assert question.answer_count == 1
    assert Revision.objects.filter(answer=answer, number=1).exists()


def test_a_closed_question_takes_no_answers(other_api, question):
    Question.objects.filter(pk=question.pk).update(closed_at=timezone.now())

    response = other_api.post(
        f"/api/v1/questions/{question.pk}/answers/", {"body": "Dial *100# please."}, format="json"
    )

    assert response.status_code == 403
    assert response.json() == {
        "detail": "This question is closed and no longer accepts answers.",
        "code": "permission_denied",
    }
    assert not Answer.objects.exists()


@pytest.mark.parametrize(("client_name", "status"), [("customer_api", 403), ("other_api", 404)])
def test_a_deleted_question_takes_no_answers(request, question, client_name, status):
    Question.objects.filter(pk=question.pk).update(deleted_at=timezone.now())

    response = request.getfixturevalue(client_name).post(
        f"/api/v1/questions/{question.pk}/answers/", {"body": "Dial *100# please."}, format="json"
    )

    assert response.status_code == status
    assert not Answer.objects.exists()


def test_get_an_answer_with_comments_and_my_vote(customer_api, answer, customer):
    Vote.objects.create(voter=customer, answer=answer, value=1)
    Answer.objects.filter(pk=answer.pk).update(score=1)
    customer_api.post(
        f"/api/v1/answers/{answer.pk}/comments/", {"body": "That worked, thanks!"}, format="json"
    )

    response = customer_api.get(f"/api/v1/answers/{answer.pk}/")

    assert response.status_code == 200
    body = response.json()
    assert (body["id"], body["score"], body["my_vote"]) == (answer.pk, 1, 1)
    assert [c["body"] for c in body["comments"]] == ["That worked, thanks!"]


def test_author_edits_an_answer(other_api, answer):
    response = other_api.patch(
        f"/api/v1/answers/{answer.pk}/",
        {"body": "Restart the phone, then retry.", "summary": "more detail"},
        format="json",
    )

    assert response.status_code == 200
    assert response.json()["body_html"] == "<p>Restart the phone, then retry.</p>\n"
    answer.refresh_from_db()
    assert answer.body == "Restart the phone, then retry."
    assert Revision.objects.get(answer=answer).summary == "more detail"


def test_editing_an_answer_needs_a_body(other_api, answer):
    response = other_api.patch(f"/api/v1/answers/{answer.pk}/", {}, format="json")

    assert response.status_code == 400
    assert response.json() == {"body": ["This field is required."]}


def test_author_deletes_an_accepted_answer(other_api, question, answer):
    Question.objects.filter(pk=question.pk).update(accepted_answer=answer)

    response = other_api.delete(f"/api/v1/answers/{answer.pk}/")

    assert response.status_code == 204
    question.refresh_from_db()
    answer.refresh_from_db()
    assert answer.deleted_at is not None
    assert (question.answer_count, question.accepted_answer_id) == (0, None)


# Votes ----------------------------------------------------------------------------------


def test_vote_up_down_again_and_withdraw(other_api, question, other_customer):
    url = f"/api/v1/questions/{question.pk}/vote/"

    results = [
        other_api.post(url, {"value": value}, format="json").json() for value in (1, 1, -1, 0)
    ]

    assert results == [
        {"score": 1, "my_vote": 1},
        {"score": 1, "my_vote": 1},
        {"score": -1, "my_vote": -1},
        {"score": 0, "my_vote": 0},
    ]
    assert not Vote.objects.exists()
    question.refresh_from_db()
    assert question.score == 0


def test_vote_on_an_answer(customer_api, answer, customer):
    response = customer_api.post(f"/api/v1/answers/{answer.pk}/vote/", {"value": 1}, format="json")

    assert response.status_code == 200
    assert response.json() == {"score": 1, "my_vote": 1}
    assert Vote.objects.get().voter == customer
    answer.refresh_from_db()
    assert answer.score == 1


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("abc", "Expected a whole number (a JSON integer)."),
        ("1", "Expected a whole number (a JSON integer)."),
        (1.0, "Expected a whole number (a JSON integer)."),
        (True, "Expected a whole number (a JSON integer)."),
        ([1], "Expected a whole number (a JSON integer)."),
        ({"up": 1}, "Expected a whole number (a JSON integer)."),
        (None, "This field may not be null."),
        (2, "A vote is 1 (up), -1 (down) or 0 (withdraw)."),
        (-2, "A vote is 1 (up), -1 (down) or 0 (withdraw)."),
        (10**30, "A vote is 1 (up), -1 (down) or 0 (withdraw)."),
    ],
)
def test_a_vote_that_is_not_1_minus_1_or_0_is_400(other_api, question, value, message):
    response = other_api.post(
        f"/api/v1/questions/{question.pk}/vote/", {"value": value}, format="json"
    )

    assert response.status_code == 400
    assert response.json() == {"value": [message]}
    assert not Vote.objects.exists()


def test_a_vote_without_value_is_400(other_api, question):
    response = other_api.post(f"/api/v1/questions/{question.pk}/vote/", {}, format="json")

    assert response.status_code == 400
    assert response.json() == {"value": ["This field is required."]}


# Accept ---------------------------------------------------------------------------------


def test_asker_accepts_and_unaccepts(customer_api, question, answer):
    url = f"/api/v1/answers/{answer.pk}/accept/"

    accepted = customer_api.post(url)
    question.refresh_from_db()
    accepted_id = question.accepted_answer_id
    withdrawn = customer_api.delete(url)

    assert accepted.status_code == 200
    assert accepted.json() == {
        "question_id": question.pk,
        "accepted_answer_id": answer.pk,
        "accepted_on_behalf_by": None,
    }
    assert accepted_id == answer.pk
    assert withdrawn.status_code == 200
    assert withdrawn.json() == {
        "question_id": question.pk,
        "accepted_answer_id": None,
        "accepted_on_behalf_by": None,
    }
    question.refresh_from_db()
    assert question.accepted_answer_id is None


def test_accepting_another_answer_replaces_the_first(customer_api, question, answer, helper):
    second = AnswerFactory(question=question, author=helper)
    customer_api.post(f"/api/v1/answers/{answer.pk}/accept/")

    response = customer_api.post(f"/api/v1/answers/{second.pk}/accept/")

    assert response.json() == {
        "question_id": question.pk,
        "accepted_answer_id": second.pk,
        "accepted_on_behalf_by": None,
    }
    detail = customer_api.get(f"/api/v1/questions/{question.pk}/").json()
    assert [(a["id"], a["is_accepted"]) for a in detail["answers"]] == [
        (second.pk, True),
        (answer.pk, False),
    ]


def test_a_deleted_answer_cannot_be_accepted(customer_api, question, answer):
    Answer.objects.filter(pk=answer.pk).update(deleted_at=timezone.now())

    response = customer_api.post(f"/api/v1/answers/{answer.pk}/accept/")

    assert response.status_code == 404
    question.refresh_from_db()
    assert question.accepted_answer_id is None


# Comments -------------------------------------------------------------------------------


def test_comment_on_a_question(other_api, question, other_customer):
    response = other_api.post(
        f"/api/v1/questions/{question.pk}/comments/", {"body": "Which **phone**?"}, format="json"
    )

    assert response.status_code == 201
    comment = Comment.objects.get()
    assert response.json() == {
        "id": comment.pk,
        "author": author(other_customer),
        "body": "Which **phone**?",
        "body_html": "<p>Which <strong>phone</strong>?</p>\n",
        "created_at": iso(comment.created_at),
    }
    assert comment.question_id == question.pk
    question.refresh_from_db()
    assert question.comment_count == 1


def test_comment_on_an_answer(customer_api, answer):
    response = customer_api.post(
        f"/api/v1/answers/{answer.pk}/comments/", {"body": "It worked, thanks."}, format="json"
    )

    assert response.status_code == 201
    assert Comment.objects.get().answer_id == answer.pk
    answer.refresh_from_db()
    assert answer.comment_count == 1


def test_comment_limits(other_api, question):
    url = f"/api/v1/questions/{question.pk}/comments/"

    too_short = other_api.post(url, {"body": "Hey"}, format="json")
    shortest = other_api.post(url, {"body": "Hey!!"}, format="json")
    longest = other_api.post(url, {"body": "x" * 600}, format="json")
    too_long = other_api.post(url, {"body": "x" * 601}, format="json")

    assert too_short.status_code == 400
    assert too_short.json() == {"body": ["The comment must be at least 5 characters long."]}
    assert (shortest.status_code, longest.status_code) == (201, 201)
    assert too_long.status_code == 400
    assert too_long.json() == {
        "body": ["The comment must be at most 600 characters long (it has 601)."]
    }
    assert Comment.objects.count() == 2


@pytest.mark.parametrize("path", ["questions", "answers"])
def test_comments_on_unknown_posts_are_404(other_api, db, path):
    response = other_api.post(
        f"/api/v1/{path}/424242/comments/", {"body": "Hello there"}, format="json"
    )

    assert response.status_code == 404
    assert not Comment.objects.exists()


def test_question_in_the_list_after_answers_and_votes(other_api, customer_api, question, answer):
    other_api.post(f"/api/v1/questions/{question.pk}/vote/", {"value": 1}, format="json")
    customer_api.post(f"/api/v1/answers/{answer.pk}/accept/")
    QuestionFactory(author=question.author, tags=["sim"])

    listed = other_api.get("/api/v1/questions/?status=solved").json()["results"]

    assert [(q["id"], q["score"], q["answer_count"], q["accepted_answer_id"]) for q in listed] == [
        (question.pk, 1, 1, answer.pk)
    ]
