"""Where a vote's points and badges are settled (settings.SETTLE_VOTES_IN_WORKER).

With Redis, the vote's request ends with the vote: its points and badges are a task for
the worker (`gamification.tasks.settle_vote`), run here through the real django-tasks-db
backend. Without Redis the server settles the vote itself, right after it commits.
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


def _settle_task_args() -> list[list]:
    results = DBTaskResult.objects.filter(task_path="gamification.tasks.settle_vote")
    return [r.args_kwargs["args"] for r in results]


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
