"""The follow code answers the forum's domain events: the asker's and answerer's follow
commits or rolls back with the post (in the transaction); the followers' fan-out is
enqueued only after commit, and a failure to enqueue never undoes or breaks the post."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from django.db import transaction

from forum import services
from forum.follows.models import Follow
from forum.models import Answer, Notification
from notifications import follows as fanout
from tests.factories import QuestionFactory, UserFactory

pytestmark = pytest.mark.django_db


class Boom(Exception):
    pass


def test_a_rolled_back_answer_leaves_no_follow_and_enqueues_nothing(
    customer, helper, django_capture_on_commit_callbacks, monkeypatch
):
    q = QuestionFactory(author=customer)
    Follow.objects.create(user=UserFactory(), question=q)
    enqueued = []
    monkeypatch.setattr(
        fanout, "notify_followers", SimpleNamespace(enqueue=lambda *a: enqueued.append(a))
    )
    seen_inside = []

    def answer_then_fail() -> None:
        with transaction.atomic():
            services.post_answer(actor=helper, question=q, body="Restart the phone " * 3)
            seen_inside.append(Follow.objects.filter(user=helper, question=q).exists())
            raise Boom

    with django_capture_on_commit_callbacks(execute=True), pytest.raises(Boom):
        answer_then_fail()
    assert seen_inside == [True]  # the follow was written in the post's transaction
    assert not Answer.objects.filter(question=q).exists()
    assert not Follow.objects.filter(user=helper).exists()
    assert enqueued == []
    assert not Notification.objects.filter(kind="follow").exists()


def test_the_fan_out_is_enqueued_once_after_commit_with_the_events_ids(
    customer, helper, django_capture_on_commit_callbacks, monkeypatch
):
    q = QuestionFactory(author=customer)
    enqueued = []
    monkeypatch.setattr(
        fanout, "notify_followers", SimpleNamespace(enqueue=lambda *a: enqueued.append(a))
    )
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        answer = services.post_answer(actor=helper, question=q, body="Restart the phone " * 3)
    assert enqueued == []  # not before commit
    for callback in callbacks:
        callback()
    assert enqueued == [("answer", answer.pk, helper.pk)]


def test_a_failed_enqueue_keeps_the_post_and_the_follow(
    customer, helper, django_capture_on_commit_callbacks, monkeypatch
):
    q = QuestionFactory(author=customer)

    def refuse(*args: object) -> None:
        raise ConnectionError("queue down")

    monkeypatch.setattr(fanout, "notify_followers", SimpleNamespace(enqueue=refuse))
    with django_capture_on_commit_callbacks(execute=True):
        answer = services.post_answer(actor=helper, question=q, body="Restart the phone " * 3)
    assert Answer.objects.filter(pk=answer.pk).exists()
    assert Follow.objects.filter(user=helper, question=q).count() == 1
    assert not Notification.objects.filter(kind="follow").exists()
