"""Who may do each moderation act: every act x every role x owner or not.

A refused act raises PermissionDenied, and then nothing changed (every row moderation
writes is compared before and after) and nothing was published (no on-commit callback).
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from advocacy.models import Flag, QueueClaim
from advocacy.services import flags as flag_services
from advocacy.services import moderation as services
from forum.models import Question, User
from tests.advocacy.support import snapshot
from tests.factories import CategoryFactory, QuestionFactory, UserFactory

pytestmark = pytest.mark.django_db

ROLES = [
    "anonymous",
    "newcomer",
    "customer",
    "other_customer",
    "helper",  # the review privilege (1500 >= 500), no moderation
    "advocate",
    "revoked_advocate",
    "suspended_member",
    "staff",
    "manager",
]
MODERATORS = {"advocate", "staff", "manager"}
REVIEWERS = MODERATORS | {"helper", "revoked_advocate"}
FLAGGERS = {
    "customer",
    "other_customer",
    "helper",
    "advocate",
    "revoked_advocate",
    "staff",
    "manager",
}


def _prepare(action: str, question: Question, actor: User) -> dict:
    """Put the post in the state the act starts from; return the act's arguments."""
    other_moderator = UserFactory(username="mod-other", is_staff=True)
    if action in ("resolve_flags",):
        flagger = UserFactory(username="flagger-x", reputation=50)
        return {"flag": flag_services.raise_flag(actor=flagger, post=question, reason="spam")}
    if action == "unhide_post":
        Question.objects.filter(pk=question.pk).update(
            hidden_at=timezone.now(), hidden_reason="moderator"
        )
    if action == "reopen_question":
        Question.objects.filter(pk=question.pk).update(
            closed_at=timezone.now(), close_reason="other"
        )
    if action == "unlock_question":
        Question.objects.filter(pk=question.pk).update(locked_at=timezone.now())
    if action == "release_item":
        QueueClaim.objects.create(
            item=f"flags:question:{question.pk}",
            moderator=other_moderator,
            claimed_at=timezone.now() - timedelta(hours=1),
        )
    if action == "move_question":
        Question.objects.filter(pk=question.pk).update(category=CategoryFactory())
    if action == "unsuspend_member":
        User.objects.filter(username="victim").update(
            suspended_until=timezone.now() + timedelta(days=2)
        )
    return {}


ACTS = {
    "raise_flag": (
        FLAGGERS,
        lambda a, q, k: flag_services.raise_flag(actor=a, post=q, reason="spam", note="n"),
    ),
    "resolve_flags": (
        MODERATORS,
        lambda a, q, k: flag_services.resolve_flags(actor=a, flag=k["flag"], action="hide"),
    ),
    "hide_post": (MODERATORS, lambda a, q, k: services.hide_post(actor=a, post=q, reason="r")),
    "unhide_post": (MODERATORS, lambda a, q, k: services.unhide_post(actor=a, post=q)),
    "close_question": (
        MODERATORS,
        lambda a, q, k: services.close_question(actor=a, question=q, reason="off_topic"),
    ),
    "reopen_question": (MODERATORS, lambda a, q, k: services.reopen_question(actor=a, question=q)),
    "lock_question": (
        MODERATORS,
        lambda a, q, k: services.set_question_lock(actor=a, question=q, locked=True),
    ),
    "unlock_question": (
        MODERATORS,
        lambda a, q, k: services.set_question_lock(actor=a, question=q, locked=False),
    ),
    "move_question": (
        MODERATORS,
        lambda a, q, k: services.move_question(actor=a, question=q, category=None),
    ),
    "retag_question": (
        MODERATORS,
        lambda a, q, k: services.retag_question(actor=a, question=q, tags="billing"),
    ),
    "suspend_member": (
        MODERATORS,
        lambda a, q, k: services.suspend_member(
            actor=a, member=User.objects.get(username="victim"), days=3, reason="spam"
        ),
    ),
    "unsuspend_member": (
        MODERATORS,
        lambda a, q, k: services.unsuspend_member(
            actor=a, member=User.objects.get(username="victim")
        ),
    ),
    "claim_flags_item": (
        MODERATORS,
        lambda a, q, k: services.claim_item(actor=a, item=f"flags:question:{q.pk}"),
    ),
    "claim_first_item": (
        REVIEWERS,
        lambda a, q, k: services.claim_item(actor=a, item=f"first:question:{q.pk}"),
    ),
    "release_item": (
        MODERATORS,
        lambda a, q, k: services.release_item(actor=a, item=f"flags:question:{q.pk}"),
    ),
    "approve_first_post": (
        REVIEWERS,
        lambda a, q, k: services.approve_first_post(actor=a, post=q),
    ),
}


def _cases():
    for action, (allowed, _act) in ACTS.items():
        for role in ROLES:
            for owned in (False, True):
                if owned and role == "anonymous":
                    continue
                ok = role in allowed and not (owned and action == "raise_flag")
                yield pytest.param(
                    action, role, owned, ok, id=f"{action}-{role}-{'own' if owned else 'other'}"
                )


@pytest.mark.parametrize(("action", "role", "owned", "allowed"), list(_cases()))
def test_moderation_permission_matrix(
    request, action, role, owned, allowed, django_capture_on_commit_callbacks
):
    actor = AnonymousUser() if role == "anonymous" else request.getfixturevalue(role)
    UserFactory(username="victim", reputation=40)
    author = actor if owned else UserFactory(username="olga", reputation=200)
    question = QuestionFactory(author=author, title="Cheap watches, visit my site today")
    extra = _prepare(action, question, actor)
    question.refresh_from_db()
    _allowed, act = ACTS[action]
    before = snapshot()
    with django_capture_on_commit_callbacks() as callbacks:
        if allowed:
            act(actor, question, extra)
        else:
            with pytest.raises(PermissionDenied):
                act(actor, question, extra)
    if allowed:
        assert snapshot() != before
    else:
        assert snapshot() == before
        assert callbacks == []


def test_an_advocate_cannot_suspend_another_advocate_but_staff_can(advocate, staff):
    other = UserFactory(username="adv2", reputation=6000, is_advocate=True)
    with pytest.raises(PermissionDenied):
        services.suspend_member(actor=advocate, member=other, days=1, reason="x")
    services.suspend_member(actor=staff, member=other, days=1, reason="x")
    other.refresh_from_db()
    assert other.is_suspended


@pytest.mark.parametrize("target", ["staff", "manager"])
def test_nobody_suspends_staff_here(request, manager, target):
    member = request.getfixturevalue(target)
    actor = (
        manager
        if target == "staff"
        else UserFactory(username="mgr2", is_staff=True, is_superuser=True)
    )
    with pytest.raises(PermissionDenied):
        services.suspend_member(actor=actor, member=member, days=1, reason="x")


def test_moderators_cannot_suspend_themselves(advocate):
    with pytest.raises(PermissionDenied):
        services.suspend_member(actor=advocate, member=advocate, days=1, reason="x")


def test_a_suspended_advocate_moderates_nothing(advocate, customer):
    question = QuestionFactory(author=customer)
    User.objects.filter(pk=advocate.pk).update(suspended_until=timezone.now() + timedelta(days=1))
    advocate.refresh_from_db()
    with pytest.raises(PermissionDenied):
        services.hide_post(actor=advocate, post=question)
    assert Flag.objects.count() == 0
