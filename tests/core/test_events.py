"""The domain-event dispatcher (core.events) and the list of who listens to what."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.db import transaction

from advocacy import events as advocacy_events
from core import events
from forum import events as forum_events
from forum import services
from gamification import events as gamification_events
from gamification.models import PointEvent
from tests.factories import AnswerFactory, QuestionFactory

# Every subscription the apps make in ready(): (event, handler, phase). A handler added or
# removed without updating this list (and docs/architecture.md) fails here.
EXPECTED = [
    ("AdvocateApproved", "integrations.handlers.announce_advocate_approved", "in_transaction"),
    ("AdvocateRevoked", "integrations.handlers.announce_advocate_revoked", "in_transaction"),
    (
        "AnswerAccepted",
        "advocacy.automation.acceptance.audit_community_acceptance",
        "in_transaction",
    ),
    ("AnswerAccepted", "advocacy.health.facts.refresh_question", "in_transaction"),
    ("AnswerAccepted", "advocacy.sla.acceptance.stop_clock_on_acceptance", "in_transaction"),
    ("AnswerAccepted", "gamification.handlers.pay_for_acceptance", "in_transaction"),
    ("AnswerAccepted", "integrations.handlers.announce_acceptance", "after_commit"),
    ("AnswerAccepted", "notifications.follows.tell_followers_of_acceptance", "after_commit"),
    ("AnswerAccepted", "notifications.handlers.notify_acceptance", "after_commit"),
    ("AnswerPosted", "advocacy.health.facts.refresh_question", "in_transaction"),
    ("AnswerPosted", "forum.follows.handlers.follow_answered_question", "in_transaction"),
    ("AnswerPosted", "gamification.handlers.badges_for_answer", "after_commit"),
    ("AnswerPosted", "integrations.handlers.announce_answer", "after_commit"),
    ("AnswerPosted", "notifications.follows.tell_followers_of_answer", "after_commit"),
    ("AnswerPosted", "notifications.handlers.notify_answer", "after_commit"),
    (
        "AnswerUnaccepted",
        "advocacy.automation.acceptance.audit_acceptance_undone",
        "in_transaction",
    ),
    ("AnswerUnaccepted", "advocacy.health.facts.refresh_question", "in_transaction"),
    ("AnswerUnaccepted", "gamification.handlers.reverse_acceptance", "in_transaction"),
    ("CommentPosted", "gamification.handlers.badges_for_comment", "after_commit"),
    ("CommentPosted", "notifications.handlers.notify_comment", "after_commit"),
    ("EscalationChanged", "integrations.handlers.announce_escalation", "in_transaction"),
    ("FlagRaised", "integrations.handlers.announce_flag", "in_transaction"),
    ("FollowingChanged", "forum.views.member_frame.following_changed", "after_commit"),
    ("PostDeleted", "advocacy.health.facts.refresh_question", "in_transaction"),
    ("PostDeleted", "gamification.handlers.reverse_deleted_post", "in_transaction"),
    ("QuestionAsked", "advocacy.health.facts.refresh_question", "in_transaction"),
    ("QuestionAsked", "forum.follows.handlers.follow_asked_question", "in_transaction"),
    ("QuestionAsked", "gamification.handlers.badges_for_question", "after_commit"),
    ("QuestionAsked", "integrations.handlers.announce_question", "after_commit"),
    ("QuestionAsked", "notifications.follows.tell_followers_of_question", "after_commit"),
    ("QuestionAsked", "notifications.handlers.notify_question_mentions", "after_commit"),
    ("QuestionMoved", "advocacy.health.facts.refresh_question", "in_transaction"),
    ("RedemptionDecided", "integrations.handlers.announce_redemption_decision", "in_transaction"),
    ("RedemptionRequested", "integrations.handlers.announce_redemption", "in_transaction"),
    ("VoteCast", "gamification.handlers.settle_vote_later", "in_transaction"),
]


def test_the_bell_hears_an_event_before_the_ledger():
    """As when the forum called them: the notification first, then the points."""
    order = [
        app
        for app in dict.fromkeys(
            s.handler_name.split(".")[0]
            for s in events.registered()
            if s.event_type is forum_events.AnswerPosted and s.phase == events.AFTER_COMMIT
        )
        if app in ("notifications", "gamification")
    ]
    assert order == [
        "notifications",
        "gamification",
    ]


def test_every_registered_handler_is_expected():
    found = sorted((s.event_type.__name__, s.handler_name, s.phase) for s in events.registered())
    assert found == EXPECTED


def test_every_domain_event_has_a_listener():
    emitted = {
        obj.__name__
        for module in (forum_events, advocacy_events, gamification_events)
        for obj in vars(module).values()
        if isinstance(obj, type)
        and issubclass(obj, events.DomainEvent)
        and obj.__module__ == module.__name__
    }
    assert emitted == {name for name, _, _ in EXPECTED}


@dataclass(frozen=True, kw_only=True)
class Pinged(events.DomainEvent):
    thing_id: int
    thing: object = events.row()


@pytest.fixture
def calls():
    seen: list[tuple[str, dict]] = []

    def now(event: Pinged) -> None:
        seen.append(("now", event.payload()))

    def later(event: Pinged) -> None:
        seen.append(("later", event.payload()))

    events.subscribe(Pinged, now, phase=events.IN_TRANSACTION)
    events.subscribe(Pinged, later, phase=events.AFTER_COMMIT)
    events.subscribe(Pinged, now, phase=events.IN_TRANSACTION)  # twice: still once
    yield seen
    events.unsubscribe(Pinged, now)
    events.unsubscribe(Pinged, later)
    assert not [s for s in events.registered() if s.event_type is Pinged]


def test_in_transaction_at_once_after_commit_on_commit(
    db, calls, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        events.emit(Pinged(actor_id=7, thing_id=3, thing=object()))
        assert calls == [("now", {"actor_id": 7, "thing_id": 3})]
    assert calls == [
        ("now", {"actor_id": 7, "thing_id": 3}),
        ("later", {"actor_id": 7, "thing_id": 3}),
    ]


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_transaction_calls_no_after_commit_handler(calls):
    def emit_then_fail() -> None:
        with transaction.atomic():
            events.emit(Pinged(actor_id=None, thing_id=1))
            raise ZeroDivisionError

    with pytest.raises(ZeroDivisionError):
        emit_then_fail()
    assert calls == [("now", {"actor_id": None, "thing_id": 1})]


@pytest.mark.django_db(transaction=True)
def test_in_transaction_handlers_need_a_transaction(calls):
    with pytest.raises(RuntimeError, match="inside atomic"):
        events.emit(Pinged(actor_id=None, thing_id=1))
    assert calls == []


def test_subscribe_refuses_a_bad_phase_or_type():
    with pytest.raises(ValueError, match="phase"):
        events.subscribe(Pinged, print, phase="later")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        events.subscribe(dict, print, phase=events.AFTER_COMMIT)  # type: ignore[arg-type]
    assert not [s for s in events.registered() if s.event_type is Pinged]


def test_a_vote_emits_vote_cast_with_ids(db, customer, other_customer):
    question = QuestionFactory(author=customer)
    answer = AnswerFactory(question=question, author=other_customer)
    seen: list[dict] = []
    events.subscribe(
        forum_events.VoteCast, lambda e: seen.append(e.payload()), phase=events.IN_TRANSACTION
    )
    try:
        services.cast_vote(actor=customer, post=answer, value=1)
    finally:
        for s in events.registered():
            if s.event_type is forum_events.VoteCast and s.handler.__name__ == "<lambda>":
                events.unsubscribe(forum_events.VoteCast, s.handler)
    assert seen == [
        {
            "actor_id": customer.pk,
            "question_id": question.pk,
            "answer_id": answer.pk,
            "post_author_id": other_customer.pk,
            "before": 0,
            "after": 1,
        }
    ]
    # The ledger handler ran after the vote's transaction (the conftest runs after-commit
    # handlers where the commit would be): the answerer was paid.
    assert PointEvent.objects.filter(recipient=other_customer, answer_id=answer.pk).count() == 1
