"""Where the points and badges of a vote or an acceptance are settled
(settings.SETTLE_VOTES_IN_WORKER).

With Redis, the member's request ends with the vote or the acceptance: its points and
badges are a task for the worker (`gamification.tasks.settle_vote`, `settle_acceptance`),
run here through the real django-tasks-db backend. Without Redis the server settles them
itself, right after the write commits.
"""

from __future__ import annotations

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django_tasks_db.models import DBTaskResult

from forum import services
from gamification import tasks
from gamification.models import BadgeAward, PointEvent
from tests.advocacy import tasks_support
from tests.advocacy.tasks_support import run_queued_tasks
from tests.gamification.support import assert_invariants, rep, voters

database_tasks = tasks_support.database_tasks


@pytest.fixture
def in_worker(settings, database_tasks):
    settings.SETTLE_VOTES_IN_WORKER = True


@pytest.fixture(autouse=True)
def _invariants_hold(db):
    yield
    assert_invariants()


def _settle_task_args(task: str = "settle_vote") -> list[list]:
    results = DBTaskResult.objects.filter(task_path=f"gamification.tasks.{task}")
    return [r.args_kwargs["args"] for r in results.order_by("enqueued_at")]


def test_the_vote_is_saved_at_once_and_the_worker_pays_for_it(thread, in_worker):
    (voter,) = voters(1)

    score, mine = services.cast_vote(actor=voter, post=thread.answer, value=1)

    assert (score, mine) == (1, 1)
    assert rep(thread.answerer) == 1  # not yet: the worker has not run
    assert not PointEvent.objects.filter(rule="answer_upvoted").exists()
    assert _settle_task_args() == [[voter.pk, thread.question.pk, thread.answer.pk, 0, 1]]

    assert run_queued_tasks() == 1

    assert rep(thread.answerer) == 11
    assert BadgeAward.objects.filter(member=voter, badge="supporter").exists()


def test_a_retried_settlement_pays_nothing_twice(thread, in_worker):
    (voter,) = voters(1)
    services.cast_vote(actor=voter, post=thread.answer, value=1)
    run_queued_tasks()

    tasks.settle_vote.call(voter.pk, thread.question.pk, thread.answer.pk, 0, 1)

    assert rep(thread.answerer) == 11
    assert PointEvent.objects.filter(rule="answer_upvoted").count() == 1
    assert BadgeAward.objects.filter(member=voter, badge="supporter").count() == 1


def test_a_settlement_overtaken_by_a_later_vote_leaves_it_to_that_vote(thread, in_worker):
    (voter,) = voters(1)
    services.cast_vote(actor=voter, post=thread.answer, value=1)
    services.cast_vote(actor=voter, post=thread.answer, value=-1)

    assert run_queued_tasks() == 2

    # The upvote's task ran when the vote already stood at -1: it paid nothing; the
    # downvote's cost the answerer 2 and the voter 1.
    assert rep(thread.answerer) == 1  # the floor
    assert list(
        PointEvent.objects.filter(answer=thread.answer).order_by("pk").values_list("rule", "points")
    ) == [("answer_downvoted", -2), ("downvote_cast", -1)]
    assert rep(voter) == 199


def test_a_settlement_for_a_member_or_post_gone_meanwhile_does_nothing(thread, in_worker):
    (voter,) = voters(1)
    missing = thread.answer.pk + 1000

    tasks.settle_vote.call(voter.pk + 1000, thread.question.pk, thread.answer.pk, 0, 1)
    tasks.settle_vote.call(voter.pk, thread.question.pk, missing, 0, 1)

    assert rep(thread.answerer) == 1
    assert not PointEvent.objects.filter(rule="answer_upvoted").exists()


def test_the_vote_request_writes_no_ledger_row(thread, in_worker):
    (voter,) = voters(1)

    with CaptureQueriesContext(connection) as ctx:
        services.cast_vote(actor=voter, post=thread.answer, value=1)

    sql = [q["sql"] for q in ctx.captured_queries]
    assert not [q for q in sql if "gamification_pointevent" in q]
    assert not [q for q in sql if q.startswith('UPDATE "forum_user"')]  # no reputation moved
    assert [q for q in sql if q.startswith('INSERT INTO "django_tasks_database_dbtaskresult"')]


