"""One failed-login lockout for the HTML login, the API token and the password reset
(forum.lockout), with client addresses taken only from trusted proxies."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
import time_machine
from django.core import mail
from django.test import Client
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from tests.factories import UserFactory

TOKEN_URL = "/api/v1/auth/token/"
LOGIN_URL = "/accounts/login/"
RESET_URL = "/accounts/password/reset/"
PASSWORD = "demo-password"
_addresses = (f"198.51.100.{n}" for n in itertools.count(1))


@pytest.fixture(autouse=True)
def _token_throttle_out_of_the_way(request, settings):
    """DRF's per-address token throttle (20/min) would answer first; here the lockout
    is under test. The throttle's own test sets its rate itself."""
    rates = settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {**rates, "token": "1000/min"},
    }


def forged() -> dict:
    """A request header naming a new client address every time, as an attacker would."""
    return {"HTTP_X_FORWARDED_FOR": f"{next(_addresses)}, 203.0.113.7"}


def token_attempt(login: str, password: str, **extra):  # noqa: ANN003
    headers = {**forged(), **extra}
    return APIClient().post(
        TOKEN_URL, {"username": login, "password": password}, format="json", **headers
    )


def html_attempt(client: Client, login: str, password: str, **extra):  # noqa: ANN003
    return client.post(LOGIN_URL, {"login": login, "password": password}, **forged(), **extra)


def test_token_guessing_with_rotating_forwarded_for_locks_the_account(customer):
    statuses = [token_attempt("anna", f"guess-{n}").status_code for n in range(5)]

    response = token_attempt("anna", PASSWORD)

    assert statuses == [400] * 5
    assert response.status_code == 429
    assert 899 <= int(response["Retry-After"]) <= 900
    assert response.json() == {
        "detail": "Too many failed log-ins to this account. Try again in 15 minutes, "
        "or reset your password.",
        "code": "account_locked",
    }
    assert not Token.objects.exists()


def test_guessing_by_email_and_by_username_spends_one_budget(customer):
    for login in ["anna", "ANNA@example.com", "anna", "anna@example.com", "Anna"]:
        assert token_attempt(login, "guess").status_code == 400

    assert token_attempt("anna@example.com", PASSWORD).status_code == 429
    assert not Token.objects.exists()


def test_an_address_guessing_many_accounts_is_locked_out_of_every_account(db, customer):
    members = [UserFactory(username=f"victim{n}") for n in range(10)]
    statuses = [
        token_attempt(member.username, "guess").status_code for member in members for _ in (1, 2)
    ]

    response = token_attempt("anna", PASSWORD)

    assert statuses == [400] * 20
    assert response.status_code == 429
    assert response.json()["code"] == "address_locked"
    assert not Token.objects.exists()
    # Another address is not affected: it gets its token.
    other = APIClient().post(
        TOKEN_URL, {"username": "anna", "password": PASSWORD}, format="json", REMOTE_ADDR="10.9.9.9"
    )
    assert other.status_code == 200


def test_a_member_locked_out_in_the_browser_gets_no_token(customer):
    browser = Client()
    for n in range(5):
        assert html_attempt(browser, "anna", f"guess-{n}").status_code == 200

    response = token_attempt("anna", PASSWORD)

    assert response.status_code == 429
    assert response.json()["code"] == "account_locked"
    assert not Token.objects.exists()


def test_a_member_locked_out_through_the_api_cannot_log_in_in_the_browser(customer):
    for n in range(5):
        assert token_attempt("anna", f"guess-{n}").status_code == 400
    browser = Client()

    response = html_attempt(browser, "anna", PASSWORD)

    assert response.status_code == 429
    assert 899 <= int(response["Retry-After"]) <= 900
    html = response.content.decode()
    assert "Too many failed log-ins to this account. Try again in 15 minutes" in html
    assert '<a class="brand" href="/">Circolo</a>' in html
    assert "_auth_user_id" not in browser.session


def test_the_lock_ends_after_its_time(customer):
    start = dt.datetime(2026, 3, 2, 10, 0, tzinfo=dt.UTC)
    with time_machine.travel(start, tick=False) as traveller:
        for n in range(5):
            token_attempt("anna", f"guess-{n}")
        assert token_attempt("anna", PASSWORD).status_code == 429
        traveller.shift(dt.timedelta(minutes=14, seconds=59))
        assert token_attempt("anna", PASSWORD).status_code == 429
        traveller.shift(dt.timedelta(seconds=2))

        response = token_attempt("anna", PASSWORD)

    assert response.status_code == 200
    assert response.json() == {"token": Token.objects.get(user=customer).key}


