"""Erasure (GDPR article 17): `DELETE /api/v1/users/me/`, the settings page and the admin
all erase through `privacy.erasure.erase_member` (API.md "Erasure")."""

from __future__ import annotations

from importlib import import_module
from io import StringIO

import pytest
from allauth.account.models import EmailAddress
from django.contrib.sessions.models import Session
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from advocacy.models import AuditEntry, CrmRecord
from forum import services
from forum.follows.models import Follow
from forum.models import Answer, Comment, Notification, Question, User, Vote
from gamification import leaderboards
from gamification.models import PointEvent
from notifications.models import EmailPreference
from privacy.erasure import MEMBER_ERASE, erase_member
from tests.api.conftest import token_client
from tests.pg import postgres_only, race

ME = "/api/v1/users/me/"
PASSWORD = "demo-password"  # tests.factories.UserFactory


def _checks_clean() -> None:
    """The ledger, the cached totals and the post counters agree."""
    call_command("recompute_reputation", "--check", stdout=StringIO())
    call_command("repair_counters", "--check", stdout=StringIO())


def _snapshot(member: User) -> dict:
    return {
        "user": User.objects.filter(pk=member.pk).values().get(),
        "emails": EmailAddress.objects.filter(user=member).count(),
        "tokens": Token.objects.filter(user=member).count(),
        "notifications": Notification.objects.filter(recipient=member).count(),
        "audit": AuditEntry.objects.count(),
    }


def test_api_erasure_keeps_posts_under_a_neutral_name_and_removes_the_rest(busy_member):
    pk = busy_member.pk
    questions = list(Question.objects.filter(author=busy_member).values_list("pk", "score"))
    answers = list(Answer.objects.filter(author=busy_member).values_list("pk", "score"))
    ledger = list(PointEvent.objects.filter(recipient=busy_member).values_list("pk", flat=True))
    reputation = busy_member.reputation
    assert Follow.objects.filter(user=busy_member).count() == 2  # asked, answered
    client = token_client(busy_member)

    response = client.delete(ME, {"password": PASSWORD}, format="json")

    assert response.status_code == 204
    member = User.objects.get(pk=pk)
    assert member.username == f"deleted-{pk}"
    assert member.name == "Deleted member"
    assert member.is_erased
    assert (member.email, member.display_name, member.bio, member.first_name) == ("", "", "", "")
    assert (member.last_name, member.locale, member.avatar.name) == ("", "", "")
    assert not member.is_active
    assert not member.has_usable_password()
    assert member.reputation == reputation
    assert list(Question.objects.filter(author=member).values_list("pk", "score")) == questions
    assert list(Answer.objects.filter(author=member).values_list("pk", "score")) == answers
    assert Comment.objects.filter(author=member).count() == 1
    assert Vote.objects.filter(voter=member).count() == 1
    assert list(PointEvent.objects.filter(recipient=member).values_list("pk", flat=True)) == ledger
    assert EmailAddress.objects.filter(user=member).count() == 0
    assert Token.objects.filter(user=member).count() == 0
    assert Notification.objects.filter(recipient=member).count() == 0
    assert Follow.objects.filter(user=member).count() == 0
    assert EmailPreference.objects.filter(user=member).count() == 0
    assert CrmRecord.objects.filter(external_id="C-1").count() == 0
    entry = AuditEntry.objects.get(action=MEMBER_ERASE)
    assert (entry.actor_id, entry.actor_label, entry.target_label) == (
        pk,
        member.username,
        member.username,
    )
    _checks_clean()


def test_after_erasure_the_token_login_profile_and_api_are_gone(busy_member):
    client = token_client(busy_member)
    pk = busy_member.pk
    assert client.delete(ME, {"password": PASSWORD}, format="json").status_code == 204

    assert client.get(ME).status_code == 401
    assert client.get(f"{ME}export/").status_code == 401
    assert APIClient().get(f"/api/v1/users/{pk}/").status_code == 404
    assert Client().get("/u/giulia/").status_code == 404
    assert Client().get(f"/u/deleted-{pk}/").status_code == 404
    assert not Client().login(username="giulia", password=PASSWORD)
    assert not Client().login(username="giulia@example.com", password=PASSWORD)
    token = APIClient().post(
        "/api/v1/auth/token/", {"username": "giulia", "password": PASSWORD}, format="json"
    )
    assert token.status_code in (400, 401)
    board = leaderboards.leaderboard(period="all")
    assert pk not in [entry.member.pk for entry in board]


