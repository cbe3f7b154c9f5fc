"""The write services: exact rows and counters after every action, and nothing else.

Every test ends with `counter_drift()` empty (autouse fixture below), so a service that
forgets a counter fails whichever scenario exposed it.
"""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from core.ratelimit import RateLimited
from forum import services
from forum.models import Answer, CloseReason, Comment, Question, Revision, Vote
from forum.selectors import counter_drift
from tests.factories import AnswerFactory, CategoryFactory, QuestionFactory, UserFactory

BODY = "My SIM stopped working after the top-up, the phone says no service."
ANSWER = "Restart the phone and re-insert the SIM card."


@pytest.fixture(autouse=True)
def _no_drift(db):
    yield
    assert {k: v for k, v in counter_drift().items() if v} == {}


def _ask(actor, title="Why does my SIM say no service?", body=BODY, tags=("sim",), **kw):
    return services.ask_question(
        actor=actor,
        title=title,
        body=body,
        tags=tags if isinstance(tags, str) else list(tags),
        **kw,
    )


def _revisions(post) -> list[tuple[int, str]]:
    return list(post.revisions.order_by("number").values_list("number", "body"))


# Questions ------------------------------------------------------------------------------


def test_ask_question_writes_question_tags_and_first_revision(customer):
    category = CategoryFactory(name="Network", slug="network")

    question = _ask(
        customer,
        title="  Why does my   SIM say no service?  ",
        body="**Bold** text that is long enough.",
        tags="SIM, Rete Mobile",
        category=category,
    )

    question.refresh_from_db()
    assert question.author == customer
    assert question.title == "Why does my SIM say no service?"
    assert question.body == "**Bold** text that is long enough."
    assert question.body_html == "<p><strong>Bold</strong> text that is long enough.</p>\n"
    assert question.category == category
    assert sorted(question.tags.names()) == ["rete-mobile", "sim"]
    assert (question.score, question.answer_count, question.comment_count) == (0, 0, 0)
    assert question.accepted_answer_id is None
    assert question.edited_at is None
    revision = Revision.objects.get()
    assert (revision.question_id, revision.number, revision.author_id) == (
        question.pk,
        1,
        customer.pk,
    )
    assert (revision.title, revision.tags) == (question.title, "sim rete-mobile")


def test_ask_question_with_bad_input_reports_every_field_and_writes_nothing(customer):
    with pytest.raises(ValidationError) as exc:
        _ask(customer, title="short", body="tiny", tags=[])

    assert sorted(exc.value.message_dict) == ["body", "tags", "title"]
    assert Question.objects.count() == 0
    assert Revision.objects.count() == 0


def test_edit_question_adds_numbered_revisions_only_when_something_changed(customer, staff):
    question = _ask(customer)

    services.edit_question(
        actor=customer,
        question=question,
        title=question.title,
        body=BODY,
        tags=["sim"],
        category=None,
    )
    assert _revisions(question) == [(1, BODY)]
    assert Question.objects.get().edited_at is None

    services.edit_question(
        actor=customer,
        question=question,
        title="Why does my SIM say no service at all?",
        body=BODY,
        tags=["sim"],
        category=None,
        summary="clearer title",
    )
    services.edit_question(
        actor=customer, question=question, title="Why does my SIM say no service at all?",
        body=BODY + " *Still*.", tags=["sim"], category=None,
    )  # fmt: skip
    services.edit_question(
        actor=staff, question=question, title="Why does my SIM say no service at all?",
        body=BODY + " *Still*.", tags=["sim", "rete"], category=None,
    )  # fmt: skip

    question.refresh_from_db()
    assert [n for n, _body in _revisions(question)] == [1, 2, 3, 4]
    latest = question.revisions.get(number=4)
    assert (latest.author, latest.tags) == (staff, "sim rete")
    assert question.revisions.get(number=2).summary == "clearer title"
    assert question.body_html == f"<p>{BODY} <em>Still</em>.</p>\n"
    assert sorted(question.tags.names()) == ["rete", "sim"]
    assert question.edited_at is not None


def test_edit_question_invalid_input_changes_nothing(customer, question):
    with pytest.raises(ValidationError) as exc:
        services.edit_question(
            actor=customer, question=question, title="", body=BODY, tags=["sim"], category=None
        )

    assert list(exc.value.message_dict) == ["title"]
    assert Question.objects.get().title == question.title
    assert Revision.objects.count() == 0


