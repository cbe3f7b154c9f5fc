"""POST/DELETE /api/v1/auth/token/ and how the API reads credentials."""

from __future__ import annotations

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from tests.factories import UserFactory

TOKEN_URL = "/api/v1/auth/token/"
ME_URL = "/api/v1/users/me/"
WRONG = {"detail": "Wrong username, e-mail address or password."}


@pytest.mark.parametrize("login", ["anna", "anna@example.com", "ANNA@EXAMPLE.COM"])
def test_token_by_username_or_email(api, customer, login):
    response = api.post(TOKEN_URL, {"username": login, "password": "demo-password"}, format="json")

    assert response.status_code == 200
    assert response.json() == {"token": Token.objects.get(user=customer).key}


def test_the_same_token_comes_back_until_revoked(api, customer):
    credentials = {"username": "anna", "password": "demo-password"}

    first = api.post(TOKEN_URL, credentials, format="json").json()["token"]
    second = api.post(TOKEN_URL, credentials, format="json").json()["token"]

    assert first == second
    assert Token.objects.filter(user=customer).count() == 1


def test_the_token_authenticates_requests(api, customer):
    key = api.post(
        TOKEN_URL, {"username": "anna", "password": "demo-password"}, format="json"
    ).json()["token"]
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")

    response = client.get(ME_URL)

    assert response.status_code == 200
    assert response.json()["username"] == "anna"


@pytest.mark.parametrize(
    ("payload", "status", "body"),
    [
        ({"username": "anna", "password": "wrong-password"}, 400, WRONG),
        ({"username": "nobody", "password": "demo-password"}, 400, WRONG),
        ({"username": "nobody@example.com", "password": "demo-password"}, 400, WRONG),
        ({"username": "anna"}, 400, {"password": ["This field is required."]}),
        ({"password": "demo-password"}, 400, {"username": ["This field is required."]}),
        (
            {"username": "", "password": ""},
            400,
            {
                "username": ["This field may not be blank."],
                "password": ["This field may not be blank."],
            },
        ),
        (
            {"username": 12345, "password": ["demo-password"]},
            400,
            {
                "username": ["Expected text (a JSON string)."],
                "password": ["Expected text (a JSON string)."],
            },
        ),
        (
            {"username": "a" * 255, "password": "x"},
            400,
            {"username": ["Ensure this field has no more than 254 characters."]},
        ),
    ],
)
def test_bad_credentials_are_400_with_a_reason_and_issue_no_token(
    api, customer, payload, status, body
):
    response = api.post(TOKEN_URL, payload, format="json")

    assert response.status_code == status
    assert response.json() == body
    assert not Token.objects.exists()


def test_an_unverified_email_gets_no_token(api, db):
    UserFactory(username="fresh", verified=False)

    response = api.post(
        TOKEN_URL, {"username": "fresh", "password": "demo-password"}, format="json"
    )

    assert response.status_code == 400
    assert response.json() == {
        "detail": "Verify your e-mail address first: follow the link in the message we sent "
        "you when you signed up."
    }
    assert not Token.objects.exists()


def test_a_disabled_account_gets_no_token(api, db):
    UserFactory(username="gone", is_active=False)

    response = api.post(TOKEN_URL, {"username": "gone", "password": "demo-password"}, format="json")

    assert response.status_code == 400
    assert response.json() == WRONG


def test_logging_in_ignores_a_stale_token_header(api, customer):
    api.credentials(HTTP_AUTHORIZATION="Token not-a-real-token")

    response = api.post(TOKEN_URL, {"username": "anna", "password": "demo-password"}, format="json")

    assert response.status_code == 200


def test_anonymous_is_401_with_www_authenticate(api):
    response = api.get(ME_URL)

    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"
    assert response.json() == {
        "detail": "Authentication credentials were not provided.",
        "code": "not_authenticated",
    }


def test_a_wrong_token_is_401(api, db):
    api.credentials(HTTP_AUTHORIZATION="Token 0123456789abcdef0123456789abcdef01234567")

    response = api.get("/api/v1/questions/")

    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"
    assert response.json() == {"detail": "Invalid token.", "code": "authentication_failed"}


def test_a_disabled_members_token_stops_working(customer_api, customer):
    customer.is_active = False
    customer.save(update_fields=["is_active"])

    response = customer_api.get(ME_URL)

    assert response.status_code == 401
    assert response.json()["code"] == "authentication_failed"


def test_revoking_the_token_logs_api_clients_out(customer_api, customer):
    response = customer_api.delete(TOKEN_URL)

    assert response.status_code == 204
    assert not Token.objects.filter(user=customer).exists()
    assert customer_api.get(ME_URL).status_code == 401


def test_revoking_needs_authentication(api, customer_api, customer):
    response = api.delete(TOKEN_URL)

    assert response.status_code == 401
    assert Token.objects.filter(user=customer).exists()


def test_token_requests_are_throttled_with_retry_after(api, customer, settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {
            **settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"],
            "token": "3/min",
        },
    }
    wrong = {"username": "anna", "password": "guess"}
    statuses = [api.post(TOKEN_URL, wrong, format="json").status_code for _ in range(3)]

    response = api.post(TOKEN_URL, {"username": "anna", "password": "demo-password"}, format="json")

    assert statuses == [400, 400, 400]
    assert response.status_code == 429
    assert 1 <= int(response["Retry-After"]) <= 60
    body = response.json()
    assert body["code"] == "throttled"
    assert body["detail"].startswith("Request was throttled.")
    assert not Token.objects.exists()
