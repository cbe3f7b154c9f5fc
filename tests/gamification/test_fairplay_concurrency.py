"""Fair play under concurrency, on PostgreSQL with real threads (each on its own
connection): a ring formed by votes arriving at once is settled by the sweep; two sweeps
at once reverse once; a sweep racing with withdrawn votes takes nothing twice. After
each, the invariants of QUALITY.md hold and `recompute_reputation --check` exits 0."""

from __future__ import annotations

import pytest

from forum import services
from gamification.fairplay import detection
from gamification.fairplay.models import FairPlayCase, FairPlayEvidence, FairPlaySettings
from gamification.fairplay.sweep import sweep_fair_play
from gamification.models import PointEvent
from tests.factories import AnswerFactory
from tests.gamification.support import assert_invariants, rep, voters
from tests.gamification.test_concurrency import run_together
from tests.pg import POSTGRES_MARKS

pytestmark = [*POSTGRES_MARKS, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def ring_limit_2(db):
    FairPlaySettings.objects.update_or_create(pk=1, defaults={"ring_vote_limit": 2})
    detection.clear_cache()
    yield
    detection.clear_cache()


def paid(voter, author) -> int:  # noqa: ANN001
    return sum(
        PointEvent.objects.filter(actor=voter, recipient=author, rule="answer_upvoted")
        .exclude(note="fair play")
        .values_list("points", flat=True)
    ) + sum(
        PointEvent.objects.filter(
            recipient=author, reversal_of__actor=voter, rule="answer_upvoted", note="fair play"
        ).values_list("points", flat=True)
    )


def test_a_ring_voted_all_at_once_is_settled_by_the_sweep(ring_limit_2):
    a, b = voters(2, prefix="pal")
    a_posts = AnswerFactory.create_batch(5, author=a)
    b_posts = AnswerFactory.create_batch(5, author=b)

    errors = run_together(
        [lambda p=p: services.cast_vote(actor=b, post=p, value=1) for p in a_posts]
        + [lambda p=p: services.cast_vote(actor=a, post=p, value=1) for p in b_posts]
    )
    assert errors == [None] * 10
    assert_invariants()

    sweep_fair_play()

    assert (paid(a, b), paid(b, a)) == (20, 20)
    assert (rep(a), rep(b)) == (220, 220)
    assert FairPlayCase.objects.get().vote_count == 10
    assert_invariants()


def test_two_sweeps_at_once_reverse_once(ring_limit_2):
    a, b = voters(2, prefix="pal")
    for post in AnswerFactory.create_batch(5, author=a):
        services.cast_vote(actor=b, post=post, value=1)  # paid: no ring yet
    for post in AnswerFactory.create_batch(2, author=b):
        services.cast_vote(actor=a, post=post, value=1)

    errors = run_together([sweep_fair_play] * 4)

    assert errors == [None] * 4
    assert PointEvent.objects.filter(note="fair play").count() == 3
    assert FairPlayCase.objects.count() == 1
    assert FairPlayEvidence.objects.filter(reversal__isnull=False).count() == 3
    assert rep(a) == 220
    assert_invariants()


def test_a_sweep_racing_with_withdrawn_votes_takes_nothing_twice(tune):
    tune(serial=10)
    author, fan = voters(2, prefix="pair")
    answers = AnswerFactory.create_batch(9, author=author)
    for answer in answers:
        services.cast_vote(actor=fan, post=answer, value=1)
    tune(serial=5)

    errors = run_together(
        [sweep_fair_play, sweep_fair_play]
        + [lambda a=a: services.cast_vote(actor=fan, post=a, value=0) for a in answers[4:]]
    )

    assert errors == [None] * 7
    # Whatever the order: five votes withdrawn, each award reversed once (by the sweep or
    # by the withdrawal); the four that remain are within the limit and keep their points.
    assert rep(author) == 200 + 40
    assert PointEvent.objects.filter(reversal_of__isnull=False).count() == 5
    assert_invariants()


def test_finding_a_case_legitimate_twice_at_once_and_withdrawals_racing_pay_back_once(tune, staff):
    """Two staff members find the same case legitimate at the same moment while the fan
    withdraws one of the reversed votes: one review wins, and nothing is paid for the
    withdrawn vote (or paid and then reversed), never twice."""
    from django.core.exceptions import ValidationError

    from gamification.fairplay.legitimate import FAIR_PLAY_REAWARD, find_case_legitimate
    from tests.factories import UserFactory

    tune(serial=10)
    (fan,) = voters(1, prefix="fan")
    author = voters(1, reputation=1, prefix="author")[0]
    answers = AnswerFactory.create_batch(7, author=author)
    for answer in answers:
        services.cast_vote(actor=fan, post=answer, value=1)
    tune(serial=5)
    sweep_fair_play()
    case = FairPlayCase.objects.get()
    other_staff = UserFactory(username="second-staff", is_staff=True)
    reversed_answer = PointEvent.objects.filter(note="fair play").first().answer

    results = run_together(
        [
            lambda: find_case_legitimate(actor=staff, case=case),
            lambda: find_case_legitimate(actor=other_staff, case=case),
            lambda: services.cast_vote(actor=fan, post=reversed_answer, value=0),
        ]
    )

    reviews = results[:2]
    assert sum(r is None for r in reviews) == 1
    assert sum(isinstance(r, ValidationError) for r in reviews) == 1
    assert results[2] is None
    standing = PointEvent.objects.active().filter(note=FAIR_PLAY_REAWARD)
    assert list(standing.values_list("points", flat=True)) == [10]
    assert rep(author) == 1 + 5 * 10 + 10
    assert_invariants()