def test_delete_question_is_soft_and_cannot_repeat(customer, question):
    services.delete_question(actor=customer, question=question)

    question.refresh_from_db()
    assert question.deleted_at is not None
    assert Question.objects.count() == 1
    with pytest.raises(PermissionDenied):
        services.delete_question(actor=customer, question=question)


def test_close_and_reopen_question(customer, staff, question):
    services.close_question(
        actor=staff, question=question, reason=CloseReason.OFF_TOPIC, note="  not ours  "
    )

    question.refresh_from_db()
    assert (question.close_reason, question.close_note, question.closed_by) == (
        "off_topic",
        "not ours",
        staff,
    )
    with pytest.raises(ValidationError):
        services.close_question(actor=staff, question=question, reason=CloseReason.OTHER)
    with pytest.raises(PermissionDenied):
        services.post_answer(actor=staff, question=question, body=ANSWER)
    assert (Answer.objects.count(), Question.objects.get().answer_count) == (0, 0)

    services.reopen_question(actor=staff, question=question)

    question.refresh_from_db()
    assert (question.closed_at, question.closed_by, question.close_reason, question.close_note) == (
        None,
        None,
        "",
        "",
    )
    with pytest.raises(ValidationError):
        services.reopen_question(actor=staff, question=question)
    services.post_answer(actor=customer, question=question, body=ANSWER)
    assert Question.objects.get().answer_count == 1


@pytest.mark.parametrize(
    ("reason", "target", "field"),
    [
        ("nonsense", None, "reason"),
        ("", None, "reason"),
        (CloseReason.DUPLICATE, None, "duplicate_of"),
        (CloseReason.DUPLICATE, "self", "duplicate_of"),
        (CloseReason.DUPLICATE, "deleted", "duplicate_of"),
    ],
)
def test_close_question_validates_reason_and_duplicate(staff, question, reason, target, field):
    duplicate_of = {"self": question, None: None}.get(target)
    if target == "deleted":
        duplicate_of = QuestionFactory()
        services.delete_question(actor=staff, question=duplicate_of)

    with pytest.raises(ValidationError) as exc:
        services.close_question(
            actor=staff, question=question, reason=reason, duplicate_of=duplicate_of
        )

    assert field in exc.value.message_dict
    assert Question.objects.get(pk=question.pk).closed_at is None


def test_close_as_duplicate_points_to_the_original(staff, question):
    original = QuestionFactory()

    services.close_question(
        actor=staff, question=question, reason=CloseReason.DUPLICATE, duplicate_of=original
    )

    assert Question.objects.get(pk=question.pk).duplicate_of == original


def test_locked_question_refuses_members_but_moderators_may_edit(
    customer, other_customer, staff, question
):
    answer = AnswerFactory(question=question, author=other_customer)
    services.set_question_lock(actor=staff, question=question, locked=True)
    question.refresh_from_db()
    answer.refresh_from_db()

    refused = [
        lambda: services.post_answer(actor=other_customer, question=question, body=ANSWER),
        lambda: services.post_comment(actor=other_customer, post=question, body="Any news?"),
        lambda: services.post_comment(actor=customer, post=answer, body="Any news?"),
        lambda: services.cast_vote(actor=other_customer, post=question, value=1),
        lambda: services.cast_vote(actor=customer, post=answer, value=1),
        lambda: services.edit_question(
            actor=customer,
            question=question,
            title="A completely new title",
            body=BODY,
            tags=["sim"],
            category=None,
        ),
        lambda: services.edit_answer(actor=other_customer, answer=answer, body=ANSWER + " Edited."),
        lambda: services.accept_answer(actor=customer, answer=answer),
        lambda: services.delete_answer(actor=other_customer, answer=answer),
    ]
    for call in refused:
        with pytest.raises(PermissionDenied):
            call()
    assert (
        Answer.objects.count(),
        Comment.objects.count(),
        Vote.objects.count(),
        Revision.objects.count(),
    ) == (
        1,
        0,
        0,
        0,
    )

    services.edit_answer(actor=staff, answer=answer, body=ANSWER + " Edited by staff.")
    assert _revisions(answer) == [(1, ANSWER + " Edited by staff.")]

    services.set_question_lock(actor=staff, question=question, locked=False)
    question.refresh_from_db()
    services.post_comment(actor=other_customer, post=question, body="Any news?")
    assert Question.objects.get().comment_count == 1


