"""LOCK ORDER (gamification.services): question, then answer, then members.

Commenting on (or editing) an answer touches its question (`last_activity_at`), and
accepting an answer locks the question and then the answer. If the comment locked the
answer first, each transaction would hold the row the other one waits for and
PostgreSQL would abort one of them with "deadlock detected". These tests stop each
service right after its first lock (inside its transaction) and let the other one run, so
the interleaving that deadlocks is forced rather than hoped for.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest
from django.db import connection

from forum import permissions, services
from forum.models import Comment, Question
from tests.factories import AnswerFactory, QuestionFactory
from tests.gamification.support import assert_invariants, member, rep
from tests.pg import POSTGRES_MARKS

pytestmark = [*POSTGRES_MARKS, pytest.mark.django_db(transaction=True)]

WAIT = 1.5  # seconds a paused service waits for the other one to take its first lock


def _pause_inside_transaction(
    monkeypatch: pytest.MonkeyPatch, name: str, arrived: threading.Event, go: threading.Event
) -> None:
    """Wrap forum.permissions.<name>: its call inside the service's transaction (after the
    service's first row lock) signals `arrived` and waits for `go` (or WAIT seconds)."""
    original = getattr(permissions, name)

    def paused(*args: object, **kwargs: object) -> None:
        if connection.in_atomic_block:
            arrived.set()
            go.wait(WAIT)
        return original(*args, **kwargs)

    monkeypatch.setattr(permissions, name, paused)


def _run(calls: list[Callable[[], object]]) -> list[BaseException | None]:
    errors: list[BaseException | None] = [None] * len(calls)

    def worker(i: int, call: Callable[[], object]) -> None:
        try:
            call()
        except BaseException as exc:  # noqa: BLE001 - reported to the test
            errors[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i, c)) for i, c in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert not any(t.is_alive() for t in threads), "a thread hung"
    return errors


@pytest.mark.parametrize("first", ["comment", "accept"])
def test_commenting_on_an_answer_while_it_is_accepted_does_not_deadlock(monkeypatch, first):
    asker = member(60, username="asker")
    answerer = member(60, username="answerer")
    question = QuestionFactory(author=asker)
    answer = AnswerFactory(question=question, author=answerer)
    comment_in, accept_in = threading.Event(), threading.Event()
    _pause_inside_transaction(monkeypatch, "check_comment_post", comment_in, accept_in)
    _pause_inside_transaction(monkeypatch, "check_accept_answer", accept_in, comment_in)

    def comment() -> None:
        services.post_comment(actor=answerer, post=answer, body="Thanks, that is what I meant.")

    def accept() -> None:
        services.accept_answer(actor=asker, answer=answer)

    errors = _run([comment, accept] if first == "comment" else [accept, comment])

    assert errors == [None, None]
    assert Comment.objects.filter(answer=answer).count() == 1
    assert Question.objects.get(pk=question.pk).accepted_answer_id == answer.pk
    assert (rep(answerer), rep(asker)) == (75, 62)
    assert_invariants()


def test_editing_an_answer_while_it_is_accepted_does_not_deadlock(monkeypatch):
    asker = member(60, username="asker")
    answerer = member(60, username="answerer")
    question = QuestionFactory(author=asker)
    answer = AnswerFactory(question=question, author=answerer)
    edit_in, accept_in = threading.Event(), threading.Event()
    _pause_inside_transaction(monkeypatch, "check_edit_post", edit_in, accept_in)
    _pause_inside_transaction(monkeypatch, "check_accept_answer", accept_in, edit_in)

    errors = _run(
        [
            lambda: services.edit_answer(
                actor=answerer, answer=answer, body="Restart the phone, then top up again."
            ),
            lambda: services.accept_answer(actor=asker, answer=answer),
        ]
    )

    assert errors == [None, None]
    answer.refresh_from_db()
    assert answer.body == "Restart the phone, then top up again."
    assert Question.objects.get(pk=question.pk).accepted_answer_id == answer.pk
    assert_invariants()
