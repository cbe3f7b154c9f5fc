"""Races on PostgreSQL with real threads, each on its own connection, released together
by a barrier: counters stay exact, constraints hold, nothing is counted twice.

After every scenario the cached counters equal the rows (`counter_differences()` empty)
and every cached reputation equals the points ledger (`reputation_drift()` empty).
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection, transaction
from django.db.models import Sum
from django.utils import timezone

from forum import services
from forum.models import Answer, Comment, Question, Vote
from forum.selectors import counter_differences, counter_drift
from gamification.models import PointEvent
from gamification.selectors import reputation_drift
from tests.factories import UserFactory
from tests.pg import POSTGRES_MARKS, race

pytestmark = [*POSTGRES_MARKS, pytest.mark.django_db(transaction=True)]


def _fresh(obj):  # noqa: ANN001, ANN202
    """The row as a request would load it: each thread works on its own instance."""
    return type(obj).objects.get(pk=obj.pk)


def _errors(results: list[Any]) -> list[Exception]:
    return [r for r in results if isinstance(r, Exception)]


def _members(prefix: str, count: int) -> list:
    """Members with enough reputation to vote both ways, answer and comment."""
    return [UserFactory(username=f"{prefix}{n:02d}", reputation=500) for n in range(count)]


def _vote_sum(**post) -> int:  # noqa: ANN003
    return Vote.objects.filter(**post).aggregate(s=Sum("value"))["s"] or 0


@pytest.fixture(autouse=True)
def _counters_match_rows():
    yield
    assert counter_differences() == []
    assert {k: v for k, v in counter_drift().items() if v} == {}
    assert reputation_drift() == []


@pytest.fixture
def answer(other_customer, question) -> Answer:
    return services.post_answer(
        actor=other_customer, question=question, body="Reset the network settings."
    )


# Votes --------------------------------------------------------------------------------


def test_32_members_voting_at_once_are_all_counted(answer):
    voters = _members("voter", 32)

    results = race(
        *(lambda v=v: services.cast_vote(actor=v, post=_fresh(answer), value=1) for v in voters)
    )

    assert _errors(results) == []
    assert sorted(vote for _score, vote in results) == [1] * 32
    assert sorted(score for score, _vote in results) == list(range(1, 33))
    answer.refresh_from_db()
    assert answer.score == 32 == _vote_sum(answer=answer)
    assert Vote.objects.filter(answer=answer).count() == 32


@pytest.mark.parametrize("clicks", [2, 4, 8])
def test_double_click_counts_one_vote(answer, clicks):
    (member,) = _members("clicker", 1)

    results = race(
        *(
            lambda: services.cast_vote(actor=member, post=_fresh(answer), value=1)
            for _ in range(clicks)
        )
    )

    assert results == [(1, 1)] * clicks
    assert list(Vote.objects.filter(answer=answer).values_list("voter", "value")) == [
        (member.pk, 1)
    ]
    answer.refresh_from_db()
    assert answer.score == 1


def test_one_member_flipping_up_down_and_withdrawing_at_once(answer):
    (member,) = _members("flipper", 1)
    values = [1, -1, 0, 1, -1, 0, 1, -1]

    results = race(
        *(
            lambda v=v: services.cast_vote(actor=member, post=_fresh(answer), value=v)
            for v in values
        )
    )

    assert _errors(results) == []
    answer.refresh_from_db()
    votes = list(Vote.objects.filter(answer=answer).values_list("value", flat=True))
    assert len(votes) <= 1
    assert answer.score == sum(votes)
    assert answer.score in (-1, 0, 1)


def test_a_vote_that_waited_for_the_lock_sees_the_members_vote_cast_meanwhile(answer):
    """The second vote waits for the post's row lock while the first (up) commits; it must
    then read the member's vote as the first left it. Read with the lock's own statement,
    it would be the vote as it was when that statement began: none, so the downvote
    would be inserted beside the upvote (refused by the unique constraint) and lost."""
    (member,) = _members("waiter", 1)
    first_holds_the_lock, second_is_waiting = threading.Event(), threading.Event()
    results: dict[str, Any] = {}

    def first() -> None:
        try:
            with transaction.atomic():
                results["first"] = services.cast_vote(actor=member, post=_fresh(answer), value=1)
                first_holds_the_lock.set()
                assert second_is_waiting.wait(timeout=30)
        finally:
            connection.close()

    def second() -> None:
        try:
            first_holds_the_lock.wait(timeout=30)
            results["second"] = services.cast_vote(actor=member, post=_fresh(answer), value=-1)
        except Exception as exc:  # noqa: BLE001 - asserted below
            results["second"] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    assert first_holds_the_lock.wait(timeout=30)
    _wait_until_a_query_waits_for_a_lock()
    second_is_waiting.set()
    for thread in threads:
        thread.join(timeout=60)

    assert results == {"first": (1, 1), "second": (-1, -1)}
    assert list(Vote.objects.filter(answer=answer).values_list("value", flat=True)) == [-1]
    answer.refresh_from_db()
    assert answer.score == -1


def _wait_until_a_query_waits_for_a_lock(timeout: float = 30) -> None:
    """Until another session of this database waits on a row lock (pg_stat_activity)."""
    deadline = time.monotonic() + timeout
    with connection.cursor() as cursor:
        while time.monotonic() < deadline:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity"
                " WHERE datname = current_database() AND wait_event_type = 'Lock'"
            )
            if cursor.fetchone()[0]:
                return
            time.sleep(0.01)
    raise AssertionError("no query waited for the lock")


def test_many_members_flipping_on_a_question_keep_score_equal_to_votes(question):
    voters = _members("flip", 12)
    calls = []
    for voter in voters:
        for value in (1, -1):
            calls.append(
                lambda v=voter, x=value: services.cast_vote(actor=v, post=_fresh(question), value=x)
            )

    results = race(*calls)

    assert _errors(results) == []
    question.refresh_from_db()
    assert question.score == _vote_sum(question=question)
    assert Vote.objects.filter(question=question).count() == 12
    assert set(Vote.objects.filter(question=question).values_list("value", flat=True)) <= {1, -1}


# Accepting ----------------------------------------------------------------------------


def test_two_acceptances_at_once_leave_exactly_one_accepted_answer(customer, question):
    first, second = (
        services.post_answer(actor=author, question=question, body=f"Answer from {author}.")
        for author in _members("answerer", 2)
    )

    results = race(
        lambda: services.accept_answer(actor=customer, answer=_fresh(first)),
        lambda: services.accept_answer(actor=customer, answer=_fresh(second)),
    )

    assert _errors(results) == []
    question.refresh_from_db()
    assert question.accepted_answer_id in (first.pk, second.pk)
    assert Question.objects.filter(accepted_answer__isnull=False).count() == 1
    assert Answer.objects.filter(accepted_for__isnull=False).count() == 1


def test_accepting_while_the_answer_is_deleted_never_accepts_a_deleted_answer(
    customer, question, answer, other_customer
):
    results = race(
        lambda: services.accept_answer(actor=customer, answer=_fresh(answer)),
        lambda: services.delete_answer(actor=other_customer, answer=_fresh(answer)),
    )

    accepted, deleted = results
    # Accepted first, then deleted (which unaccepts), or deleted first and then refused.
    assert isinstance(deleted, Answer)
    assert isinstance(accepted, Question | PermissionDenied)
    question.refresh_from_db()
    assert question.accepted_answer_id is None
    assert question.answer_count == 0


# Answers and comments -----------------------------------------------------------------


def test_answers_posted_at_once_are_all_counted(question):
    authors = _members("author", 16)

    results = race(
        *(
            lambda a=a: services.post_answer(
                actor=a, question=_fresh(question), body=f"Try this, {a}."
            )
            for a in authors
        )
    )

    assert _errors(results) == []
    question.refresh_from_db()
    assert question.answer_count == 16 == Answer.objects.filter(question=question).count()


def test_answers_posted_and_deleted_at_once_keep_the_count(question):
    authors = _members("author", 8)
    existing = [
        services.post_answer(actor=a, question=question, body=f"First try, {a}.") for a in authors
    ]

    results = race(
        *(
            lambda a=a: services.post_answer(
                actor=a, question=_fresh(question), body="Trying once more."
            )
            for a in authors
        ),
        *(lambda a=a: services.delete_answer(actor=a.author, answer=_fresh(a)) for a in existing),
        *(
            lambda a=a: services.delete_answer(actor=a.author, answer=_fresh(a))
            for a in existing[:4]
        ),
    )

    # The second deletion of the same answer is refused on the locked row, not counted.
    assert all(isinstance(e, PermissionDenied) for e in _errors(results))
    assert len(_errors(results)) == 4
    question.refresh_from_db()
    assert question.answer_count == 8
    assert Answer.objects.filter(question=question, deleted_at__isnull=True).count() == 8


def test_comments_posted_and_deleted_at_once_keep_the_count(question, helper):
    writers = _members("writer", 8)
    existing = [
        services.post_comment(actor=w, post=question, body=f"Which phone, {w}?") for w in writers
    ]

    results = race(
        *(
            lambda w=w: services.post_comment(actor=w, post=_fresh(question), body="Any news?")
            for w in writers
        ),
        *(lambda c=c: services.delete_comment(actor=helper, comment=_fresh(c)) for c in existing),
    )

    assert all(isinstance(e, PermissionDenied) for e in _errors(results))
    question.refresh_from_db()
    live = Comment.objects.filter(question=question, deleted_at__isnull=True).count()
    assert question.comment_count == live


# Repair -------------------------------------------------------------------------------


def test_repair_during_a_vote_storm_loses_no_vote(answer):
    voters = _members("storm", 16)
    Answer.objects.filter(pk=answer.pk).update(score=100)  # drifted before the storm

    results = race(
        services.repair_counters,
        *(lambda v=v: services.cast_vote(actor=v, post=_fresh(answer), value=1) for v in voters),
    )

    assert _errors(results) == []
    answer.refresh_from_db()
    # Either the repair ran first (100 -> 0, then +16) or after some votes, recounting
    # them under the lock: in every order the score ends equal to the votes.
    assert answer.score == 16 == _vote_sum(answer=answer)


def test_two_advocates_accepting_for_an_absent_asker_at_once_make_one_acceptance(
    customer, question
):
    """Each picks a different answer; one acceptance, paid once, the other refused."""
    first, second = (
        services.post_answer(actor=member, question=question, body=f"Try option {n}, please.")
        for n, member in enumerate(_members("answerer", 2))
    )
    advocates = [UserFactory(username=f"advocate{n}", is_advocate=True) for n in range(2)]
    away = timezone.now() - dt.timedelta(days=15)
    Question.objects.filter(pk=question.pk).update(created_at=away)
    Answer.objects.filter(question=question).update(created_at=away)

    results = race(
        lambda: services.accept_answer(actor=advocates[0], answer=_fresh(first)),
        lambda: services.accept_answer(actor=advocates[1], answer=_fresh(second)),
    )

    errors = _errors(results)
    assert len(errors) == 1
    assert isinstance(errors[0], PermissionDenied)
    question.refresh_from_db()
    assert question.accepted_answer_id in (first.pk, second.pk)
    assert question.accepted_on_behalf_by_id in (advocates[0].pk, advocates[1].pk)
    assert PointEvent.objects.filter(rule="answer_accepted").count() == 1
