"""Privileges by reputation: one table of thresholds, enforced by forum.permissions (and so
by every service, page and API endpoint that calls them)."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied

from core import privileges
from forum import permissions, services
from forum.models import CloseReason, Comment, Question, Vote
from gamification.models import PointEvent, PrivilegeThreshold
from tests.factories import AnswerFactory, QuestionFactory
from tests.gamification.support import member


def test_defaults_are_the_ones_in_product_md(db):
    assert privileges.thresholds() == {
        "upvote": 15,
        "flag": 15,
        "comment": 50,
        "downvote": 125,
        "review": 500,
        "edit_any": 1000,
        "close": 2000,
    }
    assert dict(PrivilegeThreshold.objects.values_list("key", "reputation")) == (
        privileges.thresholds()
    )


# (privilege, the check that enforces it, what "doing it" means) at threshold - 1 and at it.
GATES = {
    "upvote": ("upvote", lambda u, w: permissions.check_vote_post(u, w.answer, value=1)),
    "downvote": ("downvote", lambda u, w: permissions.check_vote_post(u, w.answer, value=-1)),
    "comment": ("comment", lambda u, w: permissions.check_comment_post(u, w.answer)),
    "edit_any": ("edit_any", lambda u, w: permissions.check_edit_post(u, w.answer)),
    "close": ("close", lambda u, w: permissions.check_cast_close_vote(u, w.question)),
}
MESSAGES = {
    "upvote": "You need 15 reputation to vote up; you have 14.",
    "downvote": "You need 125 reputation to vote down; you have 124.",
    "comment": "You need 50 reputation to comment on other people's posts; you have 49.",
    "edit_any": "You need 1000 reputation to edit other people's posts; you have 999.",
    "close": "You need 2000 reputation to close, reopen and mark duplicates; you have 1999.",
}


@pytest.fixture
def world(db):
    class World:
        asker = member(1, username="asker")
        answerer = member(1, username="answerer")
        question = QuestionFactory(author=asker)
        answer = AnswerFactory(question=question, author=answerer)

    return World


@pytest.mark.parametrize("gate", sorted(GATES))
def test_one_point_short_is_refused_with_what_unlocks_it(world, gate):
    key, check = GATES[gate]
    user = member(privileges.PRIVILEGES[key] - 1)

    with pytest.raises(PermissionDenied) as exc:
        check(user, world)

    assert str(exc.value.args[0]) == MESSAGES[gate]
    assert privileges.has_privilege(user, key) is False


@pytest.mark.parametrize("gate", sorted(GATES))
def test_at_the_threshold_it_is_allowed(world, gate):
    key, check = GATES[gate]
    user = member(privileges.PRIVILEGES[key])

    check(user, world)

    assert privileges.has_privilege(user, key) is True


@pytest.mark.parametrize("gate", sorted(GATES))
@pytest.mark.parametrize("role", ["staff", "manager"])
def test_staff_and_managers_hold_every_privilege_at_reputation_1(world, gate, role, request):
    _key, check = GATES[gate]
    user = request.getfixturevalue(role)
    assert user.reputation == 1

    check(user, world)


def test_anonymous_and_inactive_hold_nothing(world):
    from django.contrib.auth.models import AnonymousUser

    ghost = member(5000, is_active=False)
    for user in (AnonymousUser(), ghost):
        assert [k for k in privileges.PRIVILEGES if privileges.has_privilege(user, k)] == []


def test_thresholds_are_tunable_in_the_stored_table(world, tune):
    user = member(20)
    permissions.check_vote_post(user, world.answer, value=1)

    tune(privilege="upvote", reputation=30)

    with pytest.raises(PermissionDenied) as exc:
        permissions.check_vote_post(user, world.answer, value=1)
    assert str(exc.value.args[0]) == "You need 30 reputation to vote up; you have 20."


def test_withdrawing_a_vote_needs_no_privilege(world):
    permissions.check_vote_post(member(1), world.answer, value=0)


def test_authors_may_always_comment_on_their_posts_and_under_their_question(world):
    permissions.check_comment_post(world.asker, world.question)
    permissions.check_comment_post(world.asker, world.answer)  # under their own question
    permissions.check_comment_post(world.answerer, world.answer)
    with pytest.raises(PermissionDenied):
        permissions.check_comment_post(world.answerer, world.question)


def test_can_helpers_follow_the_checks(world):
    user = member(20)

    assert permissions.can_vote_post(user, world.answer) is True
    assert permissions.can_vote_post(user, world.answer, value=-1) is False
    assert permissions.can_comment_post(user, world.answer) is False
    assert permissions.can_edit_post(user, world.answer) is False
    assert permissions.can_close_question(user, world.question) is False


def test_close_privilege_does_not_reach_locked_questions(world):
    from django.utils import timezone

    Question.objects.filter(pk=world.question.pk).update(locked_at=timezone.now())
    world.question.refresh_from_db()

    with pytest.raises(PermissionDenied) as exc:
        permissions.check_cast_close_vote(member(2000), world.question)
    assert str(exc.value.args[0]) == "This question is locked."


def test_privilege_table_shows_what_is_held_and_what_is_next(db):
    rows = privileges.privilege_table(member(130))

    assert [(r.key, r.reputation, r.held) for r in rows] == [
        ("flag", 15, True),
        ("upvote", 15, True),
        ("comment", 50, True),
        ("downvote", 125, True),
        ("review", 500, False),
        ("edit_any", 1000, False),
        ("close", 2000, False),
    ]


# Through the services: refused means nothing written --------------------------------------


def test_newcomer_vote_is_refused_and_nothing_changes(world, newcomer):
    with pytest.raises(PermissionDenied):
        services.cast_vote(actor=newcomer, post=world.answer, value=1)

    world.answer.refresh_from_db()
    assert world.answer.score == 0
    assert Vote.objects.count() == 0
    assert PointEvent.objects.filter(recipient=world.answerer).count() == 0


def test_upvoter_without_downvote_privilege_cannot_flip_to_down(world):
    voter = member(20)
    services.cast_vote(actor=voter, post=world.answer, value=1)

    with pytest.raises(PermissionDenied):
        services.cast_vote(actor=voter, post=world.answer, value=-1)

    assert list(Vote.objects.values_list("value", flat=True)) == [1]


def test_newcomer_comment_elsewhere_is_refused(world, newcomer):
    with pytest.raises(PermissionDenied):
        services.post_comment(actor=newcomer, post=world.question, body="Me too, any news?")
    assert Comment.objects.count() == 0


def test_member_with_edit_any_edits_someone_elses_answer(world):
    editor = member(1000)

    services.edit_answer(
        actor=editor, answer=world.answer, body="Restart the phone, then top up in the app."
    )

    world.answer.refresh_from_db()
    assert world.answer.body == "Restart the phone, then top up in the app."


def test_member_with_close_privilege_votes_instead_of_closing_at_once(world):
    # Issue 5: the close privilege casts close/reopen votes (advocacy.services.community);
    # only moderators close at once.
    from advocacy.services.community import cast_close_vote

    closer = member(2000)

    with pytest.raises(PermissionDenied):
        services.close_question(actor=closer, question=world.question, reason=CloseReason.OFF_TOPIC)
    vote = cast_close_vote(
        actor=closer, question=world.question, kind="close", reason=CloseReason.OFF_TOPIC
    )

    world.question.refresh_from_db()
    assert world.question.closed_at is None
    assert vote.settled_at is None
