"""Who may do what: every check_* x role x thread state, and the services behind them.

The owner of every post is `customer`; `other_customer` is a member who owns nothing
here. For accepting, `customer` is the asker and `helper` wrote the answer. A denied
service call must raise PermissionDenied *and* leave every row, counter and revision as
it was, with nothing queued for after the commit (no event published).
"""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils import timezone
from taggit.models import TaggedItem

from forum import permissions, selectors, services
from forum.models import Answer, CloseReason, Comment, Question, Revision, User, Vote
from tests.factories import AnswerFactory, CommentFactory, QuestionFactory

ROLES = ("anonymous", "customer", "other_customer", "staff", "manager")
STATES = ("open", "closed", "locked", "deleted")
MEMBERS = frozenset(ROLES) - {"anonymous"}
MODS = frozenset({"staff", "manager"})
OWNER_OR_MOD = MODS | {"customer"}
NOBODY = frozenset()


def _same(allowed: frozenset[str]) -> dict[str, frozenset[str]]:
    return dict.fromkeys(STATES, allowed)


# (check, target) -> state -> roles allowed. "deleted" means the target itself is deleted.
MATRIX: dict[tuple[str, str], dict[str, frozenset[str]]] = {
    ("check_ask_question", "none"): _same(MEMBERS),
    ("check_answer_question", "question"): {
        "open": MEMBERS,
        "closed": NOBODY,
        "locked": NOBODY,
        "deleted": NOBODY,
    },
    **{
        ("check_comment_post", target): {
            "open": MEMBERS,
            "closed": MEMBERS,
            "locked": NOBODY,
            "deleted": NOBODY,
        }
        for target in ("question", "answer")
    },
    **{
        ("check_vote_post", target): {
            "open": MEMBERS - {"customer"},
            "closed": MEMBERS - {"customer"},
            "locked": NOBODY,
            "deleted": NOBODY,
        }
        for target in ("question", "answer")
    },
    **{
        ("check_edit_post", target): {
            "open": OWNER_OR_MOD,
            "closed": OWNER_OR_MOD,
            "locked": MODS,
            "deleted": NOBODY,
        }
        for target in ("question", "answer")
    },
    **{
        ("check_delete_post", target): {
            "open": OWNER_OR_MOD,
            "closed": OWNER_OR_MOD,
            "locked": MODS,
            "deleted": NOBODY,
        }
        for target in ("question", "answer", "comment")
    },
    # Staff accept for the asker only once the asker has been away two weeks: a fresh
    # thread here (tests/forum/test_community_acceptance.py has the rest).
    ("check_accept_answer", "accept"): {
        "open": frozenset({"customer"}),
        "closed": frozenset({"customer"}),
        "locked": NOBODY,
        "deleted": NOBODY,
    },
    ("check_unaccept_answer", "accept"): {
        "open": OWNER_OR_MOD,
        "closed": OWNER_OR_MOD,
        "locked": NOBODY,
        "deleted": NOBODY,
    },
    ("check_close_question", "question"): {
        "open": MODS,
        "closed": MODS,
        "locked": MODS,
        "deleted": NOBODY,
    },
    ("check_lock_question", "question"): _same(MODS),
    ("check_edit_profile", "profile"): _same(frozenset({"customer"})),
}


