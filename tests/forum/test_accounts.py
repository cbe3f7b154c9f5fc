"""Accounts (django-allauth) as members meet them: sign-up with e-mail verification, log in
by username or e-mail, password reset and change, all inside the site's layout."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.test import Client

from forum.models import User

pytestmark = pytest.mark.django_db

PASSWORD = "demo-password"  # tests.factories.UserFactory's
NEW_PASSWORD = "Ricarica-Settimanale-2025"


def link_in(message: mail.EmailMessage) -> str:
    [url] = re.findall(r"http://testserver(/accounts/\S+)", message.body)
    return url


def main_of(response) -> str:
    html = response.content.decode()
    return html[html.index("<main") : html.index("</main>")]


def test_sign_up_sends_a_verification_email_and_the_link_logs_in(client):
    # when a visitor signs up
    response = client.post(
        "/accounts/signup/",
        {
            "email": "nuova@example.com",
            "username": "nuova",
            "password1": NEW_PASSWORD,
            "password2": NEW_PASSWORD,
        },
    )

    # then they are told to check their e-mail, and are not logged in yet
    assert response.status_code == 302
    assert response["Location"] == "/accounts/confirm-email/"
    sent = client.get("/accounts/confirm-email/")
    assert "Verify Your Email Address" in main_of(sent)
    assert not sent.context["user"].is_authenticated
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["nuova@example.com"]
    assert "Please Confirm Your Email Address" in message.subject

    # when they open the link and confirm
    confirm_url = link_in(message)
    page = client.get(confirm_url)
    assert page.status_code == 200
    assert "Confirm Email Address" in main_of(page)
    confirmed = client.post(confirm_url)

    # then the address is verified and they are logged in
    assert confirmed.status_code == 302
    assert confirmed["Location"] == "/"
    home = client.get("/")
    assert home.context["user"].username == "nuova"
    user = User.objects.get(username="nuova")
    assert user.emailaddress_set.get().verified is True


def test_unverified_member_cannot_log_in_before_confirming(client):
    client.post(
        "/accounts/signup/",
        {
            "email": "lenta@example.com",
            "username": "lenta",
            "password1": NEW_PASSWORD,
            "password2": NEW_PASSWORD,
        },
    )
    other = Client()

    response = other.post("/accounts/login/", {"login": "lenta", "password": NEW_PASSWORD})

    assert response.status_code == 302
    assert response["Location"] == "/accounts/confirm-email/"
    assert not other.get("/").context["user"].is_authenticated


def test_sign_up_errors_are_shown_next_to_the_fields_and_input_kept(client, customer):
    response = client.post(
        "/accounts/signup/",
        {
            "email": "anna@example.com",
            "username": "x",
            "password1": NEW_PASSWORD,
            "password2": "different",
        },
    )

    assert response.status_code == 200
    html = main_of(response)
    assert 'value="anna@example.com"' in html
    assert (
        '<ul class="errorlist" id="id_username_error">'
        "<li>Ensure this value has at least 3 characters (it has 1).</li></ul>"
    ) in html
    assert (
        '<ul class="errorlist" id="id_password2_error">'
        "<li>You must type the same password each time.</li></ul>"
    ) in html
    assert html.count('aria-invalid="true"') == 2
    assert len(mail.outbox) == 0


@pytest.mark.parametrize("login", ["anna", "anna@example.com", "ANNA@example.com"])
def test_log_in_by_username_or_email(client, customer, login):
    response = client.post("/accounts/login/", {"login": login, "password": PASSWORD})

    assert response.status_code == 302
    assert response["Location"] == "/"
    assert client.get("/").context["user"] == customer


def test_wrong_password_shows_an_error_and_keeps_the_login(client, customer):
    response = client.post("/accounts/login/", {"login": "anna", "password": "nope"})

    assert response.status_code == 200
    html = main_of(response)
    assert '<div class="banner bad" role="alert">' in html
    assert "The username and/or password you specified are not correct." in html
    assert 'name="login" value="anna"' in html
    assert not response.context["user"].is_authenticated


def test_login_page_is_inside_the_site_layout_with_labels(client):
    response = client.get("/accounts/login/?next=/tags/")

    html = response.content.decode()
    assert '<a class="brand" href="/">Circolo</a>' in html
    assert '<main id="main" class="wrap account-page account-entrance"' in html
    assert '<label for="id_login">Username or email</label>' in html
    assert '<label for="id_password">Password</label>' in html
    assert '<a href="/accounts/password/reset/">Forgot your password?</a>' in html
    assert '<input type="hidden" name="next" value="/tags/">' in html
    assert '<button type="submit" class="button primary">' in html


def test_login_redirects_to_next(client, customer):
    response = client.post(
        "/accounts/login/", {"login": "anna", "password": PASSWORD, "next": "/tags/"}
    )

    assert response["Location"] == "/tags/"


def test_password_reset_by_email(client, customer):
    # when she asks for a reset
    response = client.post("/accounts/password/reset/", {"email": "anna@example.com"})

    # then an e-mail with a one-time link is sent
    assert response.status_code == 302
    assert response["Location"] == "/accounts/password/reset/done/"
    done = client.get(response["Location"])
    assert "Password Reset" in main_of(done)
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["anna@example.com"]
    assert "Password Reset" in message.subject

    # when she follows it and sets a new password
    key_page = client.get(link_in(message), follow=True)
    assert key_page.status_code == 200
    form_url = key_page.redirect_chain[-1][0]
    assert '<label for="id_password1">New Password</label>' in main_of(key_page)
    changed = client.post(form_url, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})

    # then the new password works and the old one does not
    assert changed.status_code == 302
    assert changed["Location"] == "/accounts/password/reset/key/done/"
    customer.refresh_from_db()
    assert customer.check_password(NEW_PASSWORD)
    assert not customer.check_password(PASSWORD)


def test_password_reset_link_works_only_once(client, customer):
    client.post("/accounts/password/reset/", {"email": "anna@example.com"})
    url = link_in(mail.outbox[0])
    form_url = client.get(url, follow=True).redirect_chain[-1][0]
    client.post(form_url, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})

    again = Client().get(url, follow=True)

    assert "Bad Token" in main_of(again)


def test_password_reset_for_an_unknown_address_sends_no_reset_link(client):
    response = client.post("/accounts/password/reset/", {"email": "nobody@example.com"})

    assert response.status_code == 302
    assert all("/accounts/password/reset/key/" not in m.body for m in mail.outbox)


def test_password_change(customer_client, customer):
    page = customer_client.get("/accounts/password/change/")
    assert '<main id="main" class="wrap account-page account-manage"' in page.content.decode()

    response = customer_client.post(
        "/accounts/password/change/",
        {"oldpassword": PASSWORD, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )

    assert response.status_code == 302
    customer.refresh_from_db()
    assert customer.check_password(NEW_PASSWORD)


def test_email_management_page_lists_addresses_with_badges(customer_client):
    html = main_of(customer_client.get("/accounts/email/"))

    assert "anna@example.com" in html
    assert '<span class="status-badge good">' in html
    assert 'name="action_remove" class="button danger"' in html
    assert '<label for="id_email">Email</label>' in html


def test_adding_an_email_sends_a_verification(customer_client, customer):
    response = customer_client.post(
        "/accounts/email/", {"action_add": "", "email": "anna.work@example.com"}
    )

    assert response.status_code == 302
    assert customer.emailaddress_set.filter(email="anna.work@example.com").exists()
    assert mail.outbox[-1].to == ["anna.work@example.com"]


def test_logout_asks_for_confirmation_then_logs_out(customer_client):
    page = customer_client.get("/accounts/logout/")
    assert "Are you sure you want to sign out?" in main_of(page)

    response = customer_client.post("/accounts/logout/")

    assert response.status_code == 302
    assert not customer_client.get("/").context["user"].is_authenticated


def test_logout_requires_the_csrf_token(customer):
    client = Client(enforce_csrf_checks=True)
    client.force_login(customer)

    response = client.post("/accounts/logout/")

    assert response.status_code == 403
    assert client.get("/").context["user"] == customer


def test_too_many_sign_ups_get_the_429_page(client):
    statuses = [
        client.post("/accounts/signup/", {"email": f"x{n}@example.com"}).status_code
        for n in range(21)
    ]

    assert statuses[:20] == [200] * 20
    assert statuses[20] == 429
    last = client.post("/accounts/signup/", {"email": "again@example.com"})
    html = last.content.decode()
    assert "Too many requests" in html
    assert '<a class="brand" href="/">Circolo</a>' in html


def test_account_pages_render_in_italian(client, customer_client):
    client.cookies["django_language"] = "it"
    customer_client.cookies["django_language"] = "it"
    anonymous_pages = [
        "/accounts/login/",
        "/accounts/signup/",
        "/accounts/password/reset/",
        "/accounts/password/reset/done/",
        "/accounts/confirm-email/",
        "/accounts/confirm-email/not-a-key/",
    ]
    member_pages = ["/accounts/email/", "/accounts/password/change/", "/accounts/logout/"]

    for url in anonymous_pages:
        response = client.get(url)
        assert response.status_code == 200, url
        assert '<html lang="it">' in response.content.decode(), url
    for url in member_pages:
        response = customer_client.get(url)
        assert response.status_code == 200, url
        assert '<html lang="it">' in response.content.decode(), url
