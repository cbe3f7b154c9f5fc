"""The gamification API: `/api/v1/leaderboard/`, rank/badges/is_advocate on members, and
the rewards endpoints."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from forum import services
from forum.models import User
from gamification.rewards.models import Redemption
from tests.api.conftest import token_client
from tests.factories import AnswerFactory, QuestionFactory
from tests.gamification.rewards_support import (
    assert_rewards_invariants,
    balance,
    fund,
    reward,
)
from tests.gamification.support import member, voters


@pytest.fixture(autouse=True)
def _invariants_hold(db):
    yield
    assert_rewards_invariants()


@pytest.fixture
def api(db) -> APIClient:
    """An anonymous client."""
    return APIClient()


def board(client, query: str = "") -> dict:  # noqa: ANN001
    response = client.get(f"/api/v1/leaderboard/{query}")
    assert response.status_code == 200, response.content
    return response.json()


def ranking(body: dict) -> list[tuple[int, str, int]]:
    return [(e["position"], e["member"]["username"], e["points"]) for e in body["results"]]


# Leaderboard ------------------------------------------------------------------------------


def test_the_weekly_board_ranks_members_by_points_and_leaves_out_staff_and_suspended(api):
    ada, bea, cid = (member(1, username=n) for n in ("ada", "bea", "cid"))
    agent = member(1, username="agent", is_staff=True)
    sus = member(1, username="sus")
    for who, amount in ((ada, 30), (bea, 50), (cid, 30), (agent, 500), (sus, 400)):
        fund(who, amount)
    User.objects.filter(pk=sus.pk).update(suspended_until=timezone.now() + timedelta(days=1))

    body = board(api)

    assert body["period"] == "week"
    assert body["tag"] is None
    assert body["me"] is None
    assert body["count"] == 3
    assert ranking(body) == [(1, "bea", 50), (2, "ada", 30), (3, "cid", 30)]
    assert body["results"][0]["member"]["rank"] == "Member"  # reputation 51


def test_a_member_sees_their_own_position_beyond_the_page():
    crowd = [member(1, username=f"m{i}") for i in range(4)]
    for i, who in enumerate(crowd):
        fund(who, 100 - i * 10)

    body = board(token_client(crowd[3]), "?page_size=2")

    assert ranking(body) == [(1, "m0", 100), (2, "m1", 90)]
    assert body["count"] == 4
    assert body["next"].endswith("page=2&page_size=2")
    assert body["me"]["position"] == 4
    assert body["me"]["points"] == 70
    page2 = board(token_client(crowd[3]), "?page_size=2&page=2")
    assert ranking(page2) == [(3, "m2", 80), (4, "m3", 70)]


def test_periods_and_tags(api):
    answer = AnswerFactory(
        question=QuestionFactory(tags=["roaming"]), author=member(1, username="ada")
    )
    fund(member(1, username="bea"), 25)
    for v in voters(2):
        services.cast_vote(actor=v, post=answer, value=1)

    def ours(body: dict) -> list[tuple[str, int]]:  # the voters' opening balances aside
        return [(name, points) for _p, name, points in ranking(body) if name in {"ada", "bea"}]

    assert ours(board(api, "?period=month")) == [("bea", 25), ("ada", 20)]
    assert ours(board(api, "?period=all")) == [("bea", 25), ("ada", 20)]
    tagged = board(api, "?tag=roaming")
    assert ranking(tagged) == [(1, "ada", 20)]
    assert tagged["tag"] == "roaming"


@pytest.mark.parametrize(
    ("query", "field"),
    # (a tag that does not exist is a 404: tests/api/test_schema_conformance.py)
    [("?period=year", "period"), ("?tag=" + "x" * 101, "tag")],
)
def test_bad_parameters_are_400(api, query, field):
    response = api.get(f"/api/v1/leaderboard/{query}")

    assert response.status_code == 400
    assert field in response.json()


def test_the_board_costs_the_same_queries_for_5_or_25_members(customer):
    client = token_client(customer)
    for i in range(5):
        fund(member(1, username=f"a{i}"), 10 + i)
    board(client, "?page_size=50")
    with CaptureQueriesContext(connection) as few:
        board(client, "?page_size=50")
    for i in range(20):
        fund(member(1, username=f"b{i}"), 10 + i)
    with CaptureQueriesContext(connection) as many:
        body = board(client, "?page_size=50")

    assert len(body["results"]) == 26  # and the customer, with an opening balance this week
    assert len(many.captured_queries) == len(few.captured_queries)


# Members: rank, badges, is_advocate -------------------------------------------------------


def test_members_show_rank_badges_and_advocacy(api, advocate):
    services.post_answer(
        actor=advocate, question=QuestionFactory(), body="Restart the phone, please."
    )

    body = api.get(f"/api/v1/users/{advocate.pk}/").json()

    assert body["rank"] == "Champion"  # 6000
    assert body["is_advocate"] is True
    assert body["badges"] == [
        {"key": "first-answer", "name": "First answer", "tier": "bronze", "count": 1}
    ]


def test_me_shows_them_too(customer):
    body = token_client(customer).get("/api/v1/users/me/").json()

    assert (body["rank"], body["badges"], body["is_advocate"]) == ("Newcomer", [], False)


def test_the_member_view_costs_the_same_queries_with_1_or_10_badges(api, helper):
    from gamification.models import BadgeAward

    BadgeAward.objects.create(member=helper, badge="curious", tier="bronze")
    with CaptureQueriesContext(connection) as few:
        api.get(f"/api/v1/users/{helper.pk}/")
    for i in range(9):
        BadgeAward.objects.create(
            member=helper, badge="good-answer", scope=f"answer:{i}", tier="silver"
        )
    with CaptureQueriesContext(connection) as many:
        body = api.get(f"/api/v1/users/{helper.pk}/").json()

    assert {b["key"]: b["count"] for b in body["badges"]} == {"good-answer": 9, "curious": 1}
    assert len(many.captured_queries) == len(few.captured_queries)


# Rewards ----------------------------------------------------------------------------------


def test_the_catalogue_with_and_without_a_balance(api, customer):
    fund(customer, 70)
    item = reward(name="Mug", name_it="Tazza", cost=50, stock=None)
    reward(name="Gone", active=False)

    anonymous = api.get("/api/v1/rewards/").json()
    mine = token_client(customer).get("/api/v1/rewards/", HTTP_ACCEPT_LANGUAGE="it").json()

    assert anonymous == {
        "balance": None,
        "results": [{"id": item.pk, "name": "Mug", "description": "", "cost": 50, "stock": None}],
    }
    assert mine["balance"] == 70
    assert mine["results"][0]["name"] == "Tazza"


def test_redeeming_through_the_api_and_retrying_with_the_same_key(customer):
    fund(customer, 250)
    item = reward(cost=100, stock=4)
    client = token_client(customer)

    first = client.post(f"/api/v1/rewards/{item.pk}/redeem/", {"key": "k-1"}, format="json")
    again = client.post(f"/api/v1/rewards/{item.pk}/redeem/", {"key": "k-1"}, format="json")

    assert first.status_code == 201
    assert first.json()["status"] == "pending"
    assert first.json()["cost"] == 100
    assert again.status_code == 200
    assert again.json()["id"] == first.json()["id"]
    assert balance(customer) == 150
    listed = client.get("/api/v1/rewards/redemptions/").json()
    assert [r["id"] for r in listed["results"]] == [first.json()["id"]]


def test_not_enough_points_is_400_with_a_detail(customer):
    fund(customer, 10)
    item = reward(cost=100)

    response = token_client(customer).post(f"/api/v1/rewards/{item.pk}/redeem/", {}, format="json")

    assert response.status_code == 400
    assert response.json() == {"detail": "“Mug” costs 100 points; you have 10."}
    assert not Redemption.objects.exists()


def test_suspended_members_get_403(suspended_member):
    response = token_client(suspended_member).post(
        f"/api/v1/rewards/{reward(cost=1).pk}/redeem/", {}, format="json"
    )

    assert response.status_code == 403
    assert "suspended" in response.json()["detail"]


def test_anonymous_redeem_is_401(api):
    assert api.post(f"/api/v1/rewards/{reward().pk}/redeem/", {}, format="json").status_code == 401


@pytest.mark.parametrize("body", [[], "key", {"key": ["a"]}, {"key": "x" * 41}])
def test_bad_bodies_are_400(customer, body):
    fund(customer, 500)
    response = token_client(customer).post(
        f"/api/v1/rewards/{reward().pk}/redeem/", body, format="json"
    )

    assert response.status_code == 400
    assert balance(customer) == 500


@pytest.mark.parametrize("pk", ["999", str(2**64)])
def test_unknown_rewards_are_404(customer, pk):
    response = token_client(customer).post(f"/api/v1/rewards/{pk}/redeem/", {}, format="json")

    assert response.status_code == 404
