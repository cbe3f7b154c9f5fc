"""Staff find a fair-play case legitimate: the points the sweep took are paid back as new
ledger rows, once, for the votes that still stand; the sweep never takes them again and
withdrawing a vote still takes its points back."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from forum import services
from forum.models import Answer
from gamification.fairplay.legitimate import FAIR_PLAY_REAWARD, find_case_legitimate
from gamification.fairplay.models import FairPlayCase
from gamification.fairplay.sweep import sweep_fair_play
from gamification.models import PointEvent
from gamification.rewards.models import RewardAccount
from tests.api.conftest import token_client
from tests.factories import AnswerFactory
from tests.gamification.support import assert_invariants, member, rep, voters

pytestmark = pytest.mark.django_db


def _serial_case(tune, n: int = 7):  # noqa: ANN001, ANN202
    """A fan upvotes n answers of one author under serial=10; the limit drops to 5 and
    the sweep takes back the 2 excess awards (20 points)."""
    tune(serial=10)
    author = member(1, username="author")
    (fan,) = voters(1, prefix="fan")
    answers = AnswerFactory.create_batch(n, author=author)
    for answer in answers:
        services.cast_vote(actor=fan, post=answer, value=1)
    tune(serial=5)
    sweep_fair_play()
    return author, fan, answers, FairPlayCase.objects.get()


def _balance(user) -> int:  # noqa: ANN001
    return RewardAccount.objects.filter(member=user).values_list("balance", flat=True).first() or 0


def test_a_legitimate_case_pays_back_what_the_sweep_took_once(tune, staff):
    author, fan, _answers, case = _serial_case(tune)
    assert (rep(author), _balance(author)) == (51, 50)

    case, events = find_case_legitimate(actor=staff, case=case, note="Same team, real help")

    assert [(e.points, e.note, e.actor_id) for e in events] == [(10, FAIR_PLAY_REAWARD, None)] * 2
    assert (rep(author), _balance(author)) == (71, 70)
    assert (case.status, case.reviewed_by, case.review_note) == (
        "reviewed",
        staff,
        "Same team, real help",
    )
    assert_invariants()

    with pytest.raises(ValidationError, match="already been reviewed"):
        find_case_legitimate(actor=staff, case=case)
    assert rep(author) == 71
    assert PointEvent.objects.filter(note=FAIR_PLAY_REAWARD).count() == 2

    sweep_fair_play()  # the pattern is still there: the re-awards are not taken again
    assert rep(author) == 71
    assert FairPlayCase.objects.filter(status="open").count() == 0
    assert_invariants()


def test_a_withdrawn_vote_is_not_paid_back_and_a_later_withdrawal_reverses_the_re_award(
    tune, staff
):
    author, fan, answers, case = _serial_case(tune)
    reversed_answers = list(
        PointEvent.objects.filter(reversal_of__isnull=False).values_list("answer_id", flat=True)
    )
    withdrawn, kept = sorted(reversed_answers)
    services.cast_vote(actor=fan, post=Answer.objects.get(pk=withdrawn), value=0)
    assert rep(author) == 51  # its award was already reversed: nothing more to take

    _case, events = find_case_legitimate(actor=staff, case=case)

    assert [e.answer_id for e in events] == [kept]
    assert rep(author) == 61
    services.cast_vote(actor=fan, post=Answer.objects.get(pk=kept), value=0)
    assert rep(author) == 51
    assert_invariants()


def test_members_cannot_find_a_case_legitimate(tune, customer):
    author, _fan, _answers, case = _serial_case(tune)
    with pytest.raises(PermissionDenied):
        find_case_legitimate(actor=customer, case=case)
    assert FairPlayCase.objects.get(pk=case.pk).status == "open"
    assert rep(author) == 51


def test_through_the_api(tune, staff, customer):
    author, _fan, _answers, case = _serial_case(tune)
    path = f"/api/v1/fair-play/cases/{case.pk}/review/"
    refused = token_client(customer).post(path, {"legitimate": True}, format="json")
    assert refused.status_code == 403
    bad = token_client(staff).post(path, {"legitimate": "yes"}, format="json")
    assert bad.status_code == 400
    assert rep(author) == 51
    response = token_client(staff).post(path, {"legitimate": True, "note": "ok"}, format="json")
    assert response.status_code == 200
    assert (response.json()["status"], response.json()["reawarded_points"]) == ("reviewed", 20)
    assert rep(author) == 71
    again = token_client(staff).post(path, {"legitimate": True}, format="json")
    assert again.status_code == 409
    assert rep(author) == 71
    assert_invariants()
