"""In-app notifications: who is notified of what, the bell's live count, marking read, API."""

from __future__ import annotations

import pytest
from django.db import transaction

from forum import services
from forum.models import Notification
from live import events
from notifications.bell import mark_notifications_read, unread_count
from tests.factories import AnswerFactory, QuestionFactory, UserFactory

ANSWER = "Dial *123# and follow the menu to top up."


@pytest.fixture
def published(monkeypatch, django_capture_on_commit_callbacks):
    """Events published by committed transactions, as (stream, type, data)."""
    sent: list[tuple[str, str, dict]] = []
    monkeypatch.setattr(
        events, "_deliver", lambda stream, type, data: sent.append((stream, type, data))
    )

    class Capture:
        def __enter__(self):
            self.capture = django_capture_on_commit_callbacks(execute=True)
            self.capture.__enter__()
            return sent

        def __exit__(self, *exc):
            return self.capture.__exit__(*exc)

    return Capture()


def notified(**filters) -> list[tuple[str, str, str]]:
    """The forum's notifications (badges a first answer earns are gamification's)."""
    return [
        (n.recipient.username, n.kind, n.actor.username if n.actor else "")
        for n in Notification.objects.filter(**filters)
        .exclude(kind="badge")
        .select_related("recipient", "actor")
        .order_by("pk")
    ]


# Who is notified --------------------------------------------------------------------------


@pytest.mark.django_db
def test_an_answer_notifies_the_asker(question, other_customer, published):
    with published as sent:
        answer = services.post_answer(actor=other_customer, question=question, body=ANSWER)
    assert notified() == [("anna", "answer", "bruno")]
    notification = Notification.objects.exclude(kind="badge").get()
    assert (notification.question_id, notification.answer_id, notification.comment_id) == (
        question.pk,
        answer.pk,
        None,
    )
    assert (f"user.{question.author_id}", "notification.created") in [(s, t) for s, t, _d in sent]
    data = next(d for s, t, d in sent if t == "notification.created" and d["kind"] == "answer")
    assert data == {
        "id": notification.pk,
        "kind": "answer",
        "actor": "bruno",
        "actor_name": "Bruno Bianchi",
        "question": question.pk,
        "title": question.title,
        "answer": answer.pk,
        "comment": None,
        "unread": 1,
    }


@pytest.mark.django_db
def test_answering_your_own_question_notifies_nobody(question, customer, published):
    with published as sent:
        services.post_answer(actor=customer, question=question, body=ANSWER)
    assert notified() == []
    assert "answer.created" in [t for _s, t, _d in sent]
    # (a first answer may earn a badge: gamification's notification, not the forum's)
    assert [t for _s, t, d in sent if t.startswith("notification.") and d["kind"] != "badge"] == []


@pytest.mark.django_db
def test_a_comment_notifies_the_posts_author(question, customer, other_customer, helper):
    answer = AnswerFactory(question=question, author=other_customer)
    services.post_comment(actor=helper, post=answer, body="Did it work for you?")
    services.post_comment(actor=helper, post=question, body="Which phone is it?")
    assert notified() == [("bruno", "comment", "carla"), ("anna", "comment", "carla")]
    assert Notification.objects.filter(recipient=other_customer).get().answer_id == answer.pk


@pytest.mark.django_db
def test_commenting_on_your_own_post_notifies_nobody(question, customer):
    services.post_comment(actor=customer, post=question, body="Update: still broken.")
    assert notified() == []


@pytest.mark.django_db
def test_mentions_notify_the_mentioned_members_once(question, other_customer, helper, staff):
    # given an answer that mentions bruno twice, the asker, the author and a stranger
    services.post_answer(
        actor=helper,
        question=question,
        body="@bruno had this too, see @Bruno's post; @anna try it. Thanks @carla, @nobody_here",
    )
    # then bruno is mentioned once, anna gets one "answer" (not also a mention), carla none
    assert notified() == [("anna", "answer", "carla"), ("bruno", "mention", "carla")]


@pytest.mark.django_db
def test_a_mention_in_a_new_question_and_in_a_comment(customer, other_customer, helper):
    question = services.ask_question(
        actor=customer,
        title="Who knows about eSIM activation?",
        body="I think @carla wrote about this before, can anyone help?",
        tags=["esim"],
    )
    services.post_comment(actor=other_customer, post=question, body="Ping @carla too")
    assert notified() == [
        ("carla", "mention", "anna"),
        ("anna", "comment", "bruno"),
        ("carla", "mention", "bruno"),
    ]


@pytest.mark.django_db
def test_inactive_members_are_not_notified_of_mentions(question, helper):
    UserFactory(username="gone", is_active=False)
    services.post_answer(actor=helper, question=question, body="Ask @gone, they knew this one.")
    assert notified() == [("anna", "answer", "carla")]


@pytest.mark.django_db
def test_acceptance_notifies_the_answers_author_once(question, customer, other_customer):
    answer = AnswerFactory(question=question, author=other_customer)
    services.accept_answer(actor=customer, answer=answer)
    services.accept_answer(actor=customer, answer=answer)  # no change
    services.unaccept_answer(actor=customer, answer=answer)
    assert notified() == [("bruno", "accepted", "anna")]


