"""Races on PostgreSQL with real threads, each on its own connection.

Every test releases its threads together (a barrier), then checks the invariants of
QUALITY.md and that `recompute_reputation --check` exits 0. Skipped on SQLite, which
serialises writers and so cannot show a race.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.core.exceptions import PermissionDenied

from forum import services
from forum.models import Answer, Question, Vote
from gamification.models import BadgeAward, PointEvent
from tests.factories import AnswerFactory, QuestionFactory
from tests.gamification.support import assert_invariants, member, rep, voters
from tests.pg import POSTGRES_MARKS, race

pytestmark = [*POSTGRES_MARKS, pytest.mark.django_db(transaction=True)]


def run_together(calls: list[Callable[[], object]]) -> list[BaseException | None]:
    """Run every call in its own thread, released at once (tests.pg.race); return each
    one's exception, or None."""
    return [r if isinstance(r, BaseException) else None for r in race(*calls)]


def test_32_voters_at_once_on_one_answer():
    author = member(1, username="author")
    answer = AnswerFactory(author=author)
    crowd = voters(32)

    errors = run_together(
        [lambda v=v: services.cast_vote(actor=v, post=answer, value=1) for v in crowd]
    )

    assert errors == [None] * 32
    answer.refresh_from_db()
    assert answer.score == 32
    # 32 x 10 wanted, the daily cap lets 200 through: 20 full awards, 12 worth nothing.
    awards = PointEvent.objects.filter(recipient=author, rule="answer_upvoted")
    assert awards.count() == 32
    assert sorted(awards.values_list("points", flat=True)) == [0] * 12 + [10] * 20
    assert rep(author) == 201
    assert_invariants()


def test_32_voters_up_and_down_then_withdrawing():
    author = member(1, username="author")
    answer = AnswerFactory(author=author)
    crowd = voters(32)

    run_together(
        [
            lambda i=i, v=v: services.cast_vote(actor=v, post=answer, value=1 if i % 2 else -1)
            for i, v in enumerate(crowd)
        ]
    )
    assert_invariants()
    errors = run_together(
        [lambda v=v: services.cast_vote(actor=v, post=answer, value=0) for v in crowd]
    )

    assert errors == [None] * 32
    answer.refresh_from_db()
    assert answer.score == 0
    assert rep(author) == 1
    assert [rep(v) for v in crowd] == [200] * 32
    assert PointEvent.objects.active().exclude(note="test fixture").count() == 0
    assert_invariants()


def test_a_member_double_clicking_vote():
    author = member(1, username="author")
    answer = AnswerFactory(author=author)
    (voter,) = voters(1)

    errors = run_together(
        [lambda: services.cast_vote(actor=voter, post=answer, value=1) for _ in range(8)]
    )

    assert errors == [None] * 8
    assert Vote.objects.filter(voter=voter).count() == 1
    assert PointEvent.objects.filter(recipient=author).exclude(note="test fixture").count() == 1
    assert rep(author) == 11
    assert_invariants()


def test_two_acceptances_at_once():
    asker = member(20, username="asker")
    question = QuestionFactory(author=asker)
    first = AnswerFactory(question=question, author=member(1, username="first"))
    second = AnswerFactory(question=question, author=member(1, username="second"))

    errors = run_together(
        [
            lambda: services.accept_answer(actor=asker, answer=first),
            lambda: services.accept_answer(actor=asker, answer=second),
        ]
        * 4
    )

    assert errors == [None] * 8
    question.refresh_from_db()
    winner = question.accepted_answer
    loser = second if winner == first else first
    assert (rep(winner.author), rep(loser.author), rep(asker)) == (16, 1, 22)
    assert sorted(
        PointEvent.objects.active().exclude(note="test fixture").values_list("rule", flat=True)
    ) == ["accept_bonus_asker", "answer_accepted"]
    assert_invariants()


def test_accept_and_unaccept_racing_with_votes_and_deletion():
    asker = member(20, username="asker")
    question = QuestionFactory(author=asker)
    answerer = member(1, username="answerer")
    answer = AnswerFactory(question=question, author=answerer)
    crowd = voters(6)

    errors = run_together(
        [
            lambda: services.accept_answer(actor=asker, answer=answer),
            lambda: services.unaccept_answer(actor=asker, answer=answer),
            lambda: services.accept_answer(actor=asker, answer=answer),
            *[lambda v=v: services.cast_vote(actor=v, post=answer, value=1) for v in crowd[:3]],
            *[lambda v=v: services.cast_vote(actor=v, post=answer, value=-1) for v in crowd[3:]],
            lambda: services.delete_answer(actor=answerer, answer=answer),
        ]
    )

    # Whatever ran after the deletion was refused; nothing else may fail.
    assert [e for e in errors if e is not None and not isinstance(e, PermissionDenied)] == []
    assert Answer.objects.get(pk=answer.pk).deleted_at is not None
    assert rep(answerer) == 1
    assert rep(asker) == 20
    assert [rep(v) for v in crowd] == [200] * 6
    assert_invariants()


