"""/api/v1/users/{id}/ and /api/v1/users/me/."""

from __future__ import annotations

import pytest
from django.utils import timezone

from forum.models import Question
from tests.api.helpers import absolute, iso
from tests.factories import AnswerFactory, QuestionFactory, UserFactory


def test_member_profile(api, helper, customer):
    question = QuestionFactory(author=helper)
    QuestionFactory(author=helper, deleted_at=timezone.now())
    accepted = AnswerFactory(question=QuestionFactory(author=customer), author=helper)
    Question.objects.filter(pk=accepted.question_id).update(accepted_answer=accepted)
    AnswerFactory(question=question, author=helper)

    response = api.get(f"/api/v1/users/{helper.pk}/")

    assert response.status_code == 200
    assert response.json() == {
        "id": helper.pk,
        "username": "carla",
        "display_name": "Carla Verdi",
        "reputation": 1500,
        "rank": "Expert",
        "badges": [],
        "is_advocate": False,
        "is_staff": False,
        "date_joined": iso(helper.date_joined),
        "question_count": 1,
        "answer_count": 2,
        "accepted_answer_count": 1,
        "url": absolute("/u/carla/"),
    }


def test_display_name_falls_back_to_username(api, db):
    member = UserFactory(username="quiet", display_name="")

    assert api.get(f"/api/v1/users/{member.pk}/").json()["display_name"] == "quiet"


def test_me(staff_api, staff):
    response = staff_api.get("/api/v1/users/me/")

    assert response.status_code == 200
    body = response.json()
    assert (body["id"], body["username"], body["is_staff"]) == (staff.pk, "sofia-staff", True)


@pytest.mark.parametrize("member_id", ["424242", "99999999999999999999"])
def test_unknown_member_is_404(api, db, member_id):
    response = api.get(f"/api/v1/users/{member_id}/")

    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_disabled_member_is_404(api, db):
    member = UserFactory(username="left", is_active=False)

    assert api.get(f"/api/v1/users/{member.pk}/").status_code == 404


def test_me_needs_authentication(api):
    response = api.get("/api/v1/users/me/")

    assert response.status_code == 401
