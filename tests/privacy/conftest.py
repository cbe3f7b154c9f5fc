"""A member with something in every section of the export, and their counterparties."""

from __future__ import annotations

import pytest
from allauth.account.models import EmailAddress

from advocacy.models import CrmRecord
from advocacy.services import flags as flag_services
from forum import services
from forum.api.services import issue_token
from notifications.models import EmailPreference
from tests.factories import AnswerFactory, QuestionFactory, UserFactory


@pytest.fixture
def busy_member(db, other_customer, helper):
    """`giulia`: asked, answered, commented, edited, voted, got a vote (points), raised a
    flag, set an e-mail preference, has a token, a second address and a CRM record; and
    is notified of an answer to her question."""
    member = UserFactory(
        username="giulia",
        display_name="Giulia Rossi",
        bio="Lives in Bologna",
        first_name="Giulia",
        last_name="Rossi",
        reputation=200,
        locale="it",
    )
    EmailAddress.objects.create(user=member, email="giulia.work@example.com", verified=True)
    question = services.ask_question(
        actor=member,
        title="Roaming charges in Switzerland",
        body="I was charged for roaming in Zurich even with the EU pack.",
        tags=["roaming"],
    )
    services.edit_question(
        actor=member,
        question=question,
        title=question.title,
        body=question.body + " It happened twice.",
        tags=["roaming"],
        category=None,
    )
    theirs = QuestionFactory(author=other_customer, tags=["sim"])
    answer = services.post_answer(
        actor=member, question=theirs, body="Restart the phone with the SIM inserted."
    )
    services.post_comment(actor=member, post=theirs, body="Which phone do you have?")
    services.cast_vote(actor=member, post=theirs, value=1)
    services.cast_vote(actor=helper, post=answer, value=1)
    services.post_answer(actor=helper, question=question, body="Switzerland is not in the EU.")
    other_answer = AnswerFactory(question=theirs, author=helper)
    flag_services.raise_flag(actor=member, post=other_answer, reason="off_topic", note="")
    EmailPreference.objects.create(user=member, kind="answer", mode="digest")
    CrmRecord.objects.create(
        external_id="C-1", email="giulia.work@example.com", user=member, attributes={"tier": "gold"}
    )
    issue_token(actor=member)
    member.refresh_from_db()
    return member