def test_the_settlement_task_commits_or_rolls_back_with_the_vote(thread, in_worker):
    """The task's row is written in the vote's transaction: a vote undone by a failure
    later in the same transaction leaves no task behind for the worker to pay."""
    (voter,) = voters(1)

    def request_failing_after_the_vote() -> None:
        with transaction.atomic():
            services.cast_vote(actor=voter, post=thread.answer, value=1)
            assert _settle_task_args() == [[voter.pk, thread.question.pk, thread.answer.pk, 0, 1]]
            raise RuntimeError("the request fails after the vote")

    with pytest.raises(RuntimeError):
        request_failing_after_the_vote()

    assert not DBTaskResult.objects.exists()
    assert not thread.answer.votes.exists()


def test_without_redis_the_server_settles_the_vote_right_after_it_commits(
    thread, settings, database_tasks
):
    settings.SETTLE_VOTES_IN_WORKER = False
    (voter,) = voters(1)

    services.cast_vote(actor=voter, post=thread.answer, value=1)

    assert rep(thread.answerer) == 11
    assert not DBTaskResult.objects.exists()


def test_the_acceptance_is_saved_at_once_and_the_worker_pays_for_it(thread, in_worker):
    services.accept_answer(actor=thread.asker, answer=thread.answer)

    thread.question.refresh_from_db()
    assert thread.question.accepted_answer_id == thread.answer.pk
    assert (rep(thread.answerer), rep(thread.asker)) == (1, 20)  # not yet
    assert _settle_task_args("settle_acceptance") == [
        [thread.asker.pk, thread.question.pk, thread.answer.pk]
    ]

    assert run_queued_tasks() == 1

    assert (rep(thread.answerer), rep(thread.asker)) == (16, 22)  # +15, the asker's +2


def test_acceptances_switched_and_settled_in_reverse_order_pay_the_last_one_once(thread, in_worker):
    """Two workers may settle an acceptance and the switch that followed it in either
    order: what stands at the end pays the answer accepted now, once."""
    services.accept_answer(actor=thread.asker, answer=thread.answer)
    services.accept_answer(actor=thread.asker, answer=thread.rival_answer)
    services.unaccept_answer(actor=thread.asker, answer=thread.rival_answer)
    services.accept_answer(actor=thread.asker, answer=thread.rival_answer)
    queued = _settle_task_args("settle_acceptance")
    assert len(queued) == 4
    DBTaskResult.objects.all().delete()

    for args in reversed(queued):
        tasks.settle_acceptance.call(*args)
    for args in queued:  # and again, as a retry would
        tasks.settle_acceptance.call(*args)

    assert (rep(thread.answerer), rep(thread.rival), rep(thread.asker)) == (1, 16, 22)


def test_the_acceptance_task_commits_or_rolls_back_with_the_acceptance(thread, in_worker):
    def request_failing_after_the_acceptance() -> None:
        with transaction.atomic():
            services.accept_answer(actor=thread.asker, answer=thread.answer)
            assert len(_settle_task_args("settle_acceptance")) == 1
            raise RuntimeError("the request fails after the acceptance")

    with pytest.raises(RuntimeError):
        request_failing_after_the_acceptance()

    assert not DBTaskResult.objects.exists()
    thread.question.refresh_from_db()
    assert thread.question.accepted_answer_id is None


def test_without_redis_the_server_settles_the_acceptance_right_after_it_commits(
    thread, settings, database_tasks
):
    settings.SETTLE_VOTES_IN_WORKER = False

    services.accept_answer(actor=thread.asker, answer=thread.answer)

    assert (rep(thread.answerer), rep(thread.asker)) == (16, 22)
    assert not DBTaskResult.objects.exists()
