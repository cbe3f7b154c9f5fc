"""Fixtures named after the roles of PRODUCT.md."""

from __future__ import annotations

import os
from datetime import datetime, timedelta
from pathlib import Path

import pytest
import time_machine
from django.conf import settings
from django.core.cache import cache
from django.test import Client
from django.utils import timezone, translation

from gamification.rules import clear_cache, tuning
from tests.factories import QuestionFactory, UserFactory

# The clock ------------------------------------------------------------------------------
# Tests marked `clock` read the calendar (weeks, months, days, deadlines, digests, account
# ages). CIRCOLO_TEST_NOW=<ISO instant with offset>[,<another>...] runs each of them once at
# every instant given (the clock keeps ticking from there): `make test-clock` runs them at
# awkward instants (month and year boundaries, 29 February, the Europe/Rome daylight-saving
# changes). A test that freezes time itself (time_machine.travel, the time_machine fixture)
# keeps its own instant. Without the variable nothing changes. Whole modules are marked
# here, in one place; a test elsewhere can carry @pytest.mark.clock itself. The naughty-
# string parametrisations of these modules are left out: they test escaping, not the
# calendar, and would multiply the run's length.
CLOCK_ENV = "CIRCOLO_TEST_NOW"
CLOCK_MODULES = frozenset(
    {
        "tests/advocacy/test_sla.py",
        "tests/forum/test_seed_demo.py",
        "tests/gamification/test_fairplay.py",  # account ages, sweeps
        "tests/gamification/test_leaderboard_periods.py",
        "tests/gamification/test_leaderboard_position.py",
        "tests/gamification/test_leaderboards.py",
        "tests/gamification/test_ledger.py",  # the daily cap, the serial limit
        "tests/gamification/test_rewards.py",
        "tests/gamification/test_rewards_seed.py",
    }
)
_ROOT = Path(__file__).resolve().parent.parent


def clock_instants() -> list[datetime]:
    """The instants of CIRCOLO_TEST_NOW, as aware datetimes ([] when unset)."""
    instants = []
    for value in os.environ.get(CLOCK_ENV, "").split(","):
        if value.strip():
            instant = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
            if instant.tzinfo is None:
                raise ValueError(f"{value.strip()}: no UTC offset")
            instants.append(instant)
    return instants


def _reads_the_clock(node: pytest.Item | pytest.Function) -> bool:
    if "naughty" in node.name:
        return False
    path = Path(str(node.path)).resolve()
    return node.get_closest_marker("clock") is not None or (
        path.is_relative_to(_ROOT) and path.relative_to(_ROOT).as_posix() in CLOCK_MODULES
    )


def pytest_configure(config: pytest.Config) -> None:
    try:
        clock_instants()
    except ValueError as exc:
        raise pytest.UsageError(
            f"{CLOCK_ENV} must be ISO 8601 instants with an offset, separated by commas, "
            f"e.g. 2026-09-01T00:00:30Z ({exc})"
        ) from exc


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    instants = clock_instants()
    if instants and "_clock" in metafunc.fixturenames and _reads_the_clock(metafunc.definition):
        ids = [i.isoformat().replace("+00:00", "Z") for i in instants]
        metafunc.parametrize("_clock", instants, indirect=True, ids=ids)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if _reads_the_clock(item):
            item.add_marker(pytest.mark.clock)


@pytest.fixture(scope="session")
def django_db_modify_db_settings(
    django_db_modify_db_settings, request: pytest.FixtureRequest, tmp_path_factory
):
    """pytest-django's own, then (under pytest-xdist) one migrated SQLite database for the
    whole run, copied into each worker (tests/sqlite_template.py)."""
    workerinput = getattr(request.config, "workerinput", None)
    if workerinput is None:
        yield
        return
    from tests import sqlite_template

    # Each worker's base temporary directory sits in the run's (pytest-xdist).
    clean_up = sqlite_template.install(tmp_path_factory.getbasetemp().parent)
    yield
    clean_up()


@pytest.fixture(autouse=True)
def _clock(request: pytest.FixtureRequest):
    """Defined first, so the role fixtures and factories already see the moved clock."""
    instant = getattr(request, "param", None)
    if instant is None:
        yield
        return
    with time_machine.travel(instant, tick=True):
        yield


@pytest.fixture
def fresh_rate_window():
    """Rate limits count in fixed windows of a minute, a quarter of an hour or an hour
    (core.ratelimit). A test that spends a budget and expects the refusal runs from the
    start of an hour, so no window ends under it however slowly the machine runs (61 CSP
    reports once crossed a minute on a busy CI box, and the 61st was let through)."""
    hour = timezone.now().replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)
    with time_machine.travel(hour, tick=True):
        yield


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


@pytest.fixture(autouse=True)
def _domain_handlers_run_after_the_services_commit(monkeypatch):
    """In a `db` test the service's transaction is a savepoint of the test's, so nothing
    commits and `on_commit` never fires. The forum's points, badges, notifications and
    webhooks run after commit (core.events, issue 12): run those handlers when the
    service's outermost block exits without error, as its commit would in production
    (a rolled-back block drops them, as Django does). Other `on_commit` work (live
    frames, e-mail, tasks, and the followers' fan-out, which enqueues a task and was
    after commit before issue 12) is left to `django_capture_on_commit_callbacks`.
    `transaction=True` tests commit for real and are untouched.
    """
    from django.db import transaction

    original = transaction.Atomic.__exit__

    def is_handler(func: object) -> bool:
        handler = getattr(func, "handler", None)
        return handler is not None and handler.__module__ != "notifications.follows"

    def exit_(self, exc_type, exc, tb):  # noqa: ANN001, ANN202
        connection = transaction.get_connection(self.using)
        blocks = connection.atomic_blocks
        outermost = (
            bool(blocks)
            and not blocks[-1]._from_testcase
            and all(block._from_testcase for block in blocks[:-1])
        )
        result = original(self, exc_type, exc, tb)
        if outermost and exc_type is None and connection.in_atomic_block:
            due = [entry for entry in connection.run_on_commit if is_handler(entry[1])]
            connection.run_on_commit = [
                entry for entry in connection.run_on_commit if not is_handler(entry[1])
            ]
            for _sids, func, _robust in due:
                func()
        return result

    monkeypatch.setattr(transaction.Atomic, "__exit__", exit_)