# Answers --------------------------------------------------------------------------------


def test_post_answer_counts_and_first_revision(customer, other_customer, question):
    answer = services.post_answer(actor=other_customer, question=question, body=ANSWER)

    question.refresh_from_db()
    assert question.answer_count == 1
    assert question.last_activity_at == answer.created_at
    assert (answer.body, answer.body_html) == (ANSWER, f"<p>{ANSWER}</p>\n")
    assert _revisions(answer) == [(1, ANSWER)]


def test_post_answer_too_short_writes_nothing(other_customer, question):
    with pytest.raises(ValidationError) as exc:
        services.post_answer(actor=other_customer, question=question, body="   ok  ")

    assert list(exc.value.message_dict) == ["body"]
    assert (Answer.objects.count(), Question.objects.get().answer_count) == (0, 0)


def test_edit_answer_revisions_are_1_to_n_and_skip_no_op(other_customer, question):
    answer = services.post_answer(actor=other_customer, question=question, body=ANSWER)

    services.edit_answer(actor=other_customer, answer=answer, body=ANSWER)
    services.edit_answer(actor=other_customer, answer=answer, body=ANSWER + " Then wait.")
    services.edit_answer(actor=other_customer, answer=answer, body="\n" + ANSWER + " Then wait.\n")
    services.edit_answer(
        actor=other_customer, answer=answer, body=ANSWER + " Then **wait**.", summary="bold"
    )

    answer.refresh_from_db()
    assert _revisions(answer) == [
        (1, ANSWER),
        (2, ANSWER + " Then wait."),
        (3, ANSWER + " Then **wait**."),
    ]
    assert answer.revisions.get(number=3).summary == "bold"
    assert answer.body_html == f"<p>{ANSWER} Then <strong>wait</strong>.</p>\n"


def test_delete_answer_fixes_count_and_unaccepts(customer, other_customer, helper, question):
    first = services.post_answer(actor=other_customer, question=question, body=ANSWER)
    second = services.post_answer(actor=helper, question=question, body=ANSWER + " Or call us.")
    services.accept_answer(actor=customer, answer=first)

    services.delete_answer(actor=other_customer, answer=first)

    question.refresh_from_db()
    assert (question.answer_count, question.accepted_answer_id) == (1, None)
    services.delete_answer(actor=helper, answer=second)
    assert Question.objects.get().answer_count == 0
    assert Answer.objects.filter(deleted_at__isnull=False).count() == 2


def test_deleting_a_stale_copy_of_a_deleted_answer_does_not_count_twice(other_customer, question):
    answer = services.post_answer(actor=other_customer, question=question, body=ANSWER)
    services.post_answer(actor=other_customer, question=question, body=ANSWER + " Two.")
    stale = Answer.objects.get(pk=answer.pk)
    services.delete_answer(actor=other_customer, answer=answer)

    with pytest.raises(PermissionDenied):
        services.delete_answer(actor=other_customer, answer=stale)

    assert Question.objects.get().answer_count == 1


def test_accept_switch_and_unaccept(customer, other_customer, helper, question):
    first = services.post_answer(actor=other_customer, question=question, body=ANSWER)
    second = services.post_answer(actor=helper, question=question, body=ANSWER + " Or call us.")

    services.accept_answer(actor=customer, answer=first)
    assert Question.objects.get().accepted_answer == first
    services.accept_answer(actor=customer, answer=first)  # a double click changes nothing
    assert Question.objects.get().accepted_answer == first
    services.accept_answer(actor=customer, answer=second)
    assert Question.objects.get().accepted_answer == second
    services.unaccept_answer(actor=customer, answer=first)  # not the accepted one: no-op
    assert Question.objects.get().accepted_answer == second
    services.unaccept_answer(actor=customer, answer=second)
    assert Question.objects.get().accepted_answer_id is None


def test_accepting_a_stale_copy_of_a_deleted_answer_is_refused(customer, other_customer, question):
    answer = services.post_answer(actor=other_customer, question=question, body=ANSWER)
    stale = Answer.objects.get(pk=answer.pk)
    services.delete_answer(actor=other_customer, answer=answer)

    with pytest.raises(PermissionDenied):
        services.accept_answer(actor=customer, answer=stale)

    assert Question.objects.get().accepted_answer_id is None


