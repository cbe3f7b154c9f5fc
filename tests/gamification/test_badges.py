"""Badges: each one at its threshold (n - 1: not yet, n: awarded), once unless repeatable,
in the transaction of the event that earns it, announced on the member's stream."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.db import IntegrityError, transaction
from taggit.models import Tag

from forum import services
from forum.models import User
from gamification import badge_awards, badges
from gamification.models import BadgeAward
from tests.factories import AnswerFactory, QuestionFactory
from tests.gamification.support import assert_invariants, member, published, voters

BODY = "My SIM stopped working after the top-up, the phone says no service."
ANSWER = "Restart the phone and re-insert the SIM card, then wait."


@pytest.fixture(autouse=True)
def _invariants_hold(db):
    yield
    assert_invariants()


def held(user: User) -> list[tuple[str, str]]:
    return sorted(BadgeAward.objects.filter(member=user).values_list("badge", "scope"))


def ask(actor: User, title: str = "Why does my SIM say no service?"):  # noqa: ANN201
    return services.ask_question(actor=actor, title=title, body=BODY, tags=["sim"])


def upvote_by(n: int, post, prefix: str = "v") -> None:  # noqa: ANN001
    for voter in voters(n, prefix=prefix):
        services.cast_vote(actor=voter, post=post, value=1)


def test_registry_has_at_least_15_badges_in_three_tiers():
    assert len(badges.BADGES) >= 15
    assert {spec.tier for spec in badges.BADGES.values()} == {"bronze", "silver", "gold"}
    for spec in badges.BADGES.values():
        assert spec.how_to_earn(spec.threshold)  # every badge says how to earn it


def test_first_question_is_awarded_once_and_announced(django_capture_on_commit_callbacks):
    asker = member(1, username="asker")

    with django_capture_on_commit_callbacks() as callbacks:
        question = ask(asker)
    ask(asker, title="And why does roaming not work either?")

    award = BadgeAward.objects.get(member=asker)
    assert (award.badge, award.tier, award.question) == ("curious", "bronze", question)
    assert held(asker) == [("curious", "")]
    assert (f"user.{asker.pk}", "badge.awarded") in [(s, t) for s, t, _d in published(callbacks)]
    data = next(d for _s, t, d in published(callbacks) if t == "badge.awarded")
    assert data == {"id": award.pk, "badge": "curious", "tier": "bronze", "scope": ""}


def test_a_rolled_back_question_awards_and_announces_nothing(django_capture_on_commit_callbacks):
    asker = member(1, username="asker")

    def failing_request() -> None:
        with transaction.atomic():
            ask(asker)
            raise RuntimeError("the request failed after the service")

    with django_capture_on_commit_callbacks() as callbacks, pytest.raises(RuntimeError):
        failing_request()

    assert held(asker) == []
    assert published(callbacks) == []


def test_first_answer():
    question = QuestionFactory()
    helper = member(1, username="helper1")

    answer = services.post_answer(actor=helper, question=question, body=ANSWER)
    services.post_answer(actor=helper, question=QuestionFactory(), body=ANSWER)

    assert held(helper) == [("first-answer", "")]
    assert BadgeAward.objects.get(member=helper).answer == answer


def test_supporter_needs_an_upvote_not_a_downvote():
    post = AnswerFactory()
    critic, fan = voters(2)

    services.cast_vote(actor=critic, post=post, value=-1)
    services.cast_vote(actor=fan, post=post, value=1)

    assert held(critic) == []
    assert held(fan) == [("supporter", "")]


@pytest.mark.parametrize(("comments", "expected"), [(2, []), (3, [("commentator", "")])])
def test_commentator_at_its_threshold(tune, comments, expected):
    tune(badge="commentator", threshold=3)
    talker = member(100, username="talker")
    question = QuestionFactory()

    for i in range(comments):
        services.post_comment(actor=talker, post=question, body=f"Remark number {i} here")

    assert held(talker) == expected


@pytest.mark.parametrize(("votes", "expected"), [(2, []), (3, [("civic-duty", "")])])
def test_civic_duty_at_its_threshold(tune, votes, expected):
    tune(badge="civic-duty", threshold=3)
    (voter,) = voters(1)

    for post in AnswerFactory.create_batch(votes):
        services.cast_vote(actor=voter, post=post, value=-1)  # downvotes count as votes

    assert held(voter) == expected


@pytest.mark.parametrize(("votes", "expected"), [(4, []), (5, ["well-received"])])
def test_well_received_question_at_the_default_score_of_5(votes, expected):
    asker = member(1, username="asker")
    question = QuestionFactory(author=asker)

    upvote_by(votes, question)

    assert [b for b, _s in held(asker)] == expected
    if expected:
        assert held(asker) == [("well-received", f"question:{question.pk}")]


@pytest.mark.parametrize(
    ("votes", "expected"),
    [(1, []), (2, ["good-answer"]), (3, ["good-answer", "great-answer"])],
)
def test_answer_score_badges_at_their_thresholds(tune, votes, expected):
    tune(badge="good-answer", threshold=2)
    tune(badge="great-answer", threshold=3)
    author = member(1, username="author")
    answer = AnswerFactory(author=author)

    upvote_by(votes, answer)

    assert [b for b, _s in held(author) if not b.startswith("tag-")] == expected


def test_answer_score_badges_are_earned_once_per_answer(tune):
    tune(badge="good-answer", threshold=2)
    author = member(1, username="author")
    first, second = AnswerFactory(author=author), AnswerFactory(author=author)
    crowd = voters(3)

    for post in (first, second):
        for voter in crowd:
            services.cast_vote(actor=voter, post=post, value=1)
    # Down and up again across the mark: still one award per answer.
    services.cast_vote(actor=crowd[0], post=first, value=0)
    services.cast_vote(actor=crowd[1], post=first, value=0)
    services.cast_vote(actor=crowd[0], post=first, value=1)
    services.cast_vote(actor=crowd[1], post=first, value=1)

    assert [s for b, s in held(author) if b == "good-answer"] == [
        f"answer:{first.pk}",
        f"answer:{second.pk}",
    ]


def test_badges_are_kept_when_the_score_drops():
    asker = member(1, username="asker")
    question = QuestionFactory(author=asker)
    crowd = voters(5)
    for voter in crowd:
        services.cast_vote(actor=voter, post=question, value=1)

    for voter in crowd:
        services.cast_vote(actor=voter, post=question, value=0)

    assert held(asker) == [("well-received", f"question:{question.pk}")]


def test_problem_solver_on_the_first_accepted_answer_but_not_for_accepting_your_own():
    asker = member(20, username="asker")
    question = QuestionFactory(author=asker)
    own = AnswerFactory(question=question, author=asker)
    helper = member(1, username="helper1")
    answer = AnswerFactory(question=question, author=helper)

    services.accept_answer(actor=asker, answer=own)
    assert held(asker) == []
    services.accept_answer(actor=asker, answer=answer)

    assert [b for b, _s in held(helper)] == ["problem-solver", "quick-fix"]


@pytest.mark.parametrize(("accepted", "expected"), [(1, False), (2, True)])
def test_troubleshooter_counts_accepted_answers(tune, accepted, expected):
    tune(badge="troubleshooter", threshold=2)
    helper = member(1, username="helper1")
    for _ in range(accepted):
        question = QuestionFactory()
        answer = AnswerFactory(question=question, author=helper)
        services.accept_answer(actor=question.author, answer=answer)

    assert (
        ("troubleshooter", "") in held(helper)
        if expected
        else ("troubleshooter", "") not in (held(helper))
    )


@pytest.mark.parametrize(("minutes", "expected"), [(15, True), (16, False)])
def test_quick_fix_within_15_minutes_of_asking(minutes, expected):
    asked = dt.datetime(2025, 3, 3, 10, 0, tzinfo=dt.UTC)
    with time_machine.travel(asked, tick=False):
        question = QuestionFactory()
        answer = AnswerFactory(question=question)
    with time_machine.travel(asked + dt.timedelta(minutes=minutes), tick=False):
        services.accept_answer(actor=question.author, answer=answer)

    assert (("quick-fix", "") in held(answer.author)) is expected


@pytest.mark.parametrize(("days", "gap", "expected"), [(3, False, True), (3, True, False)])
def test_regular_helper_answers_on_consecutive_days(tune, days, gap, expected):
    tune(badge="regular", threshold=3)
    helper = member(1, username="helper1")
    start = dt.datetime(2025, 3, 3, 9, 0, tzinfo=dt.UTC)
    for day in range(days):
        offset = day + (1 if gap and day == days - 1 else 0)
        with time_machine.travel(start + dt.timedelta(days=offset), tick=False):
            services.post_answer(actor=helper, question=QuestionFactory(), body=ANSWER)

    assert (("regular", "") in held(helper)) is expected


def test_tag_badges_per_tag_by_total_answer_score(tune):
    tune(badge="tag-bronze", threshold=3)
    author = member(1, username="author")
    sim_only = AnswerFactory(author=author, question=QuestionFactory(tags=["sim"]))
    both = AnswerFactory(author=author, question=QuestionFactory(tags=["sim", "roaming"]))
    sim, roaming = Tag.objects.get(name="sim"), Tag.objects.get(name="roaming")

    upvote_by(2, sim_only, prefix="a")
    assert [b for b, _s in held(author) if b.startswith("tag-")] == []
    upvote_by(1, both, prefix="b")  # sim: 3, roaming: 1

    assert [(b, s) for b, s in held(author) if b.startswith("tag-")] == [
        ("tag-bronze", f"tag:{sim.pk}")
    ]
    upvote_by(2, both, prefix="c")  # sim: 5, roaming: 3
    assert [(b, s) for b, s in held(author) if b.startswith("tag-")] == sorted(
        [("tag-bronze", f"tag:{sim.pk}"), ("tag-bronze", f"tag:{roaming.pk}")]
    )


def test_a_switched_off_badge_is_not_awarded(tune):
    tune(badge="curious", enabled=False)
    asker = member(1, username="asker")

    ask(asker)

    assert held(asker) == []


def test_suspended_members_earn_no_badges():
    ghost = member(200, username="ghost")
    answer = AnswerFactory()
    services.cast_vote(actor=ghost, post=answer, value=1)
    User.objects.filter(pk=answer.author_id).update(is_active=False)
    upvote_by(5, answer.question)

    assert held(answer.author) == []


def test_the_database_refuses_a_second_award_of_a_single_badge():
    asker = member(1, username="asker")
    ask(asker)

    with pytest.raises(IntegrityError), transaction.atomic():
        BadgeAward.objects.create(member=asker, badge="curious", scope="", tier="bronze")


def test_holders_counts_members_not_awards(tune):
    tune(badge="good-answer", threshold=1)
    author = member(1, username="author")
    for post in AnswerFactory.create_batch(2, author=author):
        upvote_by(1, post, prefix=f"p{post.pk}")

    assert badge_awards.holders()["good-answer"] == 1
    assert badge_awards.holders()["supporter"] == 2


def test_a_vote_on_a_post_deleted_before_its_badges_are_checked_earns_the_author_none():
    """The vote's badges run after its points (their own transaction) and read the post
    as it stands: a post deleted meanwhile earns its author no score badge."""
    from django.utils import timezone

    from gamification.services import vote_badges

    author = member(1, username="author")
    answer = AnswerFactory(author=author)
    (voter,) = voters(1)
    type(answer).objects.filter(pk=answer.pk).update(score=25, deleted_at=timezone.now())

    vote_badges(actor=voter, post=answer, before=0, after=1)

    assert held(author) == []
    assert held(voter) == [("supporter", "")]
    type(answer).objects.filter(pk=answer.pk).update(score=0, deleted_at=None)  # the votes'


def test_a_vote_reaching_a_score_earns_the_author_the_badge_once_on_a_repeat():
    """A duplicate delivery of the vote's event checks again and awards nothing twice."""
    from gamification.services import vote_badges

    author = member(1, username="author")
    answer = AnswerFactory(author=author)
    (voter,) = voters(1)
    type(answer).objects.filter(pk=answer.pk).update(score=10)

    vote_badges(actor=voter, post=answer, before=0, after=1)
    first = held(author)
    vote_badges(actor=voter, post=answer, before=0, after=1)

    assert ("good-answer", f"answer:{answer.pk}") in first
    assert held(author) == first
    type(answer).objects.filter(pk=answer.pk).update(score=0)  # back to the sum of its votes
