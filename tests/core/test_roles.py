"""core.roles: each role against each predicate, and the queryset filters agree with them."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from core import roles
from forum.models import Question, User
from tests.factories import QuestionFactory, UserFactory

pytestmark = pytest.mark.django_db

SUSPENDED = {"suspended_until": timezone.now() + timedelta(days=7)}
# role: the User fields that make it (None: an anonymous visitor).
ROLES = {
    "anonymous": None,
    "member": {},
    "suspended member": SUSPENDED,
    "advocate": {"is_advocate": True},
    "suspended advocate": {"is_advocate": True, **SUSPENDED},
    # The admin's "staff status" alone: a support agent.
    "agent": {"is_staff": True},
    # A superuser without "staff status" is still the community manager.
    "superuser only": {"is_superuser": True},
    "manager": {"is_staff": True, "is_superuser": True},
    "advocate and agent": {"is_advocate": True, "is_staff": True, **SUSPENDED},
}
# predicate: the roles it holds for.
EXPECTED = {
    roles.is_staff: {"agent", "superuser only", "manager", "advocate and agent"},
    roles.is_manager: {"superuser only", "manager"},
    roles.is_advocate: {"advocate", "suspended advocate", "advocate and agent"},
    roles.is_moderator: {"advocate", "agent", "superuser only", "manager", "advocate and agent"},
    roles.is_insider: {
        "advocate",
        "suspended advocate",
        "agent",
        "superuser only",
        "manager",
        "advocate and agent",
    },
}
FILTERS = {
    roles.is_staff: roles.staff_q,
    roles.is_manager: roles.manager_q,
    roles.is_moderator: roles.moderator_q,
    roles.is_insider: roles.insider_q,
}


def _make(role: str):  # noqa: ANN202
    fields = ROLES[role]
    if fields is None:
        return AnonymousUser()
    return UserFactory(username=role.replace(" ", "-"), **fields)


@pytest.mark.parametrize("predicate", list(EXPECTED), ids=lambda p: p.__name__)
@pytest.mark.parametrize("role", list(ROLES))
def test_each_role_against_each_predicate(role, predicate):
    assert predicate(_make(role)) is (role in EXPECTED[predicate])


@pytest.mark.parametrize("predicate", list(FILTERS), ids=lambda p: p.__name__)
def test_the_queryset_filter_selects_the_members_the_predicate_holds_for(predicate):
    members = {role: _make(role) for role in ROLES if ROLES[role] is not None}

    selected = set(User.objects.filter(FILTERS[predicate]()).values_list("pk", flat=True))

    assert selected == {m.pk for role, m in members.items() if role in EXPECTED[predicate]}


def test_a_filter_through_a_relation_reads_the_related_member():
    by_agent = QuestionFactory(author=_make("agent"))
    QuestionFactory(author=_make("advocate"))

    assert list(Question.objects.filter(roles.staff_q("author"))) == [by_agent]