def test_staff_may_accept_but_other_members_may_not(other_customer, helper, staff, question):
    answer = services.post_answer(actor=helper, question=question, body=ANSWER)

    with pytest.raises(PermissionDenied):
        services.accept_answer(actor=other_customer, answer=answer)
    # Staff accept for the asker once they have been away two weeks.
    with time_machine.travel(timezone.now() + dt.timedelta(days=15), tick=False):
        services.accept_answer(actor=staff, answer=answer)

    assert Question.objects.get().accepted_answer == answer


# Comments -------------------------------------------------------------------------------


def test_post_and_delete_comments_keep_counts(customer, other_customer, question):
    answer = services.post_answer(actor=other_customer, question=question, body=ANSWER)
    on_question = services.post_comment(
        actor=other_customer, post=question, body="Which phone is it?"
    )
    on_answer = services.post_comment(actor=customer, post=answer, body="It *worked*, thanks!")

    assert (on_question.question_id, on_question.answer_id) == (question.pk, None)
    assert (on_answer.question_id, on_answer.answer_id) == (None, answer.pk)
    assert on_answer.body_html == "<p>It <em>worked</em>, thanks!</p>\n"
    assert Question.objects.get().comment_count == 1
    assert Answer.objects.get().comment_count == 1

    services.delete_comment(actor=customer, comment=on_answer)
    services.delete_comment(actor=other_customer, comment=on_question)

    assert (Question.objects.get().comment_count, Answer.objects.get().comment_count) == (0, 0)
    assert Comment.objects.filter(deleted_at__isnull=True).count() == 0
    with pytest.raises(PermissionDenied):
        services.delete_comment(actor=customer, comment=on_answer)
    assert Answer.objects.get().comment_count == 0


def test_comment_length_limits(other_customer, question):
    with pytest.raises(ValidationError):
        services.post_comment(actor=other_customer, post=question, body="  ok  ")
    with pytest.raises(ValidationError):
        services.post_comment(actor=other_customer, post=question, body="x" * 601)

    assert Comment.objects.count() == 0
    assert Question.objects.get().comment_count == 0


def test_cannot_comment_on_deleted_answer(customer, other_customer, question):
    answer = services.post_answer(actor=other_customer, question=question, body=ANSWER)
    services.delete_answer(actor=other_customer, answer=answer)

    with pytest.raises(PermissionDenied):
        services.post_comment(actor=customer, post=answer, body="Where did it go?")


# Votes ----------------------------------------------------------------------------------


def _vote_state(post) -> tuple[int, list[int]]:
    post.refresh_from_db(fields=["score"])
    return post.score, list(post.votes.values_list("value", flat=True))


@pytest.mark.parametrize("target", ["question", "answer"])
def test_cast_vote_up_down_change_withdraw_and_double_click(
    customer, other_customer, helper, question, target
):
    post = question if target == "question" else AnswerFactory(question=question, author=customer)

    assert services.cast_vote(actor=other_customer, post=post, value=1) == (1, 1)
    assert _vote_state(post) == (1, [1])
    assert services.cast_vote(actor=other_customer, post=post, value=1) == (1, 1)  # double click
    assert _vote_state(post) == (1, [1])
    assert services.cast_vote(actor=helper, post=post, value=1) == (2, 1)
    assert services.cast_vote(actor=other_customer, post=post, value=-1) == (0, -1)
    assert _vote_state(post) == (0, [-1, 1]) or _vote_state(post) == (0, [1, -1])
    assert services.cast_vote(actor=other_customer, post=post, value=0) == (1, 0)
    assert _vote_state(post) == (1, [1])
    # Nothing left to withdraw: a no-op.
    assert services.cast_vote(actor=other_customer, post=post, value=0) == (1, 0)
    assert Vote.objects.filter(voter=other_customer).count() == 0


@pytest.mark.parametrize("value", [2, -2, True, False, "1", 1.0, None])
def test_cast_vote_rejects_anything_but_1_minus_1_0(other_customer, question, value):
    with pytest.raises(ValidationError):
        services.cast_vote(actor=other_customer, post=question, value=value)

    assert _vote_state(question) == (0, [])


def test_cannot_vote_on_own_post(customer, question):
    with pytest.raises(PermissionDenied):
        services.cast_vote(actor=customer, post=question, value=1)

    assert _vote_state(question) == (0, [])


