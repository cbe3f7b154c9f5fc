"""The rewards pages: catalogue, redeeming (plain POST and htmx), my redemptions, the
staff queue. Refusals change nothing; every text is escaped."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from core.text import clean_line
from forum.models import Notification
from gamification.rewards import services as rewards
from gamification.rewards.models import Redemption
from tests.gamification.rewards_support import (
    assert_rewards_invariants,
    balance,
    fund,
    reward,
    stock,
)
from tests.naughty import NAUGHTY_SAMPLE

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture(autouse=True)
def _invariants_hold(db):
    yield
    assert_rewards_invariants()


def key_of(page) -> str:  # noqa: ANN001
    return re.search(r'name="key" value="([0-9a-f]{32})"', page.content.decode()).group(1)


# Catalogue ----------------------------------------------------------------------------------


def test_anonymous_visitors_see_the_catalogue_and_a_login_link(client):
    reward(name="Mug", cost=100)
    reward(name="Hidden", active=False)

    page = client.get("/rewards/")

    body = page.content.decode()
    assert page.status_code == 200
    assert "Mug" in body
    assert "Hidden" not in body
    assert "Log in to see your balance" in body
    assert "/redeem/" not in body


def test_members_see_their_balance_and_redeem_buttons(customer, customer_client):
    fund(customer, 120)
    item = reward(name="Mug", cost=100, stock=3)

    body = customer_client.get("/rewards/").content.decode()

    assert "Your balance: <strong>120</strong> points" in body
    assert f'action="/rewards/{item.pk}/redeem/"' in body
    assert "3 left" in body


def test_a_reward_beyond_the_balance_says_so_beside_a_disabled_looking_button(
    customer, customer_client
):
    fund(customer, 40)
    affordable = reward(name="Sticker", cost=40, stock=None)
    dear = reward(name="Hoodie", cost=100, stock=None)

    body = customer_client.get("/rewards/").content.decode()

    dear_card = body.split(f'id="reward-{dear.pk}"')[1].split("</li>")[0]
    cheap_card = body.split(f'id="reward-{affordable.pk}"')[1].split("</li>")[0]
    assert 'aria-disabled="true"' in dear_card
    assert "Not enough points yet</span>" in dear_card
    assert "aria-disabled" not in cheap_card
    assert "Not enough points yet" not in cheap_card


def test_italian_readers_see_the_italian_names(customer_client):
    reward(name="Mug", name_it="Tazza", description="A mug", description_it="Una tazza")

    body = customer_client.get("/rewards/", HTTP_ACCEPT_LANGUAGE="it").content.decode()

    assert "Tazza" in body
    assert "Una tazza" in body


def test_suspended_members_are_told_and_get_no_button(suspended_member):
    reward()
    client = Client()
    client.force_login(suspended_member)

    body = client.get("/rewards/").content.decode()

    assert "Your account is suspended" in body
    assert "/redeem/" not in body


def test_the_catalogue_costs_the_same_queries_for_3_or_30_rewards(customer_client, customer):
    """Constant in the catalogue's size; the page's own reads are the rewards and the
    balance (the rest is the layout's: session, member, bell, navigation)."""
    fund(customer, 10)
    for i in range(3):
        reward(name=f"R{i}")
    customer_client.get("/rewards/")
    with CaptureQueriesContext(connection) as few:
        customer_client.get("/rewards/")
    for i in range(27):
        reward(name=f"S{i}")
    with CaptureQueriesContext(connection) as many:
        page = customer_client.get("/rewards/")

    assert page.content.decode().count('class="card reward-card') == 30
    assert len(many.captured_queries) == len(few.captured_queries) <= 8


# Redeeming ----------------------------------------------------------------------------------


def test_redeeming_redirects_to_my_redemptions(customer, customer_client):
    fund(customer, 150)
    item = reward(cost=100, stock=2)
    key = key_of(customer_client.get("/rewards/"))

    response = customer_client.post(f"/rewards/{item.pk}/redeem/", {"key": key})

    assert response.status_code == 302
    assert response["Location"] == "/rewards/mine/"
    assert balance(customer) == 50
    assert stock(item) == 1
    page = customer_client.get("/rewards/mine/").content.decode()
    assert "You redeemed “Mug”" in page
    assert "Waiting for approval" in page
    # The same form sent again (a double-click, the back button) redeems nothing more.
    customer_client.post(f"/rewards/{item.pk}/redeem/", {"key": key})
    assert balance(customer) == 50
    assert Redemption.objects.count() == 1


def test_redeeming_with_htmx_swaps_the_card_and_the_balance(customer, customer_client):
    fund(customer, 150)
    item = reward(cost=100, stock=2)

    response = customer_client.post(f"/rewards/{item.pk}/redeem/", {"key": "k1"}, **HTMX)

    body = response.content.decode()
    assert response.status_code == 200
    assert f'id="reward-{item.pk}"' in body
    assert "1 left" in body
    assert 'id="reward-balance" hx-swap-oob="outerHTML"' in body
    assert "<strong>50</strong>" in body


def test_not_enough_points_answers_400_with_the_reason(customer, customer_client):
    fund(customer, 30)
    item = reward(cost=100)

    page = customer_client.post(f"/rewards/{item.pk}/redeem/", {"key": "k1"})
    fragment = customer_client.post(f"/rewards/{item.pk}/redeem/", {"key": "k2"}, **HTMX)

    assert page.status_code == 400
    assert "costs 100 points; you have 30." in page.content.decode()
    assert fragment.status_code == 400
    assert fragment["X-Circolo-Swap"] == "1"
    assert "costs 100 points; you have 30." in fragment.content.decode()
    assert balance(customer) == 30
    assert not Redemption.objects.exists()


def test_out_of_stock_answers_400(customer, customer_client):
    fund(customer, 300)
    item = reward(cost=100, stock=0)

    page = customer_client.post(f"/rewards/{item.pk}/redeem/", {"key": "k1"})

    assert page.status_code == 400
    assert "is out of stock" in page.content.decode()
    assert balance(customer) == 300


def test_suspended_members_are_refused_with_403(suspended_member):
    item = reward(cost=1)
    client = Client()
    client.force_login(suspended_member)

    response = client.post(f"/rewards/{item.pk}/redeem/", {"key": "k1"})

    assert response.status_code == 403
    assert "suspended" in response.content.decode()
    assert not Redemption.objects.exists()


def test_anonymous_redeem_goes_to_login_and_changes_nothing(client):
    item = reward()

    response = client.post(f"/rewards/{item.pk}/redeem/", {"key": "k1"})

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    assert stock(item) == 5


def test_redeeming_needs_the_csrf_token(customer):
    fund(customer, 500)
    item = reward()
    client = Client(enforce_csrf_checks=True)
    client.force_login(customer)

    response = client.post(f"/rewards/{item.pk}/redeem/", {"key": "k1"})

    assert response.status_code == 403
    assert balance(customer) == 500


@pytest.mark.parametrize(
    "path", ["/rewards/999/redeem/", f"/rewards/{2**64}/redeem/", f"/rewards/{2**63 - 1}/redeem/"]
)
def test_unknown_rewards_are_404(customer_client, path):
    assert customer_client.post(path, {"key": "k"}).status_code == 404


def test_a_withdrawn_reward_is_404(customer, customer_client):
    fund(customer, 500)
    item = reward(active=False)

    assert customer_client.post(f"/rewards/{item.pk}/redeem/", {"key": "k"}).status_code == 404
    assert balance(customer) == 500


def test_a_bad_key_answers_400(customer, customer_client):
    fund(customer, 500)
    item = reward()

    response = customer_client.post(f"/rewards/{item.pk}/redeem/", {"key": "x" * 41})

    assert response.status_code == 400
    assert balance(customer) == 500


def test_redeem_is_post_only(customer_client):
    assert customer_client.get(f"/rewards/{reward().pk}/redeem/").status_code == 405


def test_my_redemptions_needs_login(client):
    response = client.get("/rewards/mine/")
    assert response.status_code == 302


# The staff queue ------------------------------------------------------------------------------


@pytest.fixture
def pending(customer):
    fund(customer, 150)
    return rewards.redeem_reward(actor=customer, reward=reward(cost=100, stock=1))


@pytest.mark.parametrize("role", ["customer_client", "other_client", "advocate_client"])
def test_only_staff_see_the_queue_and_decide(request, pending, customer, role):
    client = request.getfixturevalue(role)

    assert client.get("/rewards/redemptions/").status_code == 403
    approve = client.post(f"/rewards/redemptions/{pending.pk}/approve/")
    refuse = client.post(f"/rewards/redemptions/{pending.pk}/refuse/", {"reason": "no"})

    assert (approve.status_code, refuse.status_code) == (403, 403)
    pending.refresh_from_db()
    assert pending.status == Redemption.Status.PENDING
    assert balance(customer) == 50
    assert not Notification.objects.exists()


def test_anonymous_visitors_are_sent_to_login(client, pending):
    assert client.get("/rewards/redemptions/").status_code == 302
    assert client.post(f"/rewards/redemptions/{pending.pk}/approve/").status_code == 302
    pending.refresh_from_db()
    assert pending.status == Redemption.Status.PENDING


def test_staff_see_pending_redemptions_and_approve(staff_client, pending, customer):
    body = staff_client.get("/rewards/redemptions/").content.decode()
    assert f'id="redemption-{pending.pk}"' in body
    assert "Anna Rossi" in body

    response = staff_client.post(f"/rewards/redemptions/{pending.pk}/approve/", {"reason": ""})

    assert response.status_code == 302
    pending.refresh_from_db()
    assert pending.status == Redemption.Status.APPROVED
    assert Notification.objects.filter(recipient=customer, kind="reward").count() == 1


def test_staff_refuse_with_htmx_and_the_row_shows_the_decision(staff_client, pending, customer):
    response = staff_client.post(
        f"/rewards/redemptions/{pending.pk}/refuse/", {"reason": "No address"}, **HTMX
    )

    body = response.content.decode()
    assert response.status_code == 200
    assert "Refused" in body
    assert "No address" in body
    assert balance(customer) == 150


def test_refusing_without_a_reason_is_400_and_changes_nothing(staff_client, pending, customer):
    page = staff_client.post(f"/rewards/redemptions/{pending.pk}/refuse/", {"reason": "  "})
    too_long = staff_client.post(
        f"/rewards/redemptions/{pending.pk}/refuse/", {"reason": "x" * 301}, **HTMX
    )

    assert page.status_code == 400
    assert "Say why the redemption is refused." in page.content.decode()
    assert too_long.status_code == 400
    pending.refresh_from_db()
    assert pending.status == Redemption.Status.PENDING
    assert balance(customer) == 50


def test_deciding_twice_answers_409(staff_client, manager_client, pending, customer):
    staff_client.post(f"/rewards/redemptions/{pending.pk}/refuse/", {"reason": "No"})

    again = manager_client.post(f"/rewards/redemptions/{pending.pk}/approve/")

    assert again.status_code == 409
    assert "already refused" in again.content.decode()
    assert balance(customer) == 150


def test_unknown_redemptions_are_404(staff_client):
    assert staff_client.post("/rewards/redemptions/999/approve/").status_code == 404
    assert staff_client.post(f"/rewards/redemptions/{2**64}/refuse/").status_code == 404


def test_deciding_needs_the_csrf_token(staff, pending):
    client = Client(enforce_csrf_checks=True)
    client.force_login(staff)

    response = client.post(f"/rewards/redemptions/{pending.pk}/refuse/", {"reason": "No"})

    assert response.status_code == 403
    pending.refresh_from_db()
    assert pending.status == Redemption.Status.PENDING


# XSS and naughty strings ----------------------------------------------------------------------


def test_reward_texts_and_refusal_reasons_are_escaped_everywhere(
    customer, customer_client, staff, staff_client
):
    fund(customer, 10_000)
    script = '<script>alert(1)</script><img src=x onerror="alert(2)">'
    item = reward(name=script, name_it=script, description=script, cost=1, stock=None)
    for text in [script, *NAUGHTY_SAMPLE]:
        redemption = rewards.redeem_reward(actor=customer, reward=item)
        if clean_line(text[:300]):  # invisible characters alone are no reason (core.text)
            rewards.refuse_redemption(actor=staff, redemption=redemption, reason=text[:300])

    pages = [
        customer_client.get("/rewards/"),
        customer_client.get("/rewards/mine/"),
        customer_client.get("/notifications/"),
        staff_client.get("/rewards/redemptions/"),
    ]

    for page in pages:
        body = page.content.decode()
        assert page.status_code == 200
        assert "<script>alert(1)" not in body
        assert 'onerror="alert(2)"' not in body
