"""Races on the desk, on PostgreSQL with real threads (each its own connection, released
together by a barrier): two agents claiming one case, two advocates escalating one
question, a claim against a bulk assignment, two resolutions awarding points once."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from advocacy.models import Escalation, EscalationEvent
from advocacy.services import escalations
from gamification.models import PointEvent
from gamification.selectors import reputation_drift
from tests.factories import AnswerFactory, QuestionFactory, UserFactory
from tests.pg import POSTGRES_MARKS, race

pytestmark = [*POSTGRES_MARKS, pytest.mark.django_db(transaction=True)]


def _fresh(escalation: Escalation) -> Escalation:
    return Escalation.objects.get(pk=escalation.pk)


@pytest.fixture
def case(advocate, question):
    return escalations.escalate_question(
        actor=advocate, question=question, reason="Charged twice", priority="high"
    )


def test_two_agents_claim_at_once_one_wins(staff, manager, case):
    results = race(
        lambda: escalations.claim_escalation(actor=staff, escalation=_fresh(case)),
        lambda: escalations.claim_escalation(actor=manager, escalation=_fresh(case)),
    )

    won = [r for r in results if isinstance(r, Escalation)]
    lost = [r for r in results if isinstance(r, escalations.EscalationConflict)]
    assert (len(won), len(lost)) == (1, 1), results
    case.refresh_from_db()
    assert case.assignee_id == won[0].assignee_id
    assert "has already claimed this escalation" in str(lost[0])
    assert EscalationEvent.objects.filter(kind="claimed").count() == 1


def test_four_agents_claim_through_the_api_one_gets_200(case):
    agents = [UserFactory(username=f"agent{i}", is_staff=True) for i in range(4)]

    def claim(agent):  # noqa: ANN001, ANN202
        client = APIClient()
        client.force_authenticate(agent)
        return client.post(f"/api/v1/escalations/{case.pk}/claim/").status_code

    codes = race(*[lambda a=a: claim(a) for a in agents])

    assert sorted(codes) == [200, 409, 409, 409]
    assert EscalationEvent.objects.filter(kind="claimed").count() == 1


def test_two_advocates_escalate_one_question_at_once(advocate, staff, question):
    other = UserFactory(username="advocate2", reputation=5000, is_advocate=True)

    results = race(
        lambda: escalations.escalate_question(
            actor=advocate, question=question, reason="One", priority="normal"
        ),
        lambda: escalations.escalate_question(
            actor=other, question=question, reason="Two", priority="urgent"
        ),
    )

    assert all(isinstance(r, Escalation) for r in results), results
    assert sorted(r.is_new for r in results) == [False, True]
    assert Escalation.objects.count() == 1
    assert Escalation.objects.get().priority == "urgent"
    assert sorted(EscalationEvent.objects.values_list("kind", flat=True)) == ["created", "joined"]


def test_a_claim_racing_a_bulk_assignment_leaves_one_assignee(staff, manager, advocate, customer):
    cases = [
        escalations.escalate_question(
            actor=advocate, question=QuestionFactory(author=customer), reason="r", priority="low"
        )
        for _ in range(3)
    ]

    results = race(
        lambda: escalations.bulk_assign_escalations(
            actor=manager, escalation_ids=[c.pk for c in cases], assignee=manager
        ),
        lambda: escalations.claim_escalation(actor=staff, escalation=_fresh(cases[1])),
    )

    assert not isinstance(results[0], Exception), results
    final = _fresh(cases[1]).assignee_id
    # Either the claim came first and the bulk assignment overrode it, or the bulk
    # assignment came first and the claim was refused: never two owners, never a mix.
    if isinstance(results[1], Exception):
        assert isinstance(results[1], escalations.EscalationConflict)
    assert final == manager.pk
    assert set(Escalation.objects.values_list("assignee_id", flat=True)) == {manager.pk}


def test_two_resolutions_at_once_award_the_points_once(staff, manager, advocate, question, helper):
    answer = AnswerFactory(question=question, author=helper)
    case = escalations.escalate_question(
        actor=advocate, question=question, reason="Check", priority="normal"
    )

    results = race(
        lambda: escalations.resolve_escalation(
            actor=staff, escalation=_fresh(case), resolution="A", verdicts=[(answer.pk, "correct")]
        ),
        lambda: escalations.resolve_escalation(
            actor=manager,
            escalation=_fresh(case),
            resolution="B",
            verdicts=[(answer.pk, "correct")],
        ),
    )

    assert sum(isinstance(r, Escalation) for r in results) == 1, results
    assert PointEvent.objects.filter(recipient=helper, rule="staff_verified").count() == 1
    assert reputation_drift() == []
