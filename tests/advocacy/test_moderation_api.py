"""The moderation endpoints: flags, the queue, resolving (API.md)."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from advocacy.models import AuditEntry, Flag
from advocacy.services.flags import raise_flag
from forum.models import Question
from gamification.models import PointEvent
from tests.advocacy.support import flaggers
from tests.factories import AnswerFactory, CommentFactory, QuestionFactory
from tests.naughty import NAUGHTY_SAMPLE

pytestmark = pytest.mark.django_db


def api(user=None) -> APIClient:  # noqa: ANN001
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


@pytest.fixture
def question(helper):
    return QuestionFactory(author=helper)


@pytest.mark.parametrize("kind", ["questions", "answers", "comments"])
def test_a_member_flags_each_kind_of_post(kind, question, helper, customer):
    answer = AnswerFactory(question=question, author=helper)
    comment = CommentFactory(question=question, author=helper)
    pk = {"questions": question.pk, "answers": answer.pk, "comments": comment.pk}[kind]
    response = api(customer).post(
        f"/api/v1/{kind}/{pk}/flags/", {"reason": "spam", "note": "ads"}, format="json"
    )
    assert response.status_code == 201
    body = response.json()
    assert body["post"] == f"{kind[:-1]}:{pk}"
    assert (body["reason"], body["note"], body["status"], body["flagger"]) == (
        "spam",
        "ads",
        "open",
        "anna",
    )
    assert body["question"] == question.pk


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({}, "reason"),
        ({"reason": "abuse"}, "reason"),
        ({"reason": 1}, "reason"),
        ({"reason": ["spam"]}, "reason"),
        ({"reason": "spam", "note": "x" * 501}, "note"),
        ({"reason": "spam", "note": {"a": 1}}, "note"),
    ],
)
def test_bad_flags_are_400_with_the_field(question, customer, payload, field):
    response = api(customer).post(f"/api/v1/questions/{question.pk}/flags/", payload, format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert Flag.objects.count() == 0


def test_a_second_open_flag_is_400(question, customer):
    url = f"/api/v1/questions/{question.pk}/flags/"
    assert api(customer).post(url, {"reason": "spam"}, format="json").status_code == 201
    second = api(customer).post(url, {"reason": "rude"}, format="json")
    assert second.status_code == 400
    assert "already flagged" in second.json()["reason"][0]


def test_flag_refusals(question, helper, newcomer):
    url = f"/api/v1/questions/{question.pk}/flags/"
    assert api().post(url, {"reason": "spam"}, format="json").status_code in (401, 403)
    assert api(newcomer).post(url, {"reason": "spam"}, format="json").status_code == 403
    assert api(helper).post(url, {"reason": "spam"}, format="json").status_code == 403
    assert (
        api(helper)
        .post("/api/v1/questions/999999/flags/", {"reason": "spam"}, format="json")
        .status_code
        == 404
    )
    assert Flag.objects.count() == 0


def test_naughty_notes_round_trip(question, settings):
    settings.CIRCOLO_FLAG_RATE = "10000/m"
    members = flaggers(len(NAUGHTY_SAMPLE), prefix="n")
    for member, text in zip(members, NAUGHTY_SAMPLE, strict=True):
        response = api(member).post(
            f"/api/v1/questions/{question.pk}/flags/",
            {"reason": "off_topic", "note": text[:500]},
            format="json",
        )
        assert response.status_code in (201, 400), text


def test_the_queue_lists_flags_grouped_and_first_posts(question, advocate, newcomer):
    members = flaggers(2)
    for member in members:
        raise_flag(actor=member, post=question, reason="off_topic")
    first = QuestionFactory(author=newcomer)
    body = api(advocate).get("/api/v1/moderation/queue/").json()
    assert [item["item"] for item in body["flags"]] == [f"flags:question:{question.pk}"]
    assert [f["flagger"] for f in body["flags"][0]["flags"]] == ["flagger00", "flagger01"]
    assert f"first:question:{first.pk}" in [item["item"] for item in body["first_posts"]]


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("customer", 403),
        ("other_customer", 403),
        ("helper", 403),
        ("revoked_advocate", 403),
        ("suspended_member", 403),
        ("advocate", 200),
        ("staff", 200),
        ("manager", 200),
    ],
)
def test_who_reads_the_queue(request, who, status):
    assert api(request.getfixturevalue(who)).get("/api/v1/moderation/queue/").status_code == status


def test_anonymous_cannot_read_the_queue():
    assert api().get("/api/v1/moderation/queue/").status_code in (401, 403)


def test_resolving_by_hiding(question, advocate):
    members = flaggers(2)
    flag = raise_flag(actor=members[0], post=question, reason="spam")
    raise_flag(actor=members[1], post=question, reason="spam")
    response = api(advocate).post(
        f"/api/v1/moderation/flags/{flag.pk}/resolve/",
        {"action": "hide", "note": "Spam"},
        format="json",
    )
    assert response.status_code == 200
    body = response.json()
    assert (body["action"], body["status"]) == ("hide", "upheld")
    assert [f["status"] for f in body["flags"]] == ["upheld", "upheld"]
    assert Question.objects.get(pk=question.pk).hidden_at is not None
    assert PointEvent.objects.filter(rule="flag_upheld").count() == 2


@pytest.mark.parametrize(
    ("payload", "status"),
    [
        ({"action": "delete"}, 400),
        ({}, 400),
        ({"action": ["hide"]}, 400),
        ({"action": "hide", "note": "x" * 501}, 400),
    ],
)
def test_bad_resolutions_are_400_and_change_nothing(question, advocate, payload, status):
    flag = raise_flag(actor=flaggers(1)[0], post=question, reason="spam")
    response = api(advocate).post(
        f"/api/v1/moderation/flags/{flag.pk}/resolve/", payload, format="json"
    )
    assert response.status_code == status
    assert Flag.objects.get().status == "open"
    assert AuditEntry.objects.exclude(action="flag.create").count() == 0


def test_resolving_an_unknown_or_resolved_flag(question, advocate):
    assert (
        api(advocate)
        .post("/api/v1/moderation/flags/999999/resolve/", {"action": "hide"}, format="json")
        .status_code
        == 404
    )
    flag = raise_flag(actor=flaggers(1)[0], post=question, reason="spam")
    url = f"/api/v1/moderation/flags/{flag.pk}/resolve/"
    assert api(advocate).post(url, {"action": "dismiss"}, format="json").status_code == 200
    again = api(advocate).post(url, {"action": "hide"}, format="json")
    assert again.status_code == 400
    assert "already been resolved" in again.json()["flag"][0]