def test_a_thread_shows_the_neutral_name_and_old_mentions_resolve_to_nobody(
    busy_member, other_customer, client
):
    question = Question.objects.get(author=busy_member)
    erase_member(actor=busy_member, member=busy_member)
    html = client.get(question.get_absolute_url()).content.decode()
    assert "Deleted member" in html
    assert "Giulia Rossi" not in html
    assert ">giulia<" not in html
    mention = services.post_comment(
        actor=other_customer, post=question, body="Thanks @giulia for asking this."
    )
    assert "/u/giulia/" not in mention.body_html
    assert not Notification.objects.filter(comment=mention, kind="mention").exists()


@pytest.mark.parametrize(
    ("body", "status", "key"),
    [
        ({}, 400, "password"),
        ({"password": ""}, 400, "password"),
        ({"password": 12345678}, 400, "password"),
        ({"password": "wrong-password"}, 403, "detail"),
    ],
)
def test_a_missing_or_wrong_password_changes_nothing(busy_member, body, status, key):
    before = _snapshot(busy_member)
    response = token_client(busy_member).delete(ME, body, format="json")
    assert response.status_code == status
    assert key in response.json()
    assert _snapshot(busy_member) == before


@pytest.mark.usefixtures("fresh_rate_window")
def test_password_guessing_is_limited(customer, settings):
    settings.CIRCOLO_ERASURE_PASSWORD_RATE = "2/15m"
    from privacy import erasure

    erasure.PASSWORD_RATE = "2/15m"
    try:
        client = token_client(customer)
        codes = [
            client.delete(ME, {"password": "nope"}, format="json").status_code for _ in range(3)
        ]
        assert codes == [403, 403, 429]
        assert client.delete(ME, {"password": PASSWORD}, format="json").status_code == 429
        assert User.objects.get(pk=customer.pk).is_active
    finally:
        erasure.PASSWORD_RATE = "5/15m"


def test_nobody_else_can_erase_or_export_a_member(customer, other_customer, staff, advocate):
    from django.core.exceptions import PermissionDenied

    before = _snapshot(customer)
    for actor in (other_customer, staff, advocate):
        with pytest.raises(PermissionDenied):
            erase_member(actor=actor, member=customer)
    assert _snapshot(customer) == before
    # The endpoints only ever act on the caller: there is no id to point elsewhere.
    data = token_client(other_customer).get(f"{ME}export/").json()
    assert data["profile"]["username"] == other_customer.username
    assert APIClient().delete(ME, {"password": PASSWORD}, format="json").status_code == 401
    assert _snapshot(customer) == before


def test_erasing_twice_changes_nothing_the_second_time(busy_member, manager):
    erase_member(actor=busy_member, member=busy_member)
    after_first = _snapshot(busy_member)
    again = erase_member(actor=manager, member=User.objects.get(pk=busy_member.pk))
    assert again.is_erased
    assert _snapshot(busy_member) == after_first
    assert AuditEntry.objects.filter(action=MEMBER_ERASE).count() == 1


def test_audit_entries_of_the_member_keep_the_act_under_the_neutral_name(
    advocate, customer, question
):
    from core import audit

    audit.record(actor=advocate, action="member.suspend", target=customer, reason="spam")
    audit.record(actor=customer, action="question.lock", target=question)
    erase_member(actor=customer, member=customer)
    suspend = AuditEntry.objects.get(action="member.suspend")
    lock = AuditEntry.objects.get(action="question.lock")
    assert (suspend.actor_label, suspend.target_label) == ("dario", f"deleted-{customer.pk}")
    assert (lock.actor_id, lock.actor_label) == (customer.pk, f"deleted-{customer.pk}")
    assert "anna" not in str(list(AuditEntry.objects.values_list("actor_label", "target_label")))


def test_the_page_erases_with_password_and_confirmation(busy_member):
    client = Client()
    client.force_login(busy_member)
    url = reverse("privacy:settings")
    before = _snapshot(busy_member)
    unconfirmed = client.post(url, {"password": PASSWORD})
    wrong = client.post(url, {"password": "nope", "confirm": "on"})
    assert (unconfirmed.status_code, wrong.status_code) == (400, 403)
    # busy_member reads the site in Italian
    assert "La password non è corretta." in wrong.content.decode()
    assert _snapshot(busy_member) == before
    assert Session.objects.count() == 1

    response = client.post(url, {"password": PASSWORD, "confirm": "on"})

    assert response.status_code == 302
    assert User.objects.get(pk=busy_member.pk).is_erased
    assert (
        Session.objects.count() == 0 or "_auth_user_id" not in Session.objects.get().get_decoded()
    )
    assert client.get(url).status_code == 302  # logged out