class World:
    """Every target of the matrix, in one thread state."""

    def __init__(self, users: dict[str, User], state: str) -> None:
        self.users = users
        customer, helper = users["customer"], users["helper"]
        self.question = QuestionFactory(author=customer, tags=["sim"])
        self.other_thread = QuestionFactory(author=helper, tags=["sim"])
        self.answer = AnswerFactory(question=self.other_thread, author=customer)
        self.helper_answer = AnswerFactory(question=self.question, author=helper)
        self.comment = CommentFactory(question=self.question, author=customer)
        Question.objects.filter(pk=self.question.pk).update(comment_count=1)
        now = timezone.now()
        threads = Question.objects.filter(pk__in=[self.question.pk, self.other_thread.pk])
        if state == "closed":
            threads.update(closed_at=now, close_reason=CloseReason.OTHER)
        elif state == "locked":
            threads.update(locked_at=now)
        elif state == "deleted":
            # Each target deleted itself; the counters follow as the services would do.
            threads.update(deleted_at=now)
            Answer.objects.filter(pk__in=[self.answer.pk, self.helper_answer.pk]).update(
                deleted_at=now
            )
            threads.update(answer_count=0)
            Comment.objects.filter(pk=self.comment.pk).update(deleted_at=now)
            Question.objects.filter(pk=self.question.pk).update(comment_count=0)
        for obj in (
            self.question,
            self.other_thread,
            self.answer,
            self.helper_answer,
            self.comment,
        ):
            obj.refresh_from_db()

    def target(self, name: str):  # noqa: ANN201
        return {
            "none": None,
            "question": self.question,
            "answer": self.answer,
            "accept": self.helper_answer,
            "comment": self.comment,
            "profile": self.users["customer"],
        }[name]


@pytest.fixture
def users(customer, other_customer, helper, staff, manager) -> dict[str, User]:
    return {
        "anonymous": AnonymousUser(),
        "customer": customer,
        "other_customer": other_customer,
        "helper": helper,
        "staff": staff,
        "manager": manager,
    }


def _cases():
    for (check, target), by_state in MATRIX.items():
        for state, allowed in by_state.items():
            for role in ROLES:
                yield pytest.param(
                    check,
                    target,
                    state,
                    role,
                    role in allowed,
                    id=f"{check}-{target}-{state}-{role}",
                )


@pytest.mark.parametrize(("check", "target", "state", "role", "allowed"), list(_cases()))
def test_permission_matrix(users, check, target, state, role, allowed):
    world = World(users, state)
    user = users[role]
    obj = world.target(target)
    args = (user,) if obj is None else (user, obj)
    can = getattr(permissions, check.replace("check_", "can_", 1), None)

    if allowed:
        getattr(permissions, check)(*args)
    else:
        with pytest.raises(PermissionDenied) as exc:
            getattr(permissions, check)(*args)
        assert str(exc.value)  # a reason a person can read
    if can is not None:
        assert can(*args) is allowed


@pytest.mark.parametrize("check", sorted({check for check, _target in MATRIX}))
def test_inactive_member_is_denied_everything(users, check):
    world = World(users, "open")
    ghost = users["customer"]
    ghost.is_active = False
    target = next(t for c, t in MATRIX if c == check)
    obj = world.target(target)

    with pytest.raises(PermissionDenied):
        getattr(permissions, check)(*((ghost,) if obj is None else (ghost, obj)))


# Through the services --------------------------------------------------------------------

BODY = "Try switching the phone off and on again, then wait two minutes."

