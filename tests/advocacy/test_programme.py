"""The advocate programme: eligibility at each threshold, the candidates page, approving
and revoking (manager only, audited, notified), the advocates list and the mark next to
advocates' names."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.utils import timezone

from advocacy.models import AdvocateRules, AnswerVerdict, AuditEntry
from advocacy.programme import selectors
from advocacy.services import programme as services
from core import audit
from forum.models import Notification, User
from tests.advocacy.programme_support import (
    ACCEPTED,
    AGE_DAYS,
    CLEAN_DAYS,
    REPUTATION,
    accepted_answers,
    candidate,
    snapshot,
)
from tests.advocacy.support import published
from tests.factories import AnswerFactory, QuestionFactory, UserFactory
from tests.naughty import NAUGHTY_SAMPLE

pytestmark = pytest.mark.django_db


def statuses(member: User) -> dict[str, str]:
    return {c.key: c.status for c in selectors.evaluate(member).criteria}


# Eligibility ------------------------------------------------------------------------------


def test_a_member_meeting_every_rule_exactly_is_eligible():
    member = candidate()
    evidence = selectors.evaluate(member)
    assert evidence.eligible
    assert statuses(member) == {
        "reputation": "met",
        "accepted_answers": "met",
        "account_age": "met",
        "clean_record": "met",
        "verdict_accuracy": "not_judged",
    }
    figures = {c.key: (c.have, c.need) for c in evidence.criteria}
    assert figures["reputation"] == ("3000", "3000")
    assert figures["accepted_answers"] == ("25", "25")
    assert figures["account_age"] == ("60", "60")


def test_one_reputation_point_short_is_not_eligible():
    member = candidate(reputation=REPUTATION - 1)
    assert statuses(member)["reputation"] == "unmet"
    assert not selectors.evaluate(member).eligible


def test_one_accepted_answer_short_is_not_eligible():
    member = candidate(accepted=ACCEPTED - 1)
    assert statuses(member)["accepted_answers"] == "unmet"
    assert not selectors.evaluate(member).eligible


def test_deleted_answers_and_answers_on_deleted_questions_do_not_count():
    member = candidate(accepted=ACCEPTED)
    answer = member.answers.first()
    answer.deleted_at = timezone.now()
    answer.save(update_fields=["deleted_at"])
    assert statuses(member)["accepted_answers"] == "unmet"


def test_an_account_a_day_too_young_is_not_eligible():
    member = candidate(age_days=AGE_DAYS - 1)
    assert statuses(member)["account_age"] == "unmet"
    assert not selectors.evaluate(member).eligible


def test_a_suspension_ending_inside_the_window_disqualifies_and_just_outside_does_not():
    inside = candidate("inside")
    User.objects.filter(pk=inside.pk).update(
        suspended_until=timezone.now() - timedelta(days=CLEAN_DAYS - 1)
    )
    outside = candidate("outside")
    User.objects.filter(pk=outside.pk).update(
        suspended_until=timezone.now() - timedelta(days=CLEAN_DAYS + 1)
    )
    assert statuses(User.objects.get(pk=inside.pk))["clean_record"] == "unmet"
    assert statuses(User.objects.get(pk=outside.pk))["clean_record"] == "met"


def test_a_suspension_lifted_early_still_counts_through_the_audit_log(manager):
    member = candidate()
    audit.record(actor=manager, action="member.suspend", target=member, reason="spam")
    assert statuses(member)["clean_record"] == "unmet"


def test_an_old_suspension_in_the_audit_log_does_not_count(manager):
    member = candidate()
    # Rows are append-only; an old act is written as old (created_at is set at insert).
    AuditEntry(
        actor=manager,
        action="member.suspend",
        target_type=ContentType.objects.get_for_model(User),
        target_id=member.pk,
        created_at=timezone.now() - timedelta(days=CLEAN_DAYS + 1),
    ).save()
    assert statuses(member)["clean_record"] == "met"


def _verdicts(member: User, correct: int, wrong: int, staff: User) -> None:
    for i in range(correct + wrong):
        answer = AnswerFactory(author=member, question=QuestionFactory())
        AnswerVerdict.objects.create(
            answer=answer,
            author=member,
            verdict="correct" if i < correct else "incorrect",
            judged_by=staff,
        )


def test_accuracy_is_not_yet_judged_without_verdicts_and_does_not_block():
    member = candidate()
    criterion = next(c for c in selectors.evaluate(member).criteria if c.key == "verdict_accuracy")
    assert (criterion.status, criterion.have) == ("not_judged", "not yet judged")
    assert selectors.evaluate(member).eligible


def test_accuracy_at_80_percent_is_met_and_just_below_is_not(staff):
    exactly = candidate("exactly")
    _verdicts(exactly, correct=4, wrong=1, staff=staff)  # 80 %
    below = candidate("below")
    _verdicts(below, correct=79, wrong=21, staff=staff)  # 79 %
    assert statuses(exactly)["verdict_accuracy"] == "met"
    assert statuses(below)["verdict_accuracy"] == "unmet"
    assert not selectors.evaluate(below).eligible


def test_the_manager_tunes_the_rules():
    AdvocateRules(min_reputation=5000, min_accepted_answers=1).save()
    member = candidate(reputation=4999, accepted=1)
    assert statuses(member)["reputation"] == "unmet"
    assert statuses(member)["accepted_answers"] == "met"


def test_candidates_exclude_advocates_staff_and_low_reputation(advocate, staff):
    ready = candidate("ready")
    almost = candidate("almost", accepted=ACCEPTED - 1)
    candidate("low", reputation=REPUTATION - 1)
    found = selectors.candidates()
    assert [(e.member.username, e.eligible) for e in found] == [
        ("ready", True),
        ("almost", False),
    ]
    assert {ready.pk, almost.pk} == {e.member.pk for e in found}


# Approve and revoke -------------------------------------------------------------------------


def test_the_manager_approves_an_eligible_member(manager, django_capture_on_commit_callbacks):
    member = candidate()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.approve_advocate(actor=manager, member=member, note="Great helper")
    member.refresh_from_db()
    assert member.is_advocate
    entry = AuditEntry.objects.get(action="advocate.approve")
    assert (entry.actor, entry.target_id, entry.reason) == (manager, member.pk, "Great helper")
    assert entry.before == {"is_advocate": False}
    assert entry.after["is_advocate"] is True
    assert entry.after["evidence"]["accepted_answers"] == "25"
    notification = Notification.objects.get(recipient=member)
    assert notification.kind == Notification.Kind.ADVOCATE
    assert notification.link == "/advocates/"
    assert [(s, t) for s, t, _d in published(callbacks)] == [
        (f"user.{member.pk}", "notification.created")
    ]


def test_approving_an_ineligible_member_is_refused_unless_overridden_with_a_reason(manager):
    member = candidate(accepted=ACCEPTED - 1)
    before = snapshot()
    with pytest.raises(ValidationError, match="Accepted answers"):
        services.approve_advocate(actor=manager, member=member)
    with pytest.raises(ValidationError):
        services.approve_advocate(actor=manager, member=member, override=True, note="")
    assert snapshot() == before
    services.approve_advocate(actor=manager, member=member, override=True, note="Known expert")
    assert User.objects.get(pk=member.pk).is_advocate
    assert AuditEntry.objects.get(action="advocate.approve").after["override"] is True


def test_approving_twice_is_refused(manager):
    member = candidate()
    services.approve_advocate(actor=manager, member=member)
    with pytest.raises(ValidationError, match="already an advocate"):
        services.approve_advocate(actor=manager, member=member)
    assert AuditEntry.objects.filter(action="advocate.approve").count() == 1


def test_revoking_needs_a_reason_and_notifies_with_it(manager, advocate):
    with pytest.raises(ValidationError):
        services.revoke_advocate(actor=manager, member=advocate, reason="  ")
    assert User.objects.get(pk=advocate.pk).is_advocate
    services.revoke_advocate(actor=manager, member=advocate, reason="Inactive for months")
    advocate.refresh_from_db()
    assert not advocate.is_advocate
    entry = AuditEntry.objects.get(action="advocate.revoke")
    assert (entry.reason, entry.before, entry.after) == (
        "Inactive for months",
        {"is_advocate": True},
        {"is_advocate": False},
    )
    notification = Notification.objects.get(recipient=advocate)
    assert "Inactive for months" in notification.data["params"]["reason"]


def test_revoking_a_member_who_is_not_an_advocate_is_refused(manager, revoked_advocate):
    with pytest.raises(ValidationError, match="not an advocate"):
        services.revoke_advocate(actor=manager, member=revoked_advocate, reason="again please")


ROLES = [
    "anonymous",
    "customer",
    "other_customer",
    "helper",
    "advocate",
    "revoked_advocate",
    "staff",
    "manager",
]


@pytest.fixture
def actor(request):
    if request.param == "anonymous":
        return AnonymousUser()
    return request.getfixturevalue(request.param)


@pytest.mark.parametrize("actor", ROLES, indirect=True)
def test_only_the_manager_approves_or_revokes(actor, request, django_capture_on_commit_callbacks):
    role = request.node.callspec.params["actor"]
    member = candidate()
    sitting = UserFactory(username="seated", reputation=5000, is_advocate=True)
    before = snapshot()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        if role == "manager":
            services.approve_advocate(actor=actor, member=member)
            services.revoke_advocate(actor=actor, member=sitting, reason="stepping down")
        else:
            with pytest.raises(PermissionDenied):
                services.approve_advocate(actor=actor, member=member)
            with pytest.raises(PermissionDenied):
                services.revoke_advocate(actor=actor, member=sitting, reason="stepping down")
    if role == "manager":
        assert User.objects.get(pk=member.pk).is_advocate
        assert not User.objects.get(pk=sitting.pk).is_advocate
    else:
        assert snapshot() == before
        assert published(callbacks) == []


@pytest.mark.parametrize("role", ROLES)
def test_pages_by_role(role, request):
    member = candidate()
    client = Client()
    if role != "anonymous":
        client.force_login(request.getfixturevalue(role))
    candidates_page = client.get("/advocates/candidates/")
    approve = client.post(f"/advocates/{member.username}/approve/", {"note": ""})
    expected_candidates = {"anonymous": 302, "staff": 200, "manager": 200}.get(role, 403)
    assert candidates_page.status_code == expected_candidates
    if role == "manager":
        assert approve.status_code == 302
        assert User.objects.get(pk=member.pk).is_advocate
    else:
        assert (
            approve.status_code in (302, 403) if role == "anonymous" else approve.status_code == 403
        )
        assert not User.objects.get(pk=member.pk).is_advocate
    assert client.get("/advocates/").status_code == 200


def test_candidates_page_shows_the_evidence_against_each_threshold(manager_client):
    candidate("ready")
    candidate("almost", accepted=ACCEPTED - 1)
    html = manager_client.get("/advocates/candidates/").content.decode()
    assert "Ready" in html
    assert "Almost" in html
    assert "eligible" in html
    assert "not yet eligible" in html
    assert "not yet judged" in html
    assert html.count('action="/advocates/ready/approve/"') == 1
    assert 'action="/advocates/almost/approve/"' not in html  # not eligible: no button


def test_staff_sees_candidates_but_no_approve_button(staff_client):
    candidate("ready")
    html = staff_client.get("/advocates/candidates/").content.decode()
    assert "Ready" in html
    assert "/approve/" not in html


def test_revoke_page_refuses_an_empty_reason_and_keeps_the_advocate(manager_client, advocate):
    response = manager_client.post(f"/advocates/{advocate.username}/revoke/", {"reason": ""})
    assert response.status_code == 200
    assert "This field is required." in response.content.decode()
    assert User.objects.get(pk=advocate.pk).is_advocate


def test_approve_needs_csrf(manager):
    client = Client(enforce_csrf_checks=True)
    client.force_login(manager)
    member = candidate()
    assert client.post(f"/advocates/{member.username}/approve/").status_code == 403
    assert not User.objects.get(pk=member.pk).is_advocate


def test_unknown_member_is_404(manager_client):
    assert manager_client.post("/advocates/nobody-here/approve/").status_code == 404
    assert manager_client.get("/advocates/nobody-here/revoke/").status_code == 404


# The mark -----------------------------------------------------------------------------------


def test_advocates_carry_the_mark_next_to_their_name(client, advocate, customer):
    question = QuestionFactory(author=advocate, title="Advocate asks about roaming")
    AnswerFactory(question=question, author=customer)
    page = client.get(question.get_absolute_url()).content.decode()
    assert page.count('class="advocate-mark"') == 1  # the advocate, not the customer
    profile = client.get(advocate.get_absolute_url()).content.decode()
    assert "Community advocate" in profile
    assert 'class="advocate-mark"' not in client.get(customer.get_absolute_url()).content.decode()


def test_advocates_list_shows_advocates_and_revoke_links_for_the_manager(
    client, manager_client, advocate
):
    assert "Dario Advocate" in client.get("/advocates/").content.decode()
    assert "/revoke/" not in client.get("/advocates/").content.decode()
    assert (
        f"/advocates/{advocate.username}/revoke/"
        in manager_client.get("/advocates/").content.decode()
    )


@pytest.mark.parametrize("text", NAUGHTY_SAMPLE)
def test_naughty_reasons_are_stored_cleanly_and_escaped(manager, manager_client, text):
    member = UserFactory(
        username="naughty", display_name="<script>alert(1)</script>", is_advocate=True
    )
    try:
        services.revoke_advocate(actor=manager, member=member, reason=text)
    except ValidationError:
        assert User.objects.get(pk=member.pk).is_advocate  # refused: nothing changed
        return
    entry = AuditEntry.objects.get(action="advocate.revoke")
    assert "\x00" not in entry.reason
    page = Client()
    page.force_login(member)
    html = page.get("/notifications/").content.decode()
    assert "<script>alert(1)</script>" not in html


def test_accepted_answers_helper_counts():
    member = UserFactory(username="counted")
    accepted_answers(member, 3)
    assert selectors.with_evidence(User.objects.filter(pk=member.pk)).get().accepted_answers == 3


def test_seed_demo_approves_demo_advocate_through_the_programme_and_opens_the_lounge():
    from io import StringIO

    from django.core.management import call_command

    from forum.models import Question

    call_command(
        "seed_demo",
        "--users",
        "6",
        "--questions",
        "4",
        "--answers-per-question",
        "1",
        "--anchor",
        "2025-03-01T12:00:00+00:00",
        "--force",
        stdout=StringIO(),
    )
    advocate = User.objects.get(username="demo-advocate")
    assert advocate.is_advocate
    entry = AuditEntry.objects.get(action="advocate.approve", target_id=advocate.pk)
    assert entry.actor.username == "demo-manager"
    lounge_threads = Question.objects.filter(category__is_private=True)
    assert [(q.author.username, q.answer_count) for q in lounge_threads] == [("demo-advocate", 1)]
    assert Client().get(lounge_threads[0].get_absolute_url()).status_code == 404


def test_the_candidates_page_reads_a_fixed_number_of_queries(manager_client, staff):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert manager_client.get("/advocates/candidates/").status_code == 200
        return len(queries)

    first = candidate("first")
    _verdicts(first, correct=1, wrong=0, staff=staff)
    one = count()
    for name in ("second", "third", "fourth"):
        _verdicts(candidate(name, accepted=1), correct=0, wrong=1, staff=staff)
    assert count() == one


def test_an_overlong_approval_note_is_a_message_not_a_500(manager_client):
    member = candidate()
    response = manager_client.post(
        f"/advocates/{member.username}/approve/", {"note": "x" * 1001}, follow=True
    )
    assert response.status_code == 200
    assert "at most 1000 characters" in response.content.decode()
    assert not User.objects.get(pk=member.pk).is_advocate


def test_the_clean_record_rule_names_its_number_of_days():
    rules = selectors.rules()
    rules.clean_record_days = 45
    rules.save()

    labels = {c.key: c.label for c in selectors.evaluate(candidate()).criteria}

    assert labels["clean_record"] == "No suspension in the last 45 days"
