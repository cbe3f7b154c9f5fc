"""The escalation desk's services: escalate, claim, note, official answer, resolve with
verdicts, and what each does to points, accuracy, visibility, notifications and the
desk's live stream."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from advocacy.desk.selectors import desk_queue, verdict_accuracy
from advocacy.models import AnswerVerdict, AuditEntry, DeskNote, Escalation
from advocacy.services import escalations
from forum import services as forum_services
from forum.models import Answer, Notification, User
from gamification.models import PointEvent
from tests.advocacy.desk_support import escalate, published, snapshot
from tests.factories import AnswerFactory, QuestionFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def answers(question, helper, other_customer):
    """Two community answers on `question`: carla's (right) and bruno's (dangerous)."""
    return (
        AnswerFactory(question=question, author=helper, body="Use the app's top-up page."),
        AnswerFactory(question=question, author=other_customer, body="Share your PIN with me."),
    )


# Escalating -------------------------------------------------------------------------------


def test_an_advocate_escalates_a_question_and_the_desk_hears_of_it(
    advocate, question, django_capture_on_commit_callbacks
):
    before = timezone.now()
    with django_capture_on_commit_callbacks() as callbacks:
        escalation = escalate(advocate, question, priority="urgent")

    assert escalation.is_new is True
    assert escalation.status == "open"
    assert escalation.priority == "urgent"
    assert escalation.source == "advocate"
    assert escalation.created_by == advocate
    assert escalation.assignee is None
    # Urgent: first response within 1 hour, resolution within 4 hours (seeded SLA policy).
    assert before + dt.timedelta(hours=1) <= escalation.first_response_due_at
    assert escalation.first_response_due_at <= timezone.now() + dt.timedelta(hours=1)
    assert escalation.resolve_due_at - escalation.first_response_due_at == dt.timedelta(hours=3)
    assert [e.kind for e in escalation.events.all()] == ["created"]
    assert AuditEntry.objects.get().action == "escalation.create"
    assert published(callbacks) == [
        (
            "desk",
            "escalation.created",
            {
                "id": escalation.pk,
                "question": question.pk,
                "status": "open",
                "priority": "urgent",
                "assignee": None,
                "change": "created",
            },
        )
    ]


def test_escalating_an_escalated_question_adds_to_its_history(advocate, staff, question):
    first = escalate(advocate, question, priority="low", reason="First reason")
    again = escalations.escalate_question(
        actor=staff, question=question, reason="The customer called us too", priority="high"
    )

    assert again.pk == first.pk
    assert again.is_new is False
    assert Escalation.objects.count() == 1
    again.refresh_from_db()
    assert again.priority == "high"  # raised, never lowered
    assert again.first_response_due_at < first.first_response_due_at
    joined = again.events.get(kind="joined")
    assert joined.actor == staff
    assert joined.data["reason"] == "The customer called us too"


def test_a_lower_priority_does_not_lower_an_open_case(advocate, question):
    escalate(advocate, question, priority="urgent")
    again = escalate(advocate, question, priority="low")

    assert Escalation.objects.get().priority == "urgent"
    assert again.is_new is False


def test_a_closed_case_does_not_stop_a_new_escalation(advocate, staff, question):
    first = escalate(advocate, question)
    escalations.dismiss_escalation(actor=staff, escalation=first, reason="Answered already.")

    second = escalate(advocate, question)

    assert second.is_new is True
    assert second.pk != first.pk
    assert list(Escalation.objects.values_list("status", flat=True).order_by("pk")) == [
        "dismissed",
        "open",
    ]


def test_flags_and_sla_rules_escalate_without_an_advocate(customer, question):
    by_flag = escalations.escalate_question(
        actor=customer, question=question, reason="", priority="normal", source="flag"
    )
    other = QuestionFactory(author=customer)
    by_sla = escalations.escalate_question(
        actor=None, question=other, reason="", priority="normal", source="sla"
    )

    assert (by_flag.source, by_flag.created_by) == ("flag", customer)
    assert (by_sla.source, by_sla.created_by) == ("sla", None)
    assert by_sla.events.get().actor is None


@pytest.mark.parametrize(
    ("reason", "priority", "field"),
    [
        ("", "high", "reason"),
        ("   \n ", "high", "reason"),
        ("x" * 1001, "high", "reason"),
        ("A fine reason", "critical", "priority"),
        ("A fine reason", None, "priority"),
        (None, "high", "reason"),
        (["a list"], "high", "reason"),
    ],
)
def test_bad_escalations_are_refused_and_write_nothing(advocate, question, reason, priority, field):
    before = snapshot()

    with pytest.raises(ValidationError) as caught:
        escalate(advocate, question, reason=reason, priority=priority)

    assert field in caught.value.message_dict
    assert snapshot() == before


def test_a_reason_of_exactly_the_limit_is_accepted(advocate, question):
    assert len(escalate(advocate, question, reason="r" * 1000).reason) == 1000


# Claiming and assigning ---------------------------------------------------------------------


def test_claiming_takes_the_case_and_a_second_agent_is_told_who_has_it(
    staff, manager, advocate, question
):
    escalation = escalate(advocate, question)

    escalations.claim_escalation(actor=staff, escalation=escalation)
    before = snapshot()
    with pytest.raises(escalations.EscalationConflict, match="Sofia"):
        escalations.claim_escalation(actor=manager, escalation=escalation)

    escalation.refresh_from_db()
    assert escalation.assignee == staff
    assert escalation.status == "in_progress"
    assert snapshot() == before
    # Claiming one's own case again changes nothing.
    escalations.claim_escalation(actor=staff, escalation=escalation)
    assert snapshot() == before


def test_assigning_notifies_the_assignee(staff, manager, advocate, question):
    escalation = escalate(advocate, question)

    escalation = escalations.assign_escalation(actor=manager, escalation=escalation, assignee=staff)

    note = Notification.objects.get(recipient=staff)
    assert note.kind == "escalation"
    assert note.link == f"/desk/{escalation.pk}/"
    assert escalation.assignee == staff


def test_only_staff_are_assigned(staff, advocate, helper, question):
    escalation = escalate(advocate, question)

    with pytest.raises(ValidationError, match="support staff"):
        escalations.assign_escalation(actor=staff, escalation=escalation, assignee=helper)


def test_bulk_assign_is_all_or_nothing(staff, manager, advocate, customer):
    cases = [escalate(advocate, QuestionFactory(author=customer)) for _ in range(3)]
    escalations.dismiss_escalation(actor=staff, escalation=cases[2], reason="Not for us.")
    before = snapshot()

    with pytest.raises(ValidationError, match="closed"):
        escalations.bulk_assign_escalations(
            actor=manager, escalation_ids=[c.pk for c in cases], assignee=staff
        )
    assert snapshot() == before
    with pytest.raises(ValidationError, match="do not exist"):
        escalations.bulk_assign_escalations(
            actor=manager, escalation_ids=[cases[0].pk, 999_999], assignee=staff
        )
    assert snapshot() == before

    done = escalations.bulk_assign_escalations(
        actor=manager, escalation_ids=[cases[1].pk, cases[0].pk], assignee=staff
    )

    assert [e.pk for e in done] == [cases[0].pk, cases[1].pk]
    assert set(Escalation.objects.filter(assignee=staff).values_list("pk", flat=True)) == {
        cases[0].pk,
        cases[1].pk,
    }


# Status, pauses and the queue's order ------------------------------------------------------


def test_waiting_on_the_customer_stops_the_clocks(staff, advocate, question, time_machine):
    time_machine.move_to(dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC), tick=False)
    escalation = escalate(advocate, question, priority="normal")
    due = (escalation.first_response_due_at, escalation.resolve_due_at)

    time_machine.move_to(dt.datetime(2026, 3, 2, 10, 0, tzinfo=dt.UTC), tick=False)
    escalations.set_escalation_status(
        actor=staff, escalation=escalation, status="waiting_on_customer"
    )
    time_machine.move_to(dt.datetime(2026, 3, 2, 13, 30, tzinfo=dt.UTC), tick=False)
    escalations.set_escalation_status(actor=staff, escalation=escalation, status="in_progress")

    escalation.refresh_from_db()
    assert escalation.paused_at is None
    assert escalation.paused_seconds == 3.5 * 3600
    assert escalation.first_response_due_at == due[0] + dt.timedelta(hours=3.5)
    assert escalation.resolve_due_at == due[1] + dt.timedelta(hours=3.5)
    # Asking the customer something was the first response, an hour in: on time.
    assert escalation.first_response_at == dt.datetime(2026, 3, 2, 10, 0, tzinfo=dt.UTC)
    assert escalation.first_response_breached is False


def test_the_queue_puts_the_most_urgent_first_and_waiting_cases_last(staff, advocate, customer):
    low = escalate(advocate, QuestionFactory(author=customer), priority="low")
    urgent = escalate(advocate, QuestionFactory(author=customer), priority="urgent")
    high = escalate(advocate, QuestionFactory(author=customer), priority="high")
    waiting = escalate(advocate, QuestionFactory(author=customer), priority="urgent")
    escalations.set_escalation_status(actor=staff, escalation=waiting, status="waiting_on_customer")
    closed = escalate(advocate, QuestionFactory(author=customer), priority="urgent")
    escalations.dismiss_escalation(actor=staff, escalation=closed, reason="Duplicate case.")

    assert list(desk_queue(user=staff)) == [urgent, high, low, waiting]
    assert list(desk_queue(user=staff, status="all"))[-1] == closed
    assert list(desk_queue(user=staff, priority="high")) == [high]


# The whole case: note, official answer, verdicts -------------------------------------------


def test_escalate_claim_note_answer_resolve(
    advocate,
    staff,
    customer,
    helper,
    other_customer,
    question,
    answers,
    django_capture_on_commit_callbacks,
):
    right, unsafe = answers
    helper_before = helper.reputation
    escalation = escalate(advocate, question)
    escalations.claim_escalation(actor=staff, escalation=escalation)

    with django_capture_on_commit_callbacks() as callbacks:
        note = escalations.add_note(
            actor=staff, escalation=escalation, body="Customer is on the legacy plan; secret!"
        )
    assert published(callbacks)[0][0:2] == ("desk", "escalation.updated")
    assert "secret" not in str(published(callbacks))

    official = escalations.post_official_answer(
        actor=staff, escalation=escalation, body="Staff here: we refunded the double charge."
    )
    official.refresh_from_db()
    assert official.is_official is True
    assert official.author == staff
    escalation.refresh_from_db()
    assert escalation.first_response_at is not None

    with django_capture_on_commit_callbacks() as callbacks:
        escalations.resolve_escalation(
            actor=staff,
            escalation=escalation,
            resolution="Refunded; the app's top-up page is the right way.",
            verdicts=[(right, "correct"), (unsafe.pk, "unsafe")],
        )

    escalation.refresh_from_db()
    assert escalation.status == "resolved"
    assert escalation.resolved_at is not None
    assert escalation.resolution == "Refunded; the app's top-up page is the right way."
    # Correct: the staff-verified points, in the ledger.
    helper.refresh_from_db()
    assert helper.reputation == helper_before + 20
    assert PointEvent.objects.filter(recipient=helper, rule="staff_verified").count() == 1
    # Unsafe: hidden pending review, no points.
    unsafe.refresh_from_db()
    assert unsafe.hidden_at is not None
    assert unsafe.hidden_reason == "unsafe"
    assert not PointEvent.objects.filter(recipient=other_customer, rule="staff_verified").exists()
    assert verdict_accuracy(helper) == (1, 1)
    assert verdict_accuracy(other_customer) == (0, 1)
    # The asker and the advocate hear of it; bruno hears his answer was hidden.
    kinds = {
        (n.recipient.username, n.kind)
        for n in Notification.objects.filter(kind__in=["escalation", "moderation"])
    }
    assert kinds == {("anna", "escalation"), ("dario", "escalation"), ("bruno", "moderation")}
    assert [e.kind for e in escalation.events.all()] == [
        "created",
        "claimed",
        "note",
        "answer",
        "verdict",
        "verdict",
        "resolved",
    ]
    streams = [(stream, kind) for stream, kind, _data in published(callbacks)]
    assert ("desk", "escalation.updated") in streams
    assert (f"question.{question.pk}", "answer.updated") in streams
    assert DeskNote.objects.get() == note


def test_a_later_verdict_takes_the_points_back(advocate, staff, question, answers, helper):
    right, _unsafe = answers
    first = escalate(advocate, question)
    escalations.resolve_escalation(
        actor=staff, escalation=first, resolution="Fine.", verdicts=[(right, "correct")]
    )
    helper.refresh_from_db()
    after_first = helper.reputation

    second = escalate(advocate, question)
    escalations.resolve_escalation(
        actor=staff,
        escalation=second,
        resolution="Wrong after all.",
        verdicts=[(right, "incorrect")],
    )

    helper.refresh_from_db()
    assert helper.reputation == after_first - 20
    assert AnswerVerdict.objects.get(answer=right).verdict == "incorrect"
    assert verdict_accuracy(helper) == (0, 1)


def test_judging_correct_twice_awards_once(advocate, staff, question, answers, helper):
    right, _unsafe = answers
    for _ in range(2):
        escalation = escalate(advocate, question)
        escalations.resolve_escalation(
            actor=staff, escalation=escalation, resolution="Fine.", verdicts=[(right, "correct")]
        )

    assert PointEvent.objects.filter(recipient=helper, rule="staff_verified").count() == 1


@pytest.mark.parametrize(
    "verdicts",
    [
        [("own", "correct")],  # an answer of another question
        [("right", "brilliant")],
        [("right", "correct"), ("right", "incorrect")],
        [("official", "correct")],
        [(999_999, "correct")],
    ],
)
def test_bad_verdicts_refuse_the_whole_resolution(
    advocate, staff, question, answers, verdicts, customer
):
    right, _unsafe = answers
    escalation = escalate(advocate, question)
    official = escalations.post_official_answer(
        actor=staff, escalation=escalation, body="Official words from staff."
    )
    elsewhere = AnswerFactory(question=QuestionFactory(author=customer))
    named = {"right": right, "official": official, "own": elsewhere}
    before = snapshot()

    with pytest.raises(ValidationError):
        escalations.resolve_escalation(
            actor=staff,
            escalation=escalation,
            resolution="Done.",
            verdicts=[(named.get(a, a), v) for a, v in verdicts],
        )

    assert snapshot() == before


def test_a_closed_case_cannot_be_worked(advocate, staff, question):
    escalation = escalate(advocate, question)
    escalations.resolve_escalation(actor=staff, escalation=escalation, resolution="Done.")
    before = snapshot()

    for act in (
        lambda: escalations.claim_escalation(actor=staff, escalation=escalation),
        lambda: escalations.post_official_answer(
            actor=staff, escalation=escalation, body="Too late for this."
        ),
        lambda: escalations.resolve_escalation(actor=staff, escalation=escalation, resolution="x"),
        lambda: escalations.set_escalation_status(
            actor=staff, escalation=escalation, status="in_progress"
        ),
    ):
        with pytest.raises(PermissionDenied, match="closed"):
            act()
    assert snapshot() == before


def test_resolving_late_marks_the_breach(advocate, staff, question, time_machine):
    time_machine.move_to(dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC), tick=False)
    escalation = escalate(advocate, question, priority="urgent")
    time_machine.move_to(dt.datetime(2026, 3, 2, 13, 30, tzinfo=dt.UTC), tick=False)

    escalations.resolve_escalation(actor=staff, escalation=escalation, resolution="Late.")

    escalation.refresh_from_db()
    assert escalation.first_response_breached is True
    assert escalation.resolve_breached is True


def test_a_member_never_judged_has_no_accuracy(helper):
    assert verdict_accuracy(helper) == (0, 0)
    assert verdict_accuracy(UserFactory()) == (0, 0)
    assert Answer.objects.count() == 0


def test_the_demo_seed_opens_three_cases_through_the_services(advocate, staff, customer):
    from demo.desk import seed_escalations

    for n in range(4):
        QuestionFactory(author=customer, title=f"Demo question number {n} about billing")

    assert seed_escalations(advocate_id=advocate.pk, staff_id=staff.pk) == 3
    assert sorted(Escalation.objects.values_list("priority", flat=True)) == [
        "high",
        "normal",
        "urgent",
    ]
    claimed = Escalation.objects.get(assignee=staff)
    assert claimed.priority == "urgent"
    assert claimed.notes.count() == 1
    assert seed_escalations(advocate_id=None, staff_id=staff.pk) == 0


def test_an_accepted_answer_judged_unsafe_stops_being_the_solution(
    advocate, staff, customer, question, answers
):
    _right, unsafe = answers
    forum_services.accept_answer(actor=customer, answer=unsafe)
    author = unsafe.author
    reputation = User.objects.get(pk=author.pk).reputation
    escalation = escalate(advocate, question)
    escalations.claim_escalation(actor=staff, escalation=escalation)

    escalations.resolve_escalation(
        actor=staff,
        escalation=escalation,
        resolution="The suggested APN change disables emergency calls.",
        verdicts=[(unsafe, "unsafe")],
    )

    question.refresh_from_db()
    assert question.accepted_answer_id is None
    unsafe.refresh_from_db()
    assert unsafe.hidden_reason == "unsafe"
    # The acceptance's +15 is reversed by a ledger row, as when an asker withdraws it.
    assert User.objects.get(pk=author.pk).reputation == reputation - 15
