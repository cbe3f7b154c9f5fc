"""A badge award also rings the member's bell: an in-app notification (kind BADGE), in the
transaction of the award, in the member's language, leading to the badge."""

from __future__ import annotations

import pytest
from django.db import transaction
from django.utils import translation

from forum import services
from forum.models import Notification, User
from notifications.bell import describe
from tests.factories import QuestionFactory
from tests.gamification.support import member, published

pytestmark = pytest.mark.django_db

ANSWER = "Restart the phone and re-insert the SIM card, then wait."


def badge_notes(user: User) -> list[Notification]:
    return list(Notification.objects.filter(recipient=user, kind=Notification.Kind.BADGE))


def test_an_award_notifies_the_member_once_with_a_link_to_the_badge(
    django_capture_on_commit_callbacks,
):
    helper = member(1, username="helper1")

    with django_capture_on_commit_callbacks() as callbacks:
        services.post_answer(actor=helper, question=QuestionFactory(), body=ANSWER)
    services.post_answer(actor=helper, question=QuestionFactory(), body=ANSWER)

    (note,) = badge_notes(helper)
    assert note.link == "/badges/#badge-first-answer"
    assert note.actor is None
    assert note.read_at is None
    assert describe(note) == "You earned the First answer badge."
    with translation.override("it"):
        assert describe(note) == "Hai ottenuto il badge Prima risposta."
    created = [
        d
        for s, t, d in published(callbacks)
        if t == "notification.created" and s == f"user.{helper.pk}"
    ]
    assert [(d["id"], d["kind"], d["link"]) for d in created] == [
        (note.pk, "badge", "/badges/#badge-first-answer")
    ]
    assert created[0]["text"] == "You earned the First answer badge."
    assert created[0]["unread"] == 1


def test_an_italian_member_hears_of_it_in_italian(django_capture_on_commit_callbacks):
    helper = member(1, username="aiutante", locale="it")

    with django_capture_on_commit_callbacks() as callbacks:
        services.post_answer(actor=helper, question=QuestionFactory(), body=ANSWER)

    created = [
        d
        for s, t, d in published(callbacks)
        if t == "notification.created" and s == f"user.{helper.pk}"
    ]
    assert [d["text"] for d in created] == ["Hai ottenuto il badge Prima risposta."]


def test_a_rolled_back_award_leaves_no_notification(django_capture_on_commit_callbacks):
    helper = member(1, username="helper1")
    question = QuestionFactory()

    def failing_request() -> None:
        with transaction.atomic():
            services.post_answer(actor=helper, question=question, body=ANSWER)
            raise RuntimeError("the request failed after the service")

    with django_capture_on_commit_callbacks() as callbacks, pytest.raises(RuntimeError):
        failing_request()

    assert badge_notes(helper) == []
    assert published(callbacks) == []


def test_the_notifications_page_and_api_show_it(client):
    helper = member(1, username="helper1")
    services.post_answer(actor=helper, question=QuestionFactory(), body=ANSWER)
    client.force_login(helper)

    page = client.get("/notifications/")
    body = page.content.decode()
    assert page.status_code == 200
    assert 'href="/badges/#badge-first-answer"' in body
    assert "You earned the First answer badge." in body

    api = client.get("/api/v1/notifications/")
    assert api.status_code == 200
    (item,) = [r for r in api.json()["results"] if r["kind"] == "badge"]
    assert item["url"] == "http://testserver/badges/#badge-first-answer"
    assert item["question"] is None


@pytest.mark.parametrize("language", ["en", "it"])
def test_no_badge_shares_its_name_with_a_rank(language):
    # "Expert" was both the 50-acceptances badge and the 1,000-reputation rank (issue 15)
    from gamification.badges import BADGES
    from gamification.ranks import DEFAULT_RANKS

    with translation.override(language):
        badge_names = {str(spec.name) for spec in BADGES.values()}
    rank_names = {english for _at, english, _it in DEFAULT_RANKS} | {
        italian for _at, _en, italian in DEFAULT_RANKS
    }
    assert badge_names & rank_names == set()
    with translation.override(language):
        assert str(BADGES["expert"].name) == {"en": "Authority", "it": "Autorità"}[language]


def test_the_migration_renames_the_expert_badge_in_stored_notifications():
    import importlib

    from django.apps import apps

    migration = importlib.import_module("gamification.migrations.0013_rename_expert_badge")
    helper = member(1, username="helper1")
    old = Notification.objects.create(
        recipient=helper,
        kind=Notification.Kind.BADGE,
        data={"message": "You earned the %(badge)s badge.", "params": {"badge": migration.OLD}},
        link="/badges/#badge-expert",
    )
    other = Notification.objects.create(
        recipient=helper,
        kind=Notification.Kind.BADGE,
        data={"message": "You earned the %(badge)s badge.", "params": {"badge": {"en": "Guru"}}},
        link="/badges/#badge-guru",
    )
    migration.rename(apps, None)
    old.refresh_from_db()
    other.refresh_from_db()
    assert old.data["params"]["badge"] == {"en": "Authority", "it": "Autorità"}
    assert other.data["params"]["badge"] == {"en": "Guru"}
