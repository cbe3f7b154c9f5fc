"""`manage.py repair_counters [--check]`: report, then fix, cached counters that differ
from the votes, answers and comments they count."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from forum import services
from forum.models import Answer, Question
from forum.selectors import counter_differences, counter_drift
from tests.factories import UserFactory


def _run(*args: str) -> str:
    out = io.StringIO()
    call_command("repair_counters", *args, stdout=out)
    return out.getvalue()


def _counters(question: Question, answer: Answer) -> tuple[tuple[int, ...], tuple[int, ...]]:
    question.refresh_from_db()
    answer.refresh_from_db()
    return (
        (question.score, question.answer_count, question.comment_count),
        (answer.score, answer.comment_count),
    )


@pytest.fixture
def thread(customer, other_customer, helper, question):
    """A question with two votes, two answers (one deleted), two comments (one deleted),
    and an answer with a vote and a comment, all written by the services."""
    voter, critic = (UserFactory(username=name, reputation=500) for name in ("voter", "critic"))
    answer = services.post_answer(actor=other_customer, question=question, body="Reset the APN.")
    gone = services.post_answer(actor=helper, question=question, body="Call the support line.")
    services.delete_answer(actor=helper, answer=gone)
    services.cast_vote(actor=critic, post=question, value=1)
    services.cast_vote(actor=voter, post=question, value=1)
    services.cast_vote(actor=critic, post=answer, value=-1)
    services.post_comment(actor=helper, post=question, body="Which phone is it?")
    stale = services.post_comment(actor=helper, post=question, body="Is roaming on?")
    services.delete_comment(actor=helper, comment=stale)
    services.post_comment(actor=helper, post=answer, body="This worked for me too.")
    question.refresh_from_db()
    return question, answer


def test_check_with_nothing_wrong_says_so(thread):
    assert _run("--check") == "Every counter matches the rows.\n"


def test_check_reports_every_difference_exits_1_and_changes_nothing(thread):
    question, answer = thread
    assert _counters(question, answer) == ((2, 1, 1), (-1, 1))
    Question.objects.filter(pk=question.pk).update(score=7, answer_count=0, comment_count=3)
    Answer.objects.filter(pk=answer.pk).update(score=4, comment_count=0)
    out = io.StringIO()

    with pytest.raises(CommandError) as exc:
        call_command("repair_counters", "--check", stdout=out)

    assert exc.value.returncode == 1
    assert str(exc.value) == "5 counter(s) differ from the rows."
    assert out.getvalue().splitlines() == [
        f"question {question.pk} score: 7, rows say 2",
        f"question {question.pk} comment_count: 3, rows say 1",
        f"question {question.pk} answer_count: 0, rows say 1",
        f"answer {answer.pk} score: 4, rows say -1",
        f"answer {answer.pk} comment_count: 0, rows say 1",
    ]
    assert _counters(question, answer) == ((7, 0, 3), (4, 0))


def test_repair_fixes_and_prints_what_it_fixed(thread):
    question, answer = thread
    Question.objects.filter(pk=question.pk).update(score=-3, answer_count=5)
    Answer.objects.filter(pk=answer.pk).update(comment_count=9)

    out = _run()

    assert out.splitlines() == [
        f"question {question.pk} score: -3 -> 2",
        f"question {question.pk} answer_count: 5 -> 1",
        f"answer {answer.pk} comment_count: 9 -> 1",
        "Fixed 3 counter(s).",
    ]
    assert _counters(question, answer) == ((2, 1, 1), (-1, 1))
    assert counter_differences() == []
    assert {k: v for k, v in counter_drift().items() if v} == {}
    assert _run("--check") == "Every counter matches the rows.\n"


def test_repair_leaves_correct_posts_alone(thread, customer):
    question, answer = thread
    other = services.ask_question(
        actor=customer, title="Another question here", body="With a body long enough.", tags=["sim"]
    )
    Question.objects.filter(pk=other.pk).update(comment_count=2)

    assert _run().splitlines() == [
        f"question {other.pk} comment_count: 2 -> 0",
        "Fixed 1 counter(s).",
    ]
    assert _counters(question, answer) == ((2, 1, 1), (-1, 1))


def test_repair_twice_fixes_nothing_the_second_time(thread):
    question, _answer = thread
    Question.objects.filter(pk=question.pk).update(score=0)

    assert _run().splitlines()[-1] == "Fixed 1 counter(s)."
    assert _run() == "Fixed 0 counter(s).\n"


def test_counts_ignore_deleted_posts_but_votes_on_them_still_count(thread, helper):
    """A deleted answer keeps its votes (its score is still the sum), while it leaves the
    question's answer_count."""
    question, answer = thread
    voter = UserFactory(username="late-voter", reputation=500)
    services.cast_vote(actor=voter, post=answer, value=1)
    services.delete_answer(actor=answer.author, answer=answer)

    assert counter_differences() == []
    assert _counters(question, answer) == ((2, 0, 1), (0, 1))
