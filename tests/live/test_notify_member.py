"""Notifications beyond posts (badges, rewards, moderation, escalations, SLA alerts):
`notify_member` writes one row, translates when shown and lights the bell live."""

from __future__ import annotations

import pytest
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext_noop

from forum.models import Notification
from live import events
from notifications.bell import describe, notify_member
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

# A msgid the Italian catalogue already translates, so the test reads both languages.
MESSAGE = gettext_noop("%(who)s answered your question “%(title)s”")
PARAMS = {"who": "Sofia", "title": "X"}


@pytest.fixture
def published(monkeypatch):
    """Events delivered by committed transactions, as (stream, type, data)."""
    sent: list[tuple[str, str, dict]] = []
    monkeypatch.setattr(
        events, "_deliver", lambda stream, type, data: sent.append((stream, type, data))
    )
    return sent


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    return lambda: django_capture_on_commit_callbacks(execute=True)


def test_a_system_notification_has_no_actor_and_no_question(customer, published, committed):
    with committed():
        notification = notify_member(
            customer, Notification.Kind.SLA, MESSAGE, params=PARAMS, link="/desk/"
        )

    assert (notification.actor, notification.question, notification.link) == (None, None, "/desk/")
    assert notification.data == {"message": MESSAGE, "params": PARAMS}
    [(stream, kind, data)] = published
    assert (stream, kind) == (f"user.{customer.pk}", "notification.created")
    assert data["unread"] == 1
    assert data["link"] == "/desk/"
    assert data["actor"] is None


def test_the_text_is_in_each_readers_language(customer):
    notification = notify_member(customer, Notification.Kind.SLA, MESSAGE, params=PARAMS)

    with translation.override("en"):
        assert describe(notification) == "Sofia answered your question “X”"
    with translation.override("it"):
        assert describe(notification) == "Sofia ha risposto alla tua domanda “X”"


def test_the_live_toast_speaks_the_recipients_language(published, committed):
    italian = UserFactory(locale="it")
    english = UserFactory(locale="en")

    with committed():
        notify_member(italian, Notification.Kind.SLA, MESSAGE, params=PARAMS)
        notify_member(english, Notification.Kind.SLA, MESSAGE, params=PARAMS)

    texts = {stream: data["text"] for stream, _kind, data in published}
    assert texts == {
        f"user.{english.pk}": "Sofia answered your question “X”",
        f"user.{italian.pk}": "Sofia ha risposto alla tua domanda “X”",
    }


def test_a_member_is_not_notified_of_their_own_act(customer, published, committed):
    with committed():
        assert (
            notify_member(customer, Notification.Kind.MODERATION, MESSAGE, actor=customer) is None
        )
    assert Notification.objects.count() == 0
    assert published == []


def test_a_rolled_back_notification_publishes_nothing(customer, published, committed):
    def failing_write() -> None:
        with transaction.atomic():
            notify_member(customer, Notification.Kind.BADGE, MESSAGE, params=PARAMS)
            raise RuntimeError

    with committed(), pytest.raises(RuntimeError):
        failing_write()

    assert Notification.objects.count() == 0
    assert published == []


def test_a_broken_placeholder_falls_back_to_the_message(customer):
    notification = notify_member(customer, Notification.Kind.BADGE, MESSAGE, params={"x": 1})

    assert describe(notification) == MESSAGE


def test_the_notifications_page_lists_system_notifications_and_escapes_them(
    customer, customer_client
):
    notify_member(
        customer,
        Notification.Kind.BADGE,
        MESSAGE,
        params={"who": "<script>alert(1)</script>", "title": "X"},
        link="/badges/",
    )

    html = customer_client.get("/notifications/").content.decode()

    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<script>alert(1)" not in html
    assert 'href="/badges/"' in html
