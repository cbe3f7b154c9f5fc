"""Who sees hidden posts, the advocates' lounge, and what a suspension blocks."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone, translation

from core import roles
from forum import permissions
from forum.models import Answer, Comment, Question
from tests.factories import AnswerFactory, CategoryFactory, CommentFactory, QuestionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    """The refusals below are matched in English, whatever an earlier test activated."""
    with translation.override("en"):
        yield


ROLES = ["anonymous", "customer", "other_customer", "helper", "advocate", "staff", "manager"]
MODERATORS = {"advocate", "staff", "manager"}


@pytest.fixture
def member(request):
    if request.param == "anonymous":
        from django.contrib.auth.models import AnonymousUser

        return AnonymousUser()
    return request.getfixturevalue(request.param)


def seen(qs, user, visible) -> set[int]:  # noqa: ANN001
    return set(visible(qs, user).values_list("pk", flat=True))


@pytest.mark.parametrize("member", ROLES, indirect=True)
def test_a_hidden_question_is_seen_by_its_author_and_moderators_only(member, customer, request):
    hidden = QuestionFactory(author=customer, hidden_at=timezone.now(), hidden_reason="flags")
    shown = QuestionFactory()

    expected = {shown.pk}
    role = request.node.callspec.params["member"]
    if role in MODERATORS or role == "customer":
        expected.add(hidden.pk)
    assert seen(Question.objects.all(), member, permissions.visible_questions) == expected
    assert permissions.can_see_question(member, hidden) is (hidden.pk in expected)


@pytest.mark.parametrize("member", ROLES, indirect=True)
def test_hidden_answers_and_comments_follow_the_same_rule(member, customer, request):
    question = QuestionFactory()
    answer = AnswerFactory(question=question, author=customer, hidden_at=timezone.now())
    comment = CommentFactory(question=question, author=customer, hidden_at=timezone.now())

    role = request.node.callspec.params["member"]
    sees = role in MODERATORS or role == "customer"
    assert seen(Answer.objects.all(), member, permissions.visible_answers) == (
        {answer.pk} if sees else set()
    )
    assert seen(Comment.objects.all(), member, permissions.visible_comments) == (
        {comment.pk} if sees else set()
    )


@pytest.mark.parametrize("member", ROLES, indirect=True)
def test_the_lounge_is_for_advocates_and_staff(member, request):
    lounge = CategoryFactory(name="Lounge", slug="lounge", is_private=True)
    private = QuestionFactory(category=lounge)

    role = request.node.callspec.params["member"]
    sees = role in MODERATORS
    assert seen(Question.objects.all(), member, permissions.visible_questions) == (
        {private.pk} if sees else set()
    )
    assert permissions.can_see_question(member, private) is sees


def test_a_suspended_advocate_is_not_a_moderator(advocate):
    advocate.suspended_until = timezone.now() + timezone.timedelta(days=1)

    assert not roles.is_moderator(advocate)


def test_a_suspension_that_ended_blocks_nothing(customer):
    customer.suspended_until = timezone.now() - timezone.timedelta(seconds=1)

    permissions.check_ask_question(customer)


@pytest.mark.parametrize(
    "check",
    ["ask", "answer", "comment", "vote", "edit"],
)
def test_a_suspended_member_cannot_post_vote_or_edit(check, suspended_member, question):
    own = QuestionFactory(author=suspended_member)
    attempts = {
        "ask": lambda: permissions.check_ask_question(suspended_member),
        "answer": lambda: permissions.check_answer_question(suspended_member, question),
        "comment": lambda: permissions.check_comment_post(suspended_member, own),
        "vote": lambda: permissions.check_vote_post(suspended_member, question, 1),
        "edit": lambda: permissions.check_edit_post(suspended_member, own),
    }

    with pytest.raises(PermissionDenied, match="suspended until"):
        attempts[check]()


def test_a_suspended_member_gets_a_clear_refusal_over_http(suspended_member, question, client):
    client.force_login(suspended_member)

    response = client.post(f"/q/{question.pk}/answer/", {"body": "x" * 40})

    assert response.status_code == 403
    assert "suspended until" in response.content.decode()
    assert question.answers.count() == 0
