"""Suspension blocks posting, voting, flagging and earning; the audit log is append-only."""

from __future__ import annotations

import pytest
from django.contrib.admin.sites import site
from django.core.exceptions import PermissionDenied
from django.test import RequestFactory

from advocacy.models import AuditEntry
from advocacy.models.audit import AuditLogIsAppendOnly
from advocacy.services.flags import raise_flag, resolve_flags
from advocacy.services.moderation import suspend_member, unsuspend_member
from core.audit import record
from forum import services as forum_services
from forum.models import User
from gamification.models import PointEvent
from tests.factories import AnswerFactory, QuestionFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def suspended(advocate):
    member = UserFactory(username="mario", reputation=300)
    suspend_member(actor=advocate, member=member, days=7, reason="Spam links")
    member.refresh_from_db()
    return member


def test_suspension_blocks_asking_answering_commenting(suspended, helper):
    question = QuestionFactory(author=helper)
    with pytest.raises(PermissionDenied):
        forum_services.ask_question(
            actor=suspended, title="A question about my bill", body="x" * 40, tags=["bill"]
        )
    with pytest.raises(PermissionDenied):
        forum_services.post_answer(actor=suspended, question=question, body="An answer " * 3)
    with pytest.raises(PermissionDenied):
        forum_services.post_comment(actor=suspended, post=question, body="A comment here")


def test_suspension_blocks_voting_and_flagging(suspended, helper):
    question = QuestionFactory(author=helper)
    with pytest.raises(PermissionDenied):
        forum_services.cast_vote(actor=suspended, post=question, value=1)
    with pytest.raises(PermissionDenied):
        raise_flag(actor=suspended, post=question, reason="spam")


def test_a_suspended_member_earns_nothing_from_votes_or_flags(
    suspended, helper, advocate, other_customer
):
    answer = AnswerFactory(author=suspended, question=QuestionFactory(author=helper))
    before = User.objects.get(pk=suspended.pk).reputation
    forum_services.cast_vote(actor=other_customer, post=answer, value=1)
    assert User.objects.get(pk=suspended.pk).reputation == before
    assert not PointEvent.objects.filter(recipient=suspended, rule="answer_upvoted").exists()
    # A flag raised before the suspension and upheld during it pays nothing either.
    flagger = UserFactory(username="fabio", reputation=40)
    flag = raise_flag(actor=flagger, post=QuestionFactory(author=helper), reason="spam")
    suspend_member(actor=advocate, member=flagger, days=1, reason="x")
    resolve_flags(actor=advocate, flag=flag, action="hide")
    assert not PointEvent.objects.filter(recipient=flagger, rule="flag_upheld").exists()


def test_after_the_suspension_is_lifted_the_member_earns_again(
    suspended, helper, advocate, other_customer
):
    unsuspend_member(actor=advocate, member=suspended, reason="Appeal accepted")
    suspended.refresh_from_db()
    answer = AnswerFactory(author=suspended, question=QuestionFactory(author=helper))
    forum_services.cast_vote(actor=other_customer, post=answer, value=1)
    assert PointEvent.objects.filter(recipient=suspended, rule="answer_upvoted").count() == 1
    assert list(
        AuditEntry.objects.filter(target_id=suspended.pk)
        .order_by("pk")
        .values_list("action", "reason")
    ) == [("member.suspend", "Spam links"), ("member.unsuspend", "Appeal accepted")]


def test_the_suspended_member_is_told_why(suspended):
    notification = suspended.notifications.get()
    assert notification.kind == "moderation"
    assert notification.data["params"]["reason"] == "Spam links"


# Audit log ------------------------------------------------------------------------------


def test_audit_rows_cannot_be_changed_or_deleted(staff):
    entry = record(actor=staff, action="post.hide", label="question 1")
    entry.reason = "changed"
    with pytest.raises(AuditLogIsAppendOnly):
        entry.save()
    with pytest.raises(AuditLogIsAppendOnly):
        entry.delete()
    with pytest.raises(AuditLogIsAppendOnly):
        AuditEntry.objects.filter(pk=entry.pk).update(reason="x")
    with pytest.raises(AuditLogIsAppendOnly):
        AuditEntry.objects.all().delete()
    assert AuditEntry.objects.get().reason == ""


def test_the_admin_is_read_only(manager):
    request = RequestFactory().get("/admin/")
    request.user = manager
    admin = site._registry[AuditEntry]
    entry = record(actor=manager, action="post.hide", label="q")
    assert not admin.has_add_permission(request)
    assert not admin.has_change_permission(request, entry)
    assert not admin.has_delete_permission(request, entry)


def test_an_unknown_action_is_refused(staff):
    with pytest.raises(ValueError, match="Unknown audit action"):
        record(actor=staff, action="post.explode")
    assert AuditEntry.objects.count() == 0


def test_a_deleted_actor_leaves_the_row_and_its_name(staff):
    actor = UserFactory(username="gone")
    record(actor=actor, action="post.hide", label="q", reason="r")
    User.objects.filter(pk=actor.pk).delete()
    entry = AuditEntry.objects.get()
    assert (entry.actor_id, entry.actor_label) == (None, "gone")


def test_an_audit_row_is_rolled_back_with_its_act(advocate, helper):
    from django.db import transaction

    from advocacy.services.moderation import hide_post

    question = QuestionFactory(author=helper)

    def hide_then_fail() -> None:
        with transaction.atomic():
            hide_post(actor=advocate, post=question, reason="r")
            raise RuntimeError

    with pytest.raises(RuntimeError):
        hide_then_fail()
    assert AuditEntry.objects.count() == 0
    question.refresh_from_db()
    assert question.hidden_at is None


def test_reasons_are_cleaned_and_cut(staff):
    entry = record(actor=staff, action="post.hide", reason="a\x00b\u202e" + "x" * 2000)
    assert "\x00" not in entry.reason
    assert len(entry.reason) == 1000


def test_a_manager_editing_a_canned_reason_is_audited(manager):
    from django.test import Client

    from advocacy.models import CannedReason

    reason = CannedReason.objects.get(title="Spam")
    client = Client()
    client.force_login(manager)
    response = client.post(
        f"/admin/advocacy/cannedreason/{reason.pk}/change/",
        {
            "title": "Spam",
            "text": "Spam <b>removed</b>",
            "text_it": "",
            "use": "hide",
            "position": 0,
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    entry = AuditEntry.objects.get(action="canned_reason.save")
    assert entry.actor == manager
    assert entry.before["text"] == "Advertising or spam: removed from view."
    assert entry.after["text"] == "Spam <b>removed</b>"


def test_staff_who_are_not_managers_cannot_edit_canned_reasons(staff):
    from django.test import Client

    from advocacy.models import CannedReason

    reason = CannedReason.objects.get(title="Spam")
    client = Client()
    client.force_login(staff)
    response = client.post(f"/admin/advocacy/cannedreason/{reason.pk}/change/", {"title": "x"})
    assert response.status_code == 403
    assert CannedReason.objects.get(pk=reason.pk).title == "Spam"
