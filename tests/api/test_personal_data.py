"""Personal data in posts over the API (API.md "Personal data in posts"): 400 with
`code` personal_data and the findings, unless the body says `"personal_data": "mask"`."""

from __future__ import annotations

from forum.models import Answer, Comment, Question
from tests.forum.test_personal_data import IBAN, IBAN_MASKED, PHONE, PHONE_MASKED


def test_api_refuses_with_the_contract_body(customer_api):
    body = f"Refund to {IBAN}, thanks a lot."
    response = customer_api.post(
        "/api/v1/questions/",
        {"title": "Refund never arrived on my account", "body": body, "tags": ["billing"]},
        format="json",
    )
    assert response.status_code == 400
    data = response.json()
    assert data["code"] == "personal_data"
    assert "IBAN" in data["detail"]
    start = body.index(IBAN)
    assert data["findings"] == [
        {"kind": "iban", "start": start, "end": start + len(IBAN), "field": "body"}
    ]
    assert Question.objects.count() == 0


def test_api_masks_on_request(customer_api, other_api, question):
    response = customer_api.post(
        "/api/v1/questions/",
        {
            "title": "Refund never arrived on my account",
            "body": f"Refund to {IBAN}, thanks a lot.",
            "tags": ["billing"],
            "personal_data": "mask",
        },
        format="json",
    )
    assert response.status_code == 201
    assert Question.objects.get(pk=response.json()["id"]).body == (
        f"Refund to {IBAN_MASKED}, thanks a lot."
    )
    url = f"/api/v1/questions/{question.pk}/answers/"
    refused = other_api.post(url, {"body": f"Call {PHONE} today"}, format="json")
    assert refused.status_code == 400
    assert refused.json()["findings"] == [{"kind": "phone", "start": 5, "end": 17, "field": "body"}]
    posted = other_api.post(
        url, {"body": f"Call {PHONE} today", "personal_data": "mask"}, format="json"
    )
    assert posted.status_code == 201
    assert Answer.objects.get(pk=posted.json()["id"]).body == f"Call {PHONE_MASKED} today"
    comments = f"/api/v1/questions/{question.pk}/comments/"
    assert other_api.post(comments, {"body": f"IBAN {IBAN}"}, format="json").status_code == 400
    assert (
        other_api.post(
            comments, {"body": f"IBAN {IBAN}", "personal_data": "mask"}, format="json"
        ).status_code
        == 201
    )
    assert Comment.objects.get().body == f"IBAN {IBAN_MASKED}"


def test_api_edit_is_guarded_and_a_wrong_mode_is_a_field_error(customer_api, question):
    url = f"/api/v1/questions/{question.pk}/"
    before = question.body
    refused = customer_api.patch(url, {"title": f"Call {PHONE} please now"}, format="json")
    assert refused.status_code == 400
    assert refused.json()["findings"][0]["field"] == "title"
    wrong = customer_api.patch(
        url, {"body": f"{before} {PHONE}", "personal_data": "yes"}, format="json"
    )
    assert wrong.status_code == 400
    assert list(wrong.json()) == ["personal_data"]
    question.refresh_from_db()
    assert question.body == before
    masked = customer_api.patch(
        url, {"body": f"{before} {PHONE}", "personal_data": "mask"}, format="json"
    )
    assert masked.status_code == 200
    question.refresh_from_db()
    assert question.body == f"{before} {PHONE_MASKED}"