def test_a_successful_login_does_not_reset_the_count(customer):
    for n in range(4):
        token_attempt("anna", f"guess-{n}")
    assert token_attempt("anna", PASSWORD).status_code == 200

    assert token_attempt("anna", "guess-5").status_code == 400
    assert token_attempt("anna", PASSWORD).status_code == 429


def test_unknown_logins_are_locked_like_real_ones(db):
    """The answers do not tell which accounts exist."""
    statuses = [token_attempt("nobody", "guess").status_code for _ in range(6)]

    assert statuses == [400] * 5 + [429]


def test_password_reset_is_refused_to_a_locked_out_address(db, customer):
    for n in range(20):
        token_attempt(f"someone{n}", "guess", REMOTE_ADDR="10.1.1.1")
    client = Client(REMOTE_ADDR="10.1.1.1")

    response = client.post(RESET_URL, {"email": "anna@example.com"}, **forged())

    assert response.status_code == 429
    assert "Too many failed log-ins from your network" in response.content.decode()
    assert mail.outbox == []


def test_password_reset_requests_spend_the_address_budget(db, customer):
    client = Client(REMOTE_ADDR="10.2.2.2")
    for n in range(20):
        client.post(RESET_URL, {"email": f"nobody{n}@example.com"})

    response = token_attempt("anna", PASSWORD, REMOTE_ADDR="10.2.2.2")

    assert response.status_code == 429
    assert response.json()["code"] == "address_locked"


def test_a_locked_account_may_reset_its_password_and_that_lifts_the_lock(customer):
    for n in range(5):
        token_attempt("anna", f"guess-{n}")
    client = Client()

    assert client.post(RESET_URL, {"email": "anna@example.com"}).status_code == 302
    link = next(
        line for line in mail.outbox[0].body.splitlines() if "/accounts/password/reset/key/" in line
    )
    path = link[link.index("/accounts/") :].strip()
    form_url = client.get(path).url
    done = client.post(
        form_url, {"password1": "Brand-new-pass-42", "password2": "Brand-new-pass-42"}
    )

    assert done.status_code == 302
    response = token_attempt("anna", "Brand-new-pass-42")
    assert response.status_code == 200


@pytest.mark.parametrize(
    ("proxies", "header", "expected"),
    [
        (0, "1.1.1.1, 2.2.2.2", "10.0.0.1"),
        (1, "1.1.1.1, 2.2.2.2", "2.2.2.2"),
        (2, "1.1.1.1, 2.2.2.2", "1.1.1.1"),
        (3, "2.2.2.2", "2.2.2.2"),
        (1, "", "10.0.0.1"),
    ],
)
def test_client_address_believes_only_trusted_proxies(rf, settings, proxies, header, expected):
    from core.clientaddr import client_address, scope_address

    settings.CIRCOLO_TRUSTED_PROXIES = proxies
    request = rf.get("/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR=header)
    scope = {"client": ("10.0.0.1", 5000), "headers": [(b"x-forwarded-for", header.encode())]}

    assert client_address(request) == expected
    assert scope_address(scope) == expected


def test_behind_one_trusted_proxy_a_forged_prefix_does_not_escape_the_lockout(customer, settings):
    settings.CIRCOLO_TRUSTED_PROXIES = 1
    members = [UserFactory(username=f"victim{n}") for n in range(10)]
    for member in members:
        for _ in (1, 2):
            # The client forges the left part; our proxy appends the real address.
            token_attempt(
                member.username, "guess", HTTP_X_FORWARDED_FOR=f"{next(_addresses)}, 192.0.2.50"
            )

    response = token_attempt("anna", PASSWORD, HTTP_X_FORWARDED_FOR="8.8.8.8, 192.0.2.50")

    assert response.status_code == 429
    assert response.json()["code"] == "address_locked"


def test_drf_and_allauth_read_the_same_proxy_setting():
    from allauth import app_settings as allauth_settings
    from django.conf import settings

    assert settings.CIRCOLO_TRUSTED_PROXIES == 0
    assert settings.REST_FRAMEWORK["NUM_PROXIES"] == 0
    assert allauth_settings.TRUSTED_PROXY_COUNT == 0


def test_the_token_throttle_ignores_rotating_forwarded_for(customer, settings):
    api = APIClient()
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {
            **settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"],
            "token": "3/min",
        },
    }
    statuses = [
        api.post(
            TOKEN_URL, {"username": f"x{n}", "password": "g"}, format="json", **forged()
        ).status_code
        for n in range(4)
    ]

    assert statuses == [400, 400, 400, 429]