def test_daily_cap_reached_concurrently_across_different_posts():
    """32 answers by one author, one vote each at once: only the member's row lock stands
    between the votes (each locks a different answer), and the cap must still hold."""
    author = member(1, username="author")
    question = QuestionFactory(author=member(1, username="asker"))
    answers = [AnswerFactory(question=question, author=author) for _ in range(32)]
    crowd = voters(32)

    errors = run_together(
        [
            lambda v=v, a=a: services.cast_vote(actor=v, post=a, value=1)
            for v, a in zip(crowd, answers, strict=True)
        ]
    )

    assert errors == [None] * 32
    assert rep(author) == 201
    assert (
        sum(
            PointEvent.objects.filter(recipient=author, capped=True).values_list(
                "points", flat=True
            )
        )
        == 200
    )
    assert_invariants()


def test_votes_crossing_between_two_members_do_not_deadlock():
    """a votes on b's posts while b votes on a's: each locks a post, then both members."""
    a, b = voters(2, prefix="pair")
    a_posts = [AnswerFactory(author=a) for _ in range(8)]
    b_posts = [AnswerFactory(author=b) for _ in range(8)]

    errors = run_together(
        [lambda p=p: services.cast_vote(actor=b, post=p, value=-1) for p in a_posts]
        + [lambda p=p: services.cast_vote(actor=a, post=p, value=-1) for p in b_posts]
    )

    assert errors == [None] * 16
    # 8 downvotes received, 5 of them paid (serial voting limit); 8 cast at -1 each.
    assert (rep(a), rep(b)) == (200 - 2 * 5 - 8, 200 - 2 * 5 - 8)
    assert Question.objects.count() == 16
    assert_invariants()


def test_two_requests_awarding_the_same_badge():
    """8 first questions at once: each request finds no badge and inserts one; the unique
    constraint lets exactly one through and the others carry on without it."""
    asker = member(1, username="asker")

    errors = run_together(
        [
            lambda i=i: services.ask_question(
                actor=asker,
                title=f"Question number {i} about my SIM",
                body="My SIM stopped working after the top-up, the phone says no service.",
                tags=["sim"],
            )
            for i in range(8)
        ]
    )

    assert errors == [None] * 8
    assert Question.objects.filter(author=asker).count() == 8
    assert list(BadgeAward.objects.filter(member=asker).values_list("badge", flat=True)) == [
        "curious"
    ]
    assert_invariants()


def test_upvotes_crossing_between_two_members_do_not_deadlock():
    """Each vote row and ledger row points at the voter, which makes PostgreSQL take a key
    share lock on the voter's row; the members' own locks must not conflict with it."""
    a, b = voters(2, prefix="pair")
    a_posts = [AnswerFactory(author=a) for _ in range(8)]
    b_posts = [AnswerFactory(author=b) for _ in range(8)]

    errors = run_together(
        [lambda p=p: services.cast_vote(actor=b, post=p, value=1) for p in a_posts]
        + [lambda p=p: services.cast_vote(actor=a, post=p, value=1) for p in b_posts]
    )

    assert errors == [None] * 16
    assert (rep(a), rep(b)) == (200 + 10 * 5, 200 + 10 * 5)  # the serial limit: 5 paid
    assert_invariants()


def test_serial_voting_limit_holds_when_the_votes_arrive_at_once():
    author = member(1, username="author")
    (fan,) = voters(1)
    answers = [AnswerFactory(author=author) for _ in range(10)]

    errors = run_together(
        [lambda a=a: services.cast_vote(actor=fan, post=a, value=1) for a in answers]
    )

    assert errors == [None] * 10
    assert rep(author) == 51
    assert PointEvent.objects.filter(note="serial voting").count() == 5
    assert_invariants()


def test_a_votes_badges_are_checked_after_its_points_commit_without_its_locks(monkeypatch):
    """Badges guard no invariant of the ledger: while a vote's badges are checked, its
    points are committed and another act can lock the post and the author's row at once
    (NOWAIT), so a badge check never holds the rows every other vote on them waits for."""
    from django.db import transaction

    from forum.models import User
    from gamification import badge_awards

    author = member(1, username="author")
    answer = AnswerFactory(author=author)
    (voter,) = voters(1)

    def other_act() -> tuple[bool, bool]:
        with transaction.atomic():
            Answer.objects.select_for_update(no_key=True, nowait=True).get(pk=answer.pk)
            User.objects.select_for_update(no_key=True, nowait=True).get(pk=author.pk)
            paid = PointEvent.objects.filter(recipient=author, rule="answer_upvoted").exists()
            return True, paid

    seen: list[object] = []
    original = badge_awards.evaluate

    def evaluate(event):  # noqa: ANN001, ANN202
        seen.extend(race(other_act))  # another thread, another connection
        return original(event)

    monkeypatch.setattr(badge_awards, "evaluate", evaluate)
    services.cast_vote(actor=voter, post=answer, value=1)

    assert seen == [(True, True), (True, True)]  # the voter's badges, then the author's
    assert set(BadgeAward.objects.filter(member=voter).values_list("badge", flat=True)) == {
        "supporter"
    }
    assert_invariants()