def test_vote_on_stale_copy_of_deleted_post_is_refused(customer, other_customer, question):
    stale = Question.objects.get(pk=question.pk)
    services.delete_question(actor=customer, question=question)

    with pytest.raises(PermissionDenied):
        services.cast_vote(actor=other_customer, post=stale, value=1)

    assert _vote_state(question) == (0, [])


# Members --------------------------------------------------------------------------------


def test_update_profile_cleans_and_saves(customer):
    services.update_profile(
        actor=customer,
        member=customer,
        display_name="  Anna\u200b  R.\x00 ",
        bio="\r\nHello\r\nworld\n",
        locale="it",
    )

    customer.refresh_from_db()
    assert (customer.display_name, customer.bio, customer.locale) == (
        "Anna R.",
        "Hello\nworld",
        "it",
    )


@pytest.mark.parametrize(
    ("field", "kwargs"),
    [
        ("display_name", {"display_name": "x" * 51}),
        ("bio", {"bio": "x" * 2001}),
        ("locale", {"locale": "klingon"}),
    ],
)
def test_update_profile_limits(customer, field, kwargs):
    values = {"display_name": "Anna", "bio": "", "locale": "", **kwargs}

    with pytest.raises(ValidationError) as exc:
        services.update_profile(actor=customer, member=customer, **values)

    assert list(exc.value.message_dict) == [field]
    customer.refresh_from_db()
    assert (customer.display_name, customer.bio, customer.locale) == ("Anna Rossi", "", "")


def test_update_profile_at_the_limits(customer):
    services.update_profile(
        actor=customer, member=customer, display_name="x" * 50, bio="y" * 2000, locale=""
    )

    customer.refresh_from_db()
    assert (len(customer.display_name), len(customer.bio)) == (50, 2000)


def test_update_profile_of_someone_else_is_refused(customer, other_customer, staff):
    for actor in (other_customer, staff):
        with pytest.raises(PermissionDenied):
            services.update_profile(
                actor=actor, member=customer, display_name="Hacked", bio="", locale=""
            )

    customer.refresh_from_db()
    assert customer.display_name == "Anna Rossi"


# Rate limit -----------------------------------------------------------------------------


@pytest.mark.usefixtures("fresh_rate_window")
def test_posting_budget_is_shared_and_raises_rate_limited(
    settings, customer, other_customer, question
):
    settings.CIRCOLO_POST_RATE = "3/m"
    services.post_answer(actor=other_customer, question=question, body=ANSWER)
    services.post_comment(actor=other_customer, post=question, body="Which phone?")
    _ask(other_customer)

    with pytest.raises(RateLimited) as exc:
        services.post_answer(actor=other_customer, question=question, body=ANSWER + " Again.")

    assert 1 <= exc.value.retry_after <= 60
    assert Answer.objects.count() == 1
    assert Question.objects.get(pk=question.pk).answer_count == 1
    with pytest.raises(RateLimited):
        _ask(other_customer, title="Another question about my SIM")
    assert Question.objects.count() == 2
    # The budget is per member: someone else still may post.
    services.post_comment(actor=customer, post=question, body="Thanks all.")


def test_invalid_input_does_not_spend_the_budget(settings, other_customer, question):
    settings.CIRCOLO_POST_RATE = "1/m"
    for _attempt in range(3):
        with pytest.raises(ValidationError):
            services.post_answer(actor=other_customer, question=question, body="no")

    services.post_answer(actor=other_customer, question=question, body=ANSWER)

    assert Question.objects.get().answer_count == 1


def test_staff_are_not_rate_limited(settings, staff, question):
    settings.CIRCOLO_POST_RATE = "1/m"

    for n in range(3):
        services.post_answer(actor=staff, question=question, body=f"{ANSWER} ({n})")

    assert Question.objects.get().answer_count == 3


def test_inactive_member_can_do_nothing(question):
    ghost = UserFactory(username="ghost", is_active=False)

    with pytest.raises(PermissionDenied):
        _ask(ghost)
    with pytest.raises(PermissionDenied):
        services.post_answer(actor=ghost, question=question, body=ANSWER)
    with pytest.raises(PermissionDenied):
        services.cast_vote(actor=ghost, post=question, value=1)

    assert (Question.objects.count(), Answer.objects.count(), Vote.objects.count()) == (1, 0, 0)
