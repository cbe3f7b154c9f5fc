"""Fixtures named after the roles of PRODUCT.md."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.conf import settings
from django.core.cache import cache
from django.test import Client
from django.utils import timezone, translation

from gamification.rules import clear_cache, tuning
from tests.factories import QuestionFactory, UserFactory


@pytest.fixture(autouse=True)
def _clear_cache(django_db_setup, django_db_blocker):
    """Rate-limit counters live in the cache; every test starts with a clean budget.

    The gamification tuning (point rules, privilege thresholds, ranks) is read back into
    the cache at once, as a running site always has it, so a test that counts a page's
    queries counts the page, not the first read of the tuning."""
    cache.clear()
    clear_cache()  # the tuning's per-process copy too
    with django_db_blocker.unblock():
        tuning()
    yield
    clear_cache()
    cache.clear()


@pytest.fixture(autouse=True)
def _default_language():
    """A test that renders in Italian (a member's locale, a view activating it) must not
    leave the next test speaking Italian."""
    yield
    translation.activate(settings.LANGUAGE_CODE)


# Reputation decides privileges (core.privileges: 15 upvote, 50 comment, 125
# downvote, 1000 edit any post, 2000 close). `customer` is an asker with a little
# reputation (may upvote, as demo-customer); `other_customer` is an established member who
# answers, comments and votes both ways but holds no moderation privilege; `newcomer` has
# just signed up and holds none at all.


@pytest.fixture
def customer(db):
    return UserFactory(username="anna", display_name="Anna Rossi", reputation=20)


@pytest.fixture
def other_customer(db):
    return UserFactory(username="bruno", display_name="Bruno Bianchi", reputation=150)


@pytest.fixture
def newcomer(db):
    return UserFactory(username="nina", display_name="Nina Nuova")


@pytest.fixture
def helper(db):
    return UserFactory(username="carla", display_name="Carla Verdi", reputation=1500)


@pytest.fixture
def advocate(db):
    return UserFactory(
        username="dario", display_name="Dario Advocate", reputation=6000, is_advocate=True
    )


@pytest.fixture
def revoked_advocate(db):
    """A former advocate: high reputation, no longer in the programme."""
    return UserFactory(username="elena", display_name="Elena Ex", reputation=6000)


@pytest.fixture
def suspended_member(db):
    return UserFactory(
        username="sandro",
        display_name="Sandro Sospeso",
        reputation=1500,
        suspended_until=timezone.now() + timedelta(days=7),
    )


@pytest.fixture
def staff(db):
    return UserFactory(username="sofia-staff", display_name="Sofia (Support)", is_staff=True)


@pytest.fixture
def manager(db):
    return UserFactory(
        username="marco-manager", display_name="Marco", is_staff=True, is_superuser=True
    )


def _client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def customer_client(customer) -> Client:
    return _client_for(customer)


@pytest.fixture
def other_client(other_customer) -> Client:
    return _client_for(other_customer)


@pytest.fixture
def helper_client(helper) -> Client:
    return _client_for(helper)


@pytest.fixture
def advocate_client(advocate) -> Client:
    return _client_for(advocate)


@pytest.fixture
def staff_client(staff) -> Client:
    return _client_for(staff)


@pytest.fixture
def manager_client(manager) -> Client:
    return _client_for(manager)


@pytest.fixture
def question(customer):
    """A question asked by `customer`, tagged `sim`."""
    return QuestionFactory(author=customer, tags=["sim", "ricarica"])
