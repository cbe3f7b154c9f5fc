"""The dashboard's per-question rows (`QuestionHealth`) follow the forum through its domain
events and the advocacy services, so the PostgreSQL path reads what the forum says; the
`health_facts` command finds and repairs a row that drifted."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command

from advocacy.health import facts
from advocacy.models import QuestionHealth
from advocacy.services import escalations
from advocacy.services.moderation import hide_post, unhide_post
from forum import services
from tests.factories import CategoryFactory, UserFactory

pytestmark = pytest.mark.django_db

FIELDS = facts.FIELDS


def stored(question) -> dict:  # noqa: ANN001
    return QuestionHealth.objects.values(*FIELDS).get(question=question)


def expected(question) -> dict:  # noqa: ANN001
    (row,) = facts.compute_rows([question.pk])
    return {name: getattr(row, name) for name in FIELDS}


def test_rows_follow_the_forum(customer, other_customer, staff, advocate):
    helper = UserFactory(username="helper")
    wifi = CategoryFactory(name="Wi-Fi", slug="wifi")
    q = services.ask_question(
        actor=customer,
        title="The router drops every hour",
        body="Since Monday, every hour on the hour.",
        tags=["wifi"],
    )
    row = stored(q)
    assert row == expected(q)
    assert (row["first_answer_minutes"], row["solved"], row["deleted"]) == (None, False, False)

    staff_answer = services.post_answer(
        actor=staff, question=q, body="Restart it, please, and wait a minute."
    )
    assert stored(q) == expected(q)
    assert stored(q)["community_first_answer_minutes"] is None
    answer = services.post_answer(
        actor=helper, question=q, body="Change the Wi-Fi channel to 11 in the settings."
    )
    assert stored(q)["community_first_answer_minutes"] is not None

    services.accept_answer(actor=customer, answer=answer)
    row = stored(q)
    assert (row["solved"], row["community_solved"], row["accepted_helper_id"]) == (
        True,
        True,
        helper.pk,
    )
    services.unaccept_answer(actor=customer, answer=answer)
    assert stored(q)["solved"] is False
    services.accept_answer(actor=customer, answer=staff_answer)
    row = stored(q)
    assert (row["solved"], row["community_solved"], row["accepted_helper_id"]) == (
        True,
        False,
        None,
    )

    q.refresh_from_db()
    services.edit_question(
        actor=customer, question=q, title=q.title, body=q.body, tags=["wifi"], category=wifi
    )
    assert stored(q)["category_id"] == wifi.pk

    hide_post(actor=staff, post=answer, reason="Off topic")
    assert stored(q)["community_first_answer_minutes"] is None
    unhide_post(actor=staff, post=answer)
    assert stored(q)["community_first_answer_minutes"] is not None

    escalations.escalate_question(actor=advocate, question=q, reason="Charged twice.")
    assert stored(q)["escalated"] is True

    services.delete_answer(actor=helper, answer=answer)
    assert stored(q)["community_first_answer_minutes"] is None
    hide_post(actor=staff, post=q, reason="Spam")
    assert stored(q)["hidden"] is True
    services.delete_question(actor=customer, question=q)
    assert stored(q)["deleted"] is True
    assert stored(q) == expected(q)
    call_command("health_facts", "--check")


def test_command_finds_and_repairs_a_drifted_row(question, other_customer, capsys):
    services.post_answer(
        actor=other_customer, question=question, body="Dial *100# and follow the menu."
    )
    call_command("health_facts", "--check")
    QuestionHealth.objects.filter(question=question).update(first_answer_minutes=None)
    with pytest.raises(CommandError, match=f"1 question health rows differ: {question.pk}"):
        call_command("health_facts", "--check")
    call_command("health_facts")
    assert "Recomputed 1 question health rows." in capsys.readouterr().out
    call_command("health_facts", "--check")
