"""Flags: who may raise them, what a flag writes, the auto-hide threshold, resolving."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from advocacy.models import AuditEntry, Flag, FlagStatus, ModerationSettings
from advocacy.services.flags import raise_flag, resolve_flags
from forum.models import Question
from gamification.models import PointEvent
from tests.advocacy.support import flaggers, published
from tests.factories import AnswerFactory, CommentFactory, QuestionFactory
from tests.naughty import NAUGHTY

pytestmark = pytest.mark.django_db


@pytest.fixture
def question(helper):
    return QuestionFactory(author=helper, title="Buy cheap watches at my site now")


def test_a_member_with_the_flag_privilege_flags_a_question(customer, question):
    flag = raise_flag(actor=customer, post=question, reason="spam", note="Link farm")
    assert (flag.flagger, flag.question, flag.answer, flag.comment) == (
        customer,
        question,
        None,
        None,
    )
    assert (flag.post_key, flag.reason, flag.note, flag.status) == (
        f"question:{question.pk}",
        "spam",
        "Link farm",
        "open",
    )
    entry = AuditEntry.objects.get()
    assert (entry.actor, entry.action, entry.target_id, entry.reason) == (
        customer,
        "flag.create",
        question.pk,
        "Link farm",
    )
    assert entry.after["reason"] == "spam"


def test_flag_created_is_published_on_the_moderation_stream_after_commit(
    customer, question, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks:
        flag = raise_flag(actor=customer, post=question, reason="rude")
    assert published(callbacks) == [
        (
            "moderation",
            "flag.created",
            {
                "id": flag.pk,
                "post": f"question:{question.pk}",
                "question": question.pk,
                "reason": "rude",
                "status": "open",
                "hidden": False,
            },
        )
    ]


def test_answers_and_comments_are_flagged_with_their_thread(customer, question, helper):
    answer = AnswerFactory(question=question, author=helper)
    comment = CommentFactory(question=None, answer=answer, author=helper)
    on_answer = raise_flag(actor=customer, post=answer, reason="off_topic")
    on_comment = raise_flag(actor=customer, post=comment, reason="rude")
    assert (on_answer.question_id, on_answer.answer_id, on_answer.post_key) == (
        question.pk,
        answer.pk,
        f"answer:{answer.pk}",
    )
    assert (on_comment.question_id, on_comment.answer_id, on_comment.comment_id) == (
        question.pk,
        answer.pk,
        comment.pk,
    )


def test_one_open_flag_per_member_per_post(customer, question):
    raise_flag(actor=customer, post=question, reason="spam")
    with pytest.raises(ValidationError) as exc:
        raise_flag(actor=customer, post=question, reason="rude")
    assert "already flagged" in exc.value.message_dict["reason"][0]
    assert Flag.objects.count() == 1
    assert AuditEntry.objects.count() == 1


def test_a_resolved_flag_lets_the_member_flag_the_post_again(customer, question, advocate):
    first = raise_flag(actor=customer, post=question, reason="spam")
    resolve_flags(actor=advocate, flag=first, action="dismiss")
    again = raise_flag(actor=customer, post=question, reason="spam")
    assert again.pk != first.pk
    assert again.status == "open"


@pytest.mark.parametrize(
    ("reason", "note", "field"),
    [
        ("", "", "reason"),
        ("abuse", "", "reason"),
        (None, "", "reason"),
        (["spam"], "", "reason"),
        ("spam", "x" * 501, "note"),
        ("spam", 42, "note"),
    ],
)
def test_bad_input_is_a_validation_error_and_writes_nothing(
    customer, question, reason, note, field
):
    with pytest.raises(ValidationError) as exc:
        raise_flag(actor=customer, post=question, reason=reason, note=note)
    assert field in exc.value.message_dict
    assert Flag.objects.count() == 0
    assert AuditEntry.objects.count() == 0


def test_a_note_of_exactly_500_characters_is_kept(customer, question):
    flag = raise_flag(actor=customer, post=question, reason="spam", note="é" * 500)
    assert flag.note == "é" * 500


def test_every_naughty_string_is_stored_as_text(question, settings):
    settings.CIRCOLO_FLAG_RATE = "10000/m"
    members = flaggers(1)
    for text in NAUGHTY:
        flag = raise_flag(actor=members[0], post=question, reason="off_topic", note=text[:500])
        flag.refresh_from_db()
        assert "\x00" not in flag.note
        Flag.objects.filter(pk=flag.pk).update(status="dismissed")
    assert Flag.objects.count() == len(NAUGHTY)


@pytest.mark.usefixtures("fresh_rate_window")
def test_flagging_is_rate_limited(question, settings):
    from core.ratelimit import RateLimited

    settings.CIRCOLO_FLAG_RATE = "2/h"
    member = flaggers(1)[0]
    others = [QuestionFactory() for _ in range(3)]
    raise_flag(actor=member, post=others[0], reason="spam")
    raise_flag(actor=member, post=others[1], reason="spam")
    with pytest.raises(RateLimited):
        raise_flag(actor=member, post=others[2], reason="spam")
    assert Flag.objects.count() == 2


def test_own_posts_cannot_be_flagged(helper, question):
    with pytest.raises(PermissionDenied):
        raise_flag(actor=helper, post=question, reason="spam")


def test_the_flag_privilege_is_needed(newcomer, question):
    with pytest.raises(PermissionDenied) as exc:
        raise_flag(actor=newcomer, post=question, reason="spam")
    assert "15 reputation" in str(exc.value)
    assert Flag.objects.count() == 0


def test_suspended_members_cannot_flag(suspended_member, question):
    with pytest.raises(PermissionDenied):
        raise_flag(actor=suspended_member, post=question, reason="spam")


# Auto-hide ------------------------------------------------------------------------------


@pytest.mark.parametrize("threshold", [1, 3, 5])
def test_spam_flags_from_threshold_distinct_members_hide_the_post(question, threshold):
    ModerationSettings.objects.update_or_create(pk=1, defaults={"auto_hide_threshold": threshold})
    members = flaggers(threshold)
    for member in members[:-1]:
        raise_flag(actor=member, post=question, reason="spam")
    question.refresh_from_db()
    assert question.hidden_at is None  # n - 1 flags: still shown
    raise_flag(actor=members[-1], post=question, reason="rude")
    question.refresh_from_db()
    assert question.hidden_at is not None  # n flags: hidden
    assert question.hidden_reason == "flags"
    auto = AuditEntry.objects.get(action="post.auto_hide")
    assert auto.actor is None
    assert auto.after["hidden_reason"] == "flags"


def test_off_topic_and_duplicate_flags_do_not_hide(question):
    for member, reason in zip(
        flaggers(4), ["off_topic", "duplicate", "needs_staff", "off_topic"], strict=False
    ):
        raise_flag(actor=member, post=question, reason=reason)
    question.refresh_from_db()
    assert question.hidden_at is None


def test_the_default_threshold_is_three(question):
    assert ModerationSettings.load().auto_hide_threshold == 3
    members = flaggers(3)
    raise_flag(actor=members[0], post=question, reason="spam")
    raise_flag(actor=members[1], post=question, reason="spam")
    assert Question.objects.get(pk=question.pk).hidden_at is None
    raise_flag(actor=members[2], post=question, reason="spam")
    assert Question.objects.get(pk=question.pk).hidden_at is not None


def test_a_hidden_post_is_seen_by_its_author_and_moderators_only(
    question, helper_client, advocate_client, customer_client, other_customer
):
    ModerationSettings.objects.update_or_create(pk=1, defaults={"auto_hide_threshold": 1})
    raise_flag(actor=other_customer, post=question, reason="spam")
    url = question.get_absolute_url()
    assert helper_client.get(url).status_code == 200
    assert advocate_client.get(url).status_code == 200
    assert customer_client.get(url).status_code == 404


# Resolving ------------------------------------------------------------------------------


def test_upholding_by_hiding_pays_each_flagger_once(question, advocate):
    members = flaggers(2)
    flag = raise_flag(actor=members[0], post=question, reason="spam", note="ads")
    raise_flag(actor=members[1], post=question, reason="rude")
    resolved = resolve_flags(actor=advocate, flag=flag, action="hide", note="Spam")
    assert [f.status for f in resolved] == ["upheld", "upheld"]
    question.refresh_from_db()
    assert (question.hidden_reason, question.hidden_at is not None) == ("moderator", True)
    awards = PointEvent.objects.filter(rule="flag_upheld").order_by("recipient_id")
    assert [(e.recipient_id, e.points) for e in awards] == [(members[0].pk, 2), (members[1].pk, 2)]
    for member in members:
        member.refresh_from_db()
        assert member.reputation == 22
    actions = sorted(AuditEntry.objects.values_list("action", flat=True))
    assert actions == ["flag.create", "flag.create", "flag.uphold", "flag.uphold", "post.hide"]


def test_dismissing_pays_nothing_and_shows_a_post_the_flags_hid(question, advocate):
    ModerationSettings.objects.update_or_create(pk=1, defaults={"auto_hide_threshold": 2})
    members = flaggers(2)
    flag = raise_flag(actor=members[0], post=question, reason="spam")
    raise_flag(actor=members[1], post=question, reason="spam")
    assert Question.objects.get(pk=question.pk).hidden_reason == "flags"
    resolve_flags(actor=advocate, flag=flag, action="dismiss", note="Fine")
    question.refresh_from_db()
    assert question.hidden_at is None
    assert set(Flag.objects.values_list("status", flat=True)) == {"dismissed"}
    assert PointEvent.objects.filter(rule="flag_upheld").count() == 0
    assert AuditEntry.objects.filter(action="flag.dismiss").count() == 2
    assert AuditEntry.objects.filter(action="post.unhide").count() == 1


def test_dismissing_does_not_unhide_what_a_moderator_hid(question, advocate, staff):
    from advocacy.services.moderation import hide_post

    hide_post(actor=staff, post=question, reason="abuse")
    flag = raise_flag(actor=flaggers(1)[0], post=question, reason="off_topic")
    resolve_flags(actor=advocate, flag=flag, action="dismiss")
    assert Question.objects.get(pk=question.pk).hidden_reason == "moderator"


def test_close_and_lock_act_on_the_thread_of_a_flagged_answer(question, helper, staff):
    answer = AnswerFactory(question=question, author=helper)
    members = flaggers(2)
    flag = raise_flag(actor=members[0], post=answer, reason="off_topic")
    resolve_flags(actor=staff, flag=flag, action="lock", note="Heated")
    question.refresh_from_db()
    assert question.locked_at is not None
    flag = raise_flag(actor=members[1], post=question, reason="off_topic")
    resolve_flags(actor=staff, flag=flag, action="close")
    question.refresh_from_db()
    assert (question.close_reason, question.closed_by) == ("off_topic", staff)
    assert AuditEntry.objects.filter(action="question.lock").count() == 1
    assert AuditEntry.objects.filter(action="question.close").count() == 1


def test_resolving_twice_is_a_validation_error(question, advocate, staff):
    flag = raise_flag(actor=flaggers(1)[0], post=question, reason="spam")
    resolve_flags(actor=advocate, flag=flag, action="dismiss")
    with pytest.raises(ValidationError):
        resolve_flags(actor=staff, flag=flag, action="hide")
    assert Question.objects.get(pk=question.pk).hidden_at is None


def test_flag_resolved_is_published(question, advocate, django_capture_on_commit_callbacks):
    flag = raise_flag(actor=flaggers(1)[0], post=question, reason="off_topic")
    with django_capture_on_commit_callbacks() as callbacks:
        resolve_flags(actor=advocate, flag=flag, action="dismiss")
    assert (
        "moderation",
        "flag.resolved",
        {
            "post": f"question:{question.pk}",
            "question": question.pk,
            "flags": [flag.pk],
            "action": "dismiss",
            "status": "dismissed",
        },
    ) in published(callbacks)


def test_an_unknown_action_is_refused(question, advocate):
    flag = raise_flag(actor=flaggers(1)[0], post=question, reason="spam")
    with pytest.raises(ValidationError):
        resolve_flags(actor=advocate, flag=flag, action="delete")
    assert Flag.objects.get().status == FlagStatus.OPEN


# Needs staff --------------------------------------------------------------------------


def test_a_needs_staff_flag_escalates_the_question_to_the_desk(question, helper):
    from advocacy.models import Escalation

    answer = AnswerFactory(question=question, author=helper)
    members = flaggers(2)
    flag = raise_flag(actor=members[0], post=answer, reason="needs_staff", note="Wrong APN")
    escalation = Escalation.objects.get()
    assert (escalation.question_id, escalation.source, escalation.created_by_id) == (
        question.pk,
        "flag",
        members[0].pk,
    )
    assert escalation.reason == "Wrong APN"
    assert flag.status == "open"  # still in the moderation queue too
    # A second "needs staff" flag joins the open case instead of opening another.
    raise_flag(actor=members[1], post=question, reason="needs_staff")
    assert Escalation.objects.count() == 1


def test_other_reasons_do_not_escalate(question):
    from advocacy.models import Escalation

    raise_flag(actor=flaggers(1)[0], post=question, reason="off_topic")
    assert Escalation.objects.count() == 0


def test_hiding_tells_the_thread_so_readers_drop_the_post(
    question, helper, advocate, django_capture_on_commit_callbacks
):
    from advocacy.services.moderation import hide_post

    answer = AnswerFactory(question=question, author=helper)
    comment = CommentFactory(question=None, answer=answer, author=helper)
    with django_capture_on_commit_callbacks() as callbacks:
        hide_post(actor=advocate, post=answer, reason="spam")
        hide_post(actor=advocate, post=comment, reason="rude")
    thread = [e for e in published(callbacks) if e[0] == f"question.{question.pk}"]
    assert thread == [
        (f"question.{question.pk}", "answer.updated", {"id": answer.pk, "question": question.pk}),
        (
            f"question.{question.pk}",
            "comment.updated",
            {"id": comment.pk, "question": question.pk, "post": "answer", "post_id": answer.pk},
        ),
    ]