@pytest.mark.parametrize("engine", ["db", "cached_db"])  # cached_db: with Redis
def test_other_sessions_of_the_member_end(busy_member, settings, engine):
    settings.SESSION_ENGINE = f"django.contrib.sessions.backends.{engine}"
    elsewhere = Client()
    elsewhere.force_login(busy_member)
    key = elsewhere.session.session_key
    store = import_module(settings.SESSION_ENGINE).SessionStore
    assert store(key).exists(key)
    assert store(key).load()  # from the cache, with cached_db
    erase_member(actor=busy_member, member=busy_member)
    assert Session.objects.count() == 0
    assert not store(key).exists(key)
    assert store(key).load() == {}  # neither in the database nor in the cache
    assert elsewhere.get(reverse("privacy:settings")).status_code == 302


def test_the_admin_erases_instead_of_failing_on_protected_posts(busy_member, manager):
    client = Client()
    client.force_login(manager)
    url = reverse("admin:forum_user_delete", args=[busy_member.pk])
    confirm = client.get(url)
    assert confirm.status_code == 200
    assert "protected" not in confirm.content.decode().lower()
    response = client.post(url, {"post": "yes"})
    assert response.status_code == 302
    member = User.objects.get(pk=busy_member.pk)
    assert member.is_erased
    entry = AuditEntry.objects.get(action=MEMBER_ERASE)
    assert (entry.actor_id, entry.actor_label) == (manager.pk, "marco-manager")
    _checks_clean()


def test_the_admin_action_erases_the_selection(customer, other_customer, manager):
    client = Client()
    client.force_login(manager)
    response = client.post(
        reverse("admin:forum_user_changelist"),
        {"action": "erase_members", "_selected_action": [customer.pk, other_customer.pk]},
    )
    assert response.status_code == 302
    assert [u.is_erased for u in User.objects.filter(pk__in=[customer.pk, other_customer.pk])] == [
        True,
        True,
    ]


def test_support_staff_without_the_delete_permission_cannot_erase_in_the_admin(customer, staff):
    client = Client()
    client.force_login(staff)
    response = client.post(reverse("admin:forum_user_delete", args=[customer.pk]), {"post": "yes"})
    assert response.status_code in (302, 403)
    assert not User.objects.get(pk=customer.pk).is_erased


def test_sign_up_cannot_take_a_neutral_name(client, db):
    response = client.post(
        reverse("account_signup"),
        {
            "username": "deleted-7",
            "email": "x@example.com",
            "password1": "a-long-password-1",
            "password2": "a-long-password-1",
        },
    )
    assert response.status_code == 200
    assert "This username is reserved." in response.content.decode()
    assert not User.objects.filter(username="deleted-7").exists()


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_erasing_twice_at_once_erases_once():
    from tests.factories import UserFactory

    member = UserFactory(username="racer", reputation=50)
    results = race(
        lambda: erase_member(actor=member, member=member),
        lambda: erase_member(actor=member, member=member),
    )
    assert [isinstance(r, User) for r in results] == [True, True]
    assert AuditEntry.objects.filter(action=MEMBER_ERASE).count() == 1
    _checks_clean()


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_erasing_while_the_member_votes_keeps_the_ledger_whole():
    from tests.factories import AnswerFactory, QuestionFactory, UserFactory

    member = UserFactory(username="voter", reputation=200)
    author = UserFactory(username="author", reputation=50)
    question = QuestionFactory(author=author, tags=["sim"])
    answers = [AnswerFactory(question=question, author=author) for _ in range(3)]
    results = race(
        lambda: [services.cast_vote(actor=member, post=a, value=1) for a in answers],
        lambda: erase_member(actor=member, member=member),
    )
    assert not any(isinstance(r, Exception) and not hasattr(r, "messages") for r in results), (
        results
    )
    assert User.objects.get(pk=member.pk).is_erased
    _checks_clean()


def test_query_budgets_of_the_page_and_the_erasure(busy_member, django_assert_max_num_queries):
    client = Client()
    client.force_login(busy_member)
    with django_assert_max_num_queries(12):
        assert client.get(reverse("privacy:settings")).status_code == 200
    with django_assert_max_num_queries(45):
        response = client.post(reverse("privacy:settings"), {"password": PASSWORD, "confirm": "on"})
    assert response.status_code == 302