SERVICES = {
    "ask_question": (
        "check_ask_question",
        "none",
        lambda u, w: services.ask_question(
            actor=u, title="A brand new question here", body=BODY, tags=["sim"]
        ),
    ),
    "post_answer": (
        "check_answer_question",
        "question",
        lambda u, w: services.post_answer(actor=u, question=w.question, body=BODY),
    ),
    "post_comment_question": (
        "check_comment_post",
        "question",
        lambda u, w: services.post_comment(actor=u, post=w.question, body="A remark here"),
    ),
    "post_comment_answer": (
        "check_comment_post",
        "answer",
        lambda u, w: services.post_comment(actor=u, post=w.answer, body="A remark here"),
    ),
    "vote_question": (
        "check_vote_post",
        "question",
        lambda u, w: services.cast_vote(actor=u, post=w.question, value=1),
    ),
    "vote_answer": (
        "check_vote_post",
        "answer",
        lambda u, w: services.cast_vote(actor=u, post=w.answer, value=-1),
    ),
    "edit_question": (
        "check_edit_post",
        "question",
        lambda u, w: services.edit_question(
            actor=u,
            question=w.question,
            title="An edited title for this",
            body=BODY,
            tags=["sim", "edited"],
            category=None,
        ),
    ),
    "edit_answer": (
        "check_edit_post",
        "answer",
        lambda u, w: services.edit_answer(actor=u, answer=w.answer, body=BODY + " Edited."),
    ),
    "delete_question": (
        "check_delete_post",
        "question",
        lambda u, w: services.delete_question(actor=u, question=w.question),
    ),
    "delete_answer": (
        "check_delete_post",
        "answer",
        lambda u, w: services.delete_answer(actor=u, answer=w.answer),
    ),
    "delete_comment": (
        "check_delete_post",
        "comment",
        lambda u, w: services.delete_comment(actor=u, comment=w.comment),
    ),
    "accept_answer": (
        "check_accept_answer",
        "accept",
        lambda u, w: services.accept_answer(actor=u, answer=w.helper_answer),
    ),
    "unaccept_answer": (
        "check_unaccept_answer",
        "accept",
        lambda u, w: services.unaccept_answer(actor=u, answer=w.helper_answer),
    ),
    "close_question": (
        "check_close_question",
        "question",
        lambda u, w: services.close_question(
            actor=u, question=w.question, reason=CloseReason.OFF_TOPIC
        ),
    ),
    "reopen_question": (
        "check_close_question",
        "question",
        lambda u, w: services.reopen_question(actor=u, question=w.question),
    ),
    "lock_question": (
        "check_lock_question",
        "question",
        lambda u, w: services.set_question_lock(actor=u, question=w.question, locked=True),
    ),
    "update_profile": (
        "check_edit_profile",
        "profile",
        lambda u, w: services.update_profile(
            actor=u, member=w.users["customer"], display_name="Changed", bio="New", locale="en"
        ),
    ),
}


def _service_cases():
    for name, (check, target, _call) in SERVICES.items():
        for state, allowed in MATRIX[(check, target)].items():
            # Closing a closed question or reopening an open one is a ValidationError.
            if (name == "close_question" and state == "closed") or (
                name == "reopen_question" and state != "closed"
            ):
                continue
            for role in ROLES:
                yield pytest.param(name, state, role, role in allowed, id=f"{name}-{state}-{role}")


def snapshot() -> dict[str, object]:
    return {
        "questions": list(
            Question.objects.order_by("pk").values_list(
                "pk",
                "title",
                "body",
                "body_html",
                "score",
                "answer_count",
                "comment_count",
                "accepted_answer_id",
                "closed_at",
                "locked_at",
                "deleted_at",
                "edited_at",
                "last_activity_at",
                "close_reason",
            )
        ),  # fmt: skip
        "answers": list(
            Answer.objects.order_by("pk").values_list(
                "pk", "body", "score", "comment_count", "deleted_at", "edited_at"
            )
        ),
        "comments": list(Comment.objects.order_by("pk").values_list("pk", "body", "deleted_at")),
        "votes": list(Vote.objects.order_by("pk").values_list("pk", "voter_id", "value")),
        "revisions": list(Revision.objects.order_by("pk").values_list("pk", "number")),
        "tags": list(TaggedItem.objects.order_by("pk").values_list("pk", "tag__name")),
        "users": list(
            User.objects.order_by("pk").values_list("pk", "display_name", "bio", "locale")
        ),
    }


@pytest.mark.parametrize(("service", "state", "role", "allowed"), list(_service_cases()))
def test_service_permissions(
    users, django_capture_on_commit_callbacks, service, state, role, allowed
):
    world = World(users, state)
    if service == "unaccept_answer" and state in ("open", "closed", "locked"):
        Question.objects.filter(pk=world.question.pk).update(accepted_answer=world.helper_answer)
        world.question.refresh_from_db()
    before = snapshot()
    _check, _target, call = SERVICES[service]

    with django_capture_on_commit_callbacks() as published:
        if allowed:
            call(users[role], world)
        else:
            with pytest.raises(PermissionDenied):
                call(users[role], world)

    if allowed:
        assert snapshot() != before
    else:
        assert snapshot() == before
        assert published == []
    assert not any(selectors.counter_drift().values())