@pytest.mark.django_db
def test_accepting_your_own_answer_notifies_nobody(customer):
    question = QuestionFactory(author=customer)
    answer = AnswerFactory(question=question, author=customer)
    services.accept_answer(actor=customer, answer=answer)
    assert notified() == []


@pytest.mark.django_db
def test_a_rolled_back_answer_leaves_no_notification_and_publishes_nothing(
    question, other_customer, published
):
    def answer_then_fail() -> None:
        with transaction.atomic():
            services.post_answer(actor=other_customer, question=question, body=ANSWER)
            raise RuntimeError

    with published as sent, pytest.raises(RuntimeError):
        answer_then_fail()
    assert notified() == []
    assert sent == []


# Marking read -----------------------------------------------------------------------------


@pytest.fixture
def three_for_anna(question, helper):
    for _ in range(3):
        services.post_answer(actor=helper, question=question, body=ANSWER)
    return list(Notification.objects.filter(recipient=question.author).order_by("pk"))


@pytest.mark.django_db
def test_marking_all_read(customer, three_for_anna, published):
    with published as sent:
        assert mark_notifications_read(actor=customer) == 3
    assert unread_count(customer) == 0
    assert sent == [(f"user.{customer.pk}", "notification.read", {"ids": None, "unread": 0})]


@pytest.mark.django_db
def test_marking_some_read(customer, three_for_anna, published):
    first, second, _third = three_for_anna
    with published as sent:
        assert mark_notifications_read(actor=customer, ids=[second.pk, first.pk, first.pk]) == 2
    assert unread_count(customer) == 1
    assert sent == [
        (f"user.{customer.pk}", "notification.read", {"ids": [first.pk, second.pk], "unread": 1})
    ]


@pytest.mark.django_db
def test_another_members_notifications_cannot_be_marked(
    customer, other_customer, three_for_anna, published
):
    with published as sent:
        assert mark_notifications_read(actor=other_customer, ids=[three_for_anna[0].pk]) == 0
        assert mark_notifications_read(actor=other_customer) == 0
    assert unread_count(customer) == 3
    assert sent == []


@pytest.mark.django_db
def test_the_unread_count_in_the_event_counts_earlier_ones(question, helper, published):
    with published as sent:
        services.post_answer(actor=helper, question=question, body=ANSWER)
        services.post_answer(actor=helper, question=question, body=ANSWER + " Again.")
    assert [
        d["unread"] for _s, t, d in sent if t == "notification.created" and d["kind"] == "answer"
    ] == [1, 2]


# API --------------------------------------------------------------------------------------

LIST = "/api/v1/notifications/"
READ = "/api/v1/notifications/read/"


@pytest.mark.django_db
def test_the_api_needs_a_member(client):
    assert client.get(LIST).status_code == 401
    assert client.post(READ, {}, content_type="application/json").status_code == 401


@pytest.mark.django_db
def test_the_api_lists_the_members_notifications_newest_first(
    customer_client, other_client, three_for_anna, question
):
    response = customer_client.get(LIST)
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 3
    assert body["unread"] == 3
    assert [n["id"] for n in body["results"]] == [n.pk for n in reversed(three_for_anna)]
    first = body["results"][0]
    assert first["kind"] == "answer"
    assert first["actor"]["username"] == "carla"
    assert first["question"] == {"id": question.pk, "title": question.title}
    assert first["answer_id"] == three_for_anna[-1].answer_id
    assert first["comment_id"] is None
    assert first["read_at"] is None
    assert first["url"] == (
        f"http://testserver{question.get_absolute_url()}#answer-{three_for_anna[-1].answer_id}"
    )
    # bruno sees none of anna's
    assert other_client.get(LIST).json()["count"] == 0


@pytest.mark.django_db
def test_the_api_filters_unread(customer, customer_client, three_for_anna):
    mark_notifications_read(actor=customer, ids=[three_for_anna[0].pk])
    assert customer_client.get(LIST, {"unread": "true"}).json()["count"] == 2
    assert customer_client.get(LIST, {"unread": "false"}).json()["count"] == 3
    response = customer_client.get(LIST, {"unread": "maybe"})
    assert response.status_code == 400
    assert list(response.json()) == ["unread"]


@pytest.mark.django_db
def test_the_api_marks_read(customer_client, three_for_anna):
    response = customer_client.post(
        READ, {"ids": [three_for_anna[0].pk]}, content_type="application/json"
    )
    assert response.status_code == 200
    assert response.json() == {"marked": 1, "unread": 2}
    response = customer_client.post(READ, {}, content_type="application/json")
    assert response.json() == {"marked": 2, "unread": 0}


@pytest.mark.django_db
@pytest.mark.parametrize(
    "body",
    [
        {"ids": "1"},
        {"ids": [True]},
        {"ids": ["1"]},
        {"ids": [0]},
        {"ids": [2**63]},
        {"ids": list(range(1, 202))},
        [1, 2],
    ],
)
def test_the_api_refuses_bad_ids(customer, customer_client, three_for_anna, body):
    response = customer_client.post(READ, body, content_type="application/json")
    assert response.status_code == 400
    assert unread_count(customer) == 3


@pytest.mark.django_db
def test_the_api_ignores_other_members_ids(other_client, customer, three_for_anna):
    response = other_client.post(
        READ, {"ids": [n.pk for n in three_for_anna]}, content_type="application/json"
    )
    assert response.json() == {"marked": 0, "unread": 0}
    assert unread_count(customer) == 3
