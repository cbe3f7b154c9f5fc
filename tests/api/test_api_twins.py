"""The API twins of HTML actions added with issue 14: comment edit and delete, close
votes, edit suggestions, redemption decisions, fair-play reviews, canned responses.
Same permissions as the pages: a refusal changes nothing."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from advocacy.models import CannedResponse, CloseVote, EditSuggestion
from forum.models import Comment, Question
from gamification.fairplay.models import FairPlayCase
from gamification.rewards.models import Redemption, Reward, RewardAccount
from tests.api.conftest import token_client
from tests.factories import CommentFactory, QuestionFactory, UserFactory


def _json(client, method: str, path: str, body: object = None):  # noqa: ANN001, ANN202
    return getattr(client, method)(path, body, format="json")


# Comments ---------------------------------------------------------------------------------


@pytest.fixture
def comment(question, other_customer):
    return CommentFactory(question=question, author=other_customer, body="Which phone is it?")


def test_the_author_edits_a_comment_within_five_minutes(other_api, comment, time_machine):
    time_machine.move_to(comment.created_at + timedelta(minutes=4), tick=False)
    response = _json(
        other_api, "patch", f"/api/v1/comments/{comment.pk}/", {"body": "Which **model** is it?"}
    )
    assert response.status_code == 200
    assert response.json()["body"] == "Which **model** is it?"
    comment.refresh_from_db()
    assert comment.body_html == "<p>Which <strong>model</strong> is it?</p>\n"

    time_machine.move_to(comment.created_at + timedelta(minutes=6), tick=False)
    late = _json(
        other_api, "patch", f"/api/v1/comments/{comment.pk}/", {"body": "Too late to edit this."}
    )
    assert late.status_code == 403
    comment.refresh_from_db()
    assert comment.body == "Which **model** is it?"


def test_others_cannot_edit_a_comment_but_moderators_can(customer_api, comment, advocate):
    response = _json(
        customer_api, "patch", f"/api/v1/comments/{comment.pk}/", {"body": "Hijacked text!"}
    )
    assert response.status_code == 403
    assert Comment.objects.get(pk=comment.pk).body == "Which phone is it?"
    moderated = _json(
        token_client(advocate),
        "patch",
        f"/api/v1/comments/{comment.pk}/",
        {"body": "Which phone model?"},
    )
    assert moderated.status_code == 200
    assert Comment.objects.get(pk=comment.pk).body == "Which phone model?"


@pytest.mark.parametrize("body", ["", "x", "a" * 601, 5, None])
def test_a_bad_comment_edit_is_a_400_and_changes_nothing(other_api, comment, body):
    response = _json(other_api, "patch", f"/api/v1/comments/{comment.pk}/", {"body": body})
    assert response.status_code == 400
    assert "body" in response.json()
    assert Comment.objects.get(pk=comment.pk).body == "Which phone is it?"


def test_deleting_a_comment(other_api, customer_api, comment, api):
    assert _json(customer_api, "delete", f"/api/v1/comments/{comment.pk}/").status_code == 403
    assert _json(api, "delete", f"/api/v1/comments/{comment.pk}/").status_code == 401
    assert Comment.objects.get(pk=comment.pk).deleted_at is None
    assert _json(other_api, "delete", f"/api/v1/comments/{comment.pk}/").status_code == 204
    assert Comment.objects.get(pk=comment.pk).deleted_at is not None
    assert _json(other_api, "get", f"/api/v1/comments/{comment.pk}/").status_code == 404


def test_a_comment_in_the_lounge_is_404_to_members(customer_api, advocate):
    from tests.factories import CategoryFactory

    lounge = CategoryFactory(slug="lounge", is_private=True)
    secret = CommentFactory(
        question=QuestionFactory(author=advocate, category=lounge), author=advocate
    )
    assert _json(customer_api, "get", f"/api/v1/comments/{secret.pk}/").status_code == 404
    assert _json(customer_api, "delete", f"/api/v1/comments/{secret.pk}/").status_code == 404


# Close votes ------------------------------------------------------------------------------


def test_three_close_votes_close_the_question(question):
    voters = [UserFactory(username=f"closer{i}", reputation=2000) for i in range(3)]
    path = f"/api/v1/questions/{question.pk}/close-votes/"
    first = _json(token_client(voters[0]), "post", path, {"reason": "off_topic"})
    assert first.status_code == 201
    assert (first.json()["kind"], first.json()["settled"]) == ("close", False)
    _json(token_client(voters[1]), "post", path, {"reason": "off_topic"})
    last = _json(token_client(voters[2]), "post", path, {"reason": "off_topic"})
    assert last.json()["settled"] is True
    assert Question.objects.get(pk=question.pk).closed_at is not None


def test_close_votes_need_the_privilege_and_a_reason(customer_api, question):
    path = f"/api/v1/questions/{question.pk}/close-votes/"
    assert _json(customer_api, "post", path, {"reason": "off_topic"}).status_code == 403
    closer = token_client(UserFactory(reputation=2000))
    assert _json(closer, "post", path, {"reason": "nonsense"}).status_code == 400
    assert _json(closer, "post", path, {}).status_code == 400
    assert (
        _json(closer, "post", path, {"reason": "duplicate", "duplicate_of": 999999}).status_code
        == 400
    )
    assert not CloseVote.objects.exists()


# Edit suggestions -------------------------------------------------------------------------

NEW_BODY = "The APN is internet.example; set it under Mobile networks, then restart."


def test_suggest_review_and_approve_an_edit(customer_api, advocate, helper):
    question = QuestionFactory(author=helper, title="Helper's question about APN", tags=["apn"])
    response = _json(
        customer_api,
        "post",
        f"/api/v1/questions/{question.pk}/suggested-edits/",
        {"body": NEW_BODY, "summary": "clearer"},
    )
    assert response.status_code == 201
    suggestion_id = response.json()["id"]
    assert Question.objects.get(pk=question.pk).body != NEW_BODY

    reviewer = token_client(advocate)
    pending = _json(reviewer, "get", "/api/v1/suggested-edits/").json()
    assert [s["id"] for s in pending["results"]] == [suggestion_id]
    assert _json(customer_api, "get", "/api/v1/suggested-edits/").status_code == 403

    approved = _json(reviewer, "post", f"/api/v1/suggested-edits/{suggestion_id}/approve/", {})
    assert approved.status_code == 200
    assert approved.json()["status"] == "approved"
    assert Question.objects.get(pk=question.pk).body == NEW_BODY


def test_rejecting_needs_a_reason_and_members_cannot_review(
    customer_api, advocate, helper, question
):
    answer_author = helper
    from tests.factories import AnswerFactory

    answer = AnswerFactory(question=question, author=answer_author)
    made = _json(
        customer_api, "post", f"/api/v1/answers/{answer.pk}/suggested-edits/", {"body": NEW_BODY}
    )
    assert made.status_code == 201
    pk = made.json()["id"]
    assert (
        _json(
            customer_api, "post", f"/api/v1/suggested-edits/{pk}/reject/", {"reason": "no"}
        ).status_code
        == 403
    )
    reviewer = token_client(advocate)
    assert _json(reviewer, "post", f"/api/v1/suggested-edits/{pk}/reject/", {}).status_code == 400
    assert EditSuggestion.objects.get(pk=pk).status == "pending"
    rejected = _json(
        reviewer, "post", f"/api/v1/suggested-edits/{pk}/reject/", {"reason": "Not accurate"}
    )
    assert rejected.status_code == 200
    assert EditSuggestion.objects.get(pk=pk).status == "rejected"


# Redemption decisions ---------------------------------------------------------------------


@pytest.fixture
def redemption(helper):
    from gamification.rewards import services as rewards

    RewardAccount.objects.create(member=helper, balance=500)
    reward = Reward.objects.create(name="T-shirt", cost=100, stock=3)
    return rewards.redeem_reward(actor=helper, reward=reward)


def test_staff_approve_a_redemption_once(staff_api, customer_api, redemption):
    path = f"/api/v1/rewards/redemptions/{redemption.pk}/approve/"
    assert _json(customer_api, "post", path, {}).status_code == 403
    assert Redemption.objects.get(pk=redemption.pk).status == "pending"
    response = _json(staff_api, "post", path, {"note": "Shipped"})
    assert response.status_code == 200
    assert (response.json()["status"], response.json()["member"]["username"]) == (
        "approved",
        "carla",
    )
    again = _json(
        staff_api, "post", f"/api/v1/rewards/redemptions/{redemption.pk}/refuse/", {"reason": "x"}
    )
    assert again.status_code == 409


def test_refusing_needs_a_reason_and_gives_the_points_back(staff_api, redemption, helper):
    path = f"/api/v1/rewards/redemptions/{redemption.pk}/refuse/"
    assert _json(staff_api, "post", path, {}).status_code == 400
    response = _json(staff_api, "post", path, {"reason": "Out of sizes"})
    assert response.status_code == 200
    assert response.json()["status"] == "refused"
    assert RewardAccount.objects.get(member=helper).balance == 500


def test_staff_cannot_decide_their_own_redemption(staff):
    from gamification.rewards import services as rewards

    RewardAccount.objects.create(member=staff, balance=500)
    own = rewards.redeem_reward(actor=staff, reward=Reward.objects.create(name="Mug", cost=100))
    response = _json(
        token_client(staff), "post", f"/api/v1/rewards/redemptions/{own.pk}/approve/", {}
    )
    assert response.status_code == 403
    assert Redemption.objects.get(pk=own.pk).status == "pending"


# Fair play --------------------------------------------------------------------------------


def test_staff_list_and_review_fair_play_cases(staff_api, customer_api, helper, other_customer):
    case = FairPlayCase.objects.create(kind="serial", signature="serial:1:2", vote_count=4)
    case.voters.add(other_customer)
    case.targets.add(helper)
    assert _json(customer_api, "get", "/api/v1/fair-play/cases/").status_code == 403
    listed = _json(staff_api, "get", "/api/v1/fair-play/cases/").json()
    assert [(c["id"], c["voters"], c["targets"]) for c in listed["results"]] == [
        (case.pk, ["bruno"], ["carla"])
    ]
    path = f"/api/v1/fair-play/cases/{case.pk}/review/"
    assert _json(customer_api, "post", path, {}).status_code == 403
    reviewed = _json(staff_api, "post", path, {"note": "Friends voting; reversal stands."})
    assert reviewed.status_code == 200
    assert reviewed.json()["status"] == "reviewed"
    assert _json(staff_api, "post", path, {}).status_code == 409
    assert _json(staff_api, "get", "/api/v1/fair-play/cases/?status=reviewed").json()["count"] == 1


# Canned responses -------------------------------------------------------------------------


def test_canned_responses_crud(manager, staff_api, customer_api):
    manager_api = token_client(manager)
    created = _json(
        manager_api,
        "post",
        "/api/v1/canned-responses/",
        {"title": "Restart", "body": "Hello {customer}, please restart.", "language": "en"},
    )
    assert created.status_code == 201
    pk = created.json()["id"]
    hidden = _json(
        manager_api,
        "post",
        "/api/v1/canned-responses/",
        {"title": "Old", "body": "Old text", "is_active": False},
    )
    assert hidden.status_code == 201

    staff_titles = [
        r["title"] for r in _json(staff_api, "get", "/api/v1/canned-responses/").json()["results"]
    ]
    assert "Restart" in staff_titles
    assert "Old" not in staff_titles
    assert _json(customer_api, "get", "/api/v1/canned-responses/").status_code == 403

    before = list(CannedResponse.objects.values())
    assert (
        _json(
            staff_api, "post", "/api/v1/canned-responses/", {"title": "T", "body": "B"}
        ).status_code
        == 403
    )
    assert (
        _json(staff_api, "patch", f"/api/v1/canned-responses/{pk}/", {"title": "X"}).status_code
        == 403
    )
    assert _json(staff_api, "delete", f"/api/v1/canned-responses/{pk}/").status_code == 403
    assert list(CannedResponse.objects.values()) == before

    changed = _json(manager_api, "patch", f"/api/v1/canned-responses/{pk}/", {"position": 3})
    assert (changed.status_code, changed.json()["position"]) == (200, 3)
    assert _json(manager_api, "delete", f"/api/v1/canned-responses/{pk}/").status_code == 204
    assert not CannedResponse.objects.filter(pk=pk).exists()


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"title": "", "body": "x"},
        {"title": "t" * 101, "body": "x"},
        {"title": "T", "body": "b" * 5001},
        {"title": "T", "body": "B", "language": "xx"},
        {"title": "T", "body": "B", "position": -1},
        {"title": "T", "body": "B", "position": "1"},
        {"title": "T", "body": "B", "is_active": "no"},
        {"title": 3, "body": "B"},
    ],
)
def test_bad_canned_responses_are_400(manager, body):
    response = _json(token_client(manager), "post", "/api/v1/canned-responses/", body)
    assert response.status_code == 400, response.content
    assert not CannedResponse.objects.filter(title="T").exists()


def test_new_lists_have_bounded_queries(staff, manager, django_assert_max_num_queries):
    for i in range(15):
        CannedResponse.objects.create(title=f"R{i}", body="text", updated_at=timezone.now())
        FairPlayCase.objects.create(kind="serial", signature=f"s{i}")
    client = token_client(staff)
    with django_assert_max_num_queries(5):
        assert client.get("/api/v1/canned-responses/").status_code == 200
    with django_assert_max_num_queries(7):
        assert client.get("/api/v1/fair-play/cases/").status_code == 200