def test_voting_twice_as_denied_member_changes_nothing(users):
    """The author clicking their own up-arrow repeatedly stays at zero."""
    world = World(users, "open")
    before = snapshot()

    for value in (1, -1, 0, 1):
        with pytest.raises(PermissionDenied):
            services.cast_vote(actor=users["customer"], post=world.question, value=value)

    assert snapshot() == before


# Scoping of deleted posts ----------------------------------------------------------------


@pytest.fixture
def deleted_and_live(customer, helper):
    live = QuestionFactory(author=helper, title="A live question about SIM cards")
    gone = QuestionFactory(author=customer, title="A deleted question about SIM cards")
    Question.objects.filter(pk=gone.pk).update(deleted_at=timezone.now())
    live_answer = AnswerFactory(question=live, author=helper)
    gone_answer = AnswerFactory(question=live, author=customer)
    Answer.objects.filter(pk=gone_answer.pk).update(deleted_at=timezone.now())
    Question.objects.filter(pk=live.pk).update(answer_count=1)
    return live, gone, live_answer, gone_answer


@pytest.mark.parametrize(
    ("role", "sees_deleted"),
    [
        ("anonymous", False),
        ("customer", True),  # the author
        ("other_customer", False),
        ("staff", True),
        ("manager", True),
    ],
)
def test_visible_questions_and_answers_scope_deleted_posts(
    users, deleted_and_live, role, sees_deleted
):
    live, gone, live_answer, gone_answer = deleted_and_live
    user = users[role]

    questions = set(permissions.visible_questions(Question.objects.all(), user))
    answers = set(permissions.visible_answers(Answer.objects.all(), user))
    thread = selectors.question_thread(question=live, user=user)

    expected_questions = {live, gone} if sees_deleted else {live}
    expected_answers = {live_answer, gone_answer} if sees_deleted else {live_answer}
    assert questions == expected_questions
    assert answers == expected_answers
    assert set(thread.answers) == expected_answers
    assert selectors.get_question(pk=live.pk, user=user) == live
    if sees_deleted:
        assert selectors.get_question(pk=gone.pk, user=user) == gone
        assert selectors.get_answer(pk=gone_answer.pk, user=user) == gone_answer
    else:
        with pytest.raises(Http404):
            selectors.get_question(pk=gone.pk, user=user)
        with pytest.raises(Http404):
            selectors.get_answer(pk=gone_answer.pk, user=user)


@pytest.mark.parametrize("role", ROLES)
def test_lists_never_show_deleted_questions(users, deleted_and_live, role):
    live, gone, _live_answer, _gone_answer = deleted_and_live

    listed = list(selectors.question_list(user=users[role]))

    assert listed == [live]


def test_answers_of_a_deleted_question_are_hidden_from_other_members(users, helper, customer):
    gone = QuestionFactory(author=helper)
    answer = AnswerFactory(question=gone, author=customer)
    Question.objects.filter(pk=gone.pk).update(deleted_at=timezone.now())

    with pytest.raises(Http404):
        selectors.get_answer(pk=answer.pk, user=users["other_customer"])
    with pytest.raises(Http404):
        selectors.get_answer(pk=answer.pk, user=users["anonymous"])
    assert selectors.get_answer(pk=answer.pk, user=users["staff"]) == answer


def test_deleted_comments_are_hidden_from_everyone(users, question, customer):
    kept = CommentFactory(question=question, author=customer)
    gone = CommentFactory(question=question, author=customer)
    Comment.objects.filter(pk=gone.pk).update(deleted_at=timezone.now())

    for role in ROLES:
        assert list(permissions.visible_comments(Comment.objects.all(), users[role])) == [kept]


def test_a_stranger_cannot_delete_or_edit_a_staff_post(users):
    staff_question = QuestionFactory(author=users["staff"])
    before = snapshot()

    for role in ("customer", "other_customer"):
        with pytest.raises(PermissionDenied):
            services.delete_question(actor=users[role], question=staff_question)
        with pytest.raises(PermissionDenied):
            services.edit_question(
                actor=users[role],
                question=staff_question,
                title="Defaced title of the post",
                body=BODY,
                tags=["sim"],
                category=None,
            )

    assert snapshot() == before
