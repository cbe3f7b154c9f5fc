"""Following questions, tags and categories: permissions, the API and pages, the
fan-out (who hears of what, once), lounge privacy and query budgets."""

from __future__ import annotations

import pytest
from django.core import mail
from django.urls import reverse
from taggit.models import Tag

from forum import services
from forum.follows.models import Follow
from forum.follows.services import set_following
from forum.models import Notification, Question
from notifications import follows as fanout
from tests.events import published
from tests.factories import AnswerFactory, CategoryFactory, QuestionFactory, UserFactory

pytestmark = pytest.mark.django_db


def _follow_kinds(member) -> list[tuple[str, str]]:
    return list(
        Notification.objects.filter(recipient=member, kind=Notification.Kind.FOLLOW)
        .order_by("pk")
        .values_list("data__event", "question__title")
    )


@pytest.fixture
def lounge(db):
    return CategoryFactory(name="Lounge", slug="lounge", is_private=True)


# API -------------------------------------------------------------------------------------


def test_api_follow_and_unfollow_a_question(other_client, other_customer, question):
    url = f"/api/v1/questions/{question.pk}/follow/"
    assert other_client.post(url).json() == {"following": True}
    assert other_client.post(url).json() == {"following": True}  # idempotent
    assert Follow.objects.filter(user=other_customer, question=question).count() == 1
    assert other_client.delete(url).json() == {"following": False}
    assert not Follow.objects.filter(user=other_customer).exists()


def test_api_follow_tag_and_category_and_list(other_client, other_customer, question):
    category = CategoryFactory(name="Billing", slug="billing")
    assert other_client.post("/api/v1/tags/sim/follow/").json() == {"following": True}
    assert other_client.post("/api/v1/categories/billing/follow/").json() == {"following": True}
    other_client.post(f"/api/v1/questions/{question.pk}/follow/")
    body = other_client.get("/api/v1/users/me/following/").json()
    assert [q["id"] for q in body["questions"]] == [question.pk]
    assert [t["name"] for t in body["tags"]] == ["sim"]
    assert [c["slug"] for c in body["categories"]] == [category.slug]
    assert body["tags"][0]["url"].endswith(reverse("forum:tag", args=["sim"]))


def test_api_follow_refusals_change_nothing(client, other_client, lounge, customer):
    secret = QuestionFactory(author=customer, category=lounge, tags=["vip"])
    assert client.post("/api/v1/tags/sim/follow/").status_code == 401
    assert other_client.post("/api/v1/tags/nope/follow/").status_code == 404
    assert other_client.post("/api/v1/categories/lounge/follow/").status_code == 404
    assert other_client.post(f"/api/v1/questions/{secret.pk}/follow/").status_code == 404
    # A tag only the lounge carries does not exist for a member: its name must not leak.
    assert other_client.post("/api/v1/tags/vip/follow/").status_code == 404
    assert other_client.post(f"/api/v1/questions/{2**63}/follow/").status_code == 404
    assert not Follow.objects.exists()


def test_api_moderator_may_follow_the_lounge(advocate_client, advocate, lounge):
    assert advocate_client.post("/api/v1/categories/lounge/follow/").json() == {"following": True}
    assert Follow.objects.filter(user=advocate, category=lounge).count() == 1


def test_following_list_budget(other_client, other_customer, django_assert_max_num_queries):
    for n in range(5):
        q = QuestionFactory(tags=[f"t{n}"])
        set_following(actor=other_customer, target=q, following=True)
        set_following(actor=other_customer, target=Tag.objects.get(name=f"t{n}"), following=True)
    with django_assert_max_num_queries(8):
        body = other_client.get("/api/v1/users/me/following/").json()
    assert len(body["questions"]) == 5
    assert len(body["tags"]) == 5


def test_following_list_leaves_out_what_became_unreadable(other_customer, question, lounge):
    set_following(actor=other_customer, target=question, following=True)
    Question.objects.filter(pk=question.pk).update(category=lounge)
    from forum.follows.selectors import following_for

    assert following_for(other_customer).questions == []


# Pages -----------------------------------------------------------------------------------


def test_question_page_has_a_working_no_js_button(other_client, other_customer, question):
    page = other_client.get(question.get_absolute_url())
    action = reverse("forum:follow", args=["question", question.pk])
    assert f'action="{action}"' in page.content.decode()
    response = other_client.post(action, {"following": "1", "next": question.get_absolute_url()})
    assert response.status_code == 302
    assert response["Location"] == question.get_absolute_url()
    assert Follow.objects.filter(user=other_customer, question=question).exists()
    page = other_client.get(question.get_absolute_url()).content.decode()
    assert 'aria-pressed="true"' in page


def test_htmx_button_swaps_its_state(other_client, other_customer, question):
    action = reverse("forum:follow", args=["tag", "sim"])
    response = other_client.post(action, {"following": "1"}, headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert 'aria-pressed="true"' in response.content.decode()
    response = other_client.post(action, {"following": "0"}, headers={"HX-Request": "true"})
    assert 'aria-pressed="false"' in response.content.decode()
    assert not Follow.objects.filter(user=other_customer).exists()


def test_tag_and_category_pages_show_the_button(other_client, question):
    CategoryFactory(name="Billing", slug="billing")
    tag_page = other_client.get(reverse("forum:tag", args=["sim"])).content.decode()
    assert reverse("forum:follow", args=["tag", "sim"]) in tag_page
    cat_page = other_client.get(reverse("forum:category", args=["billing"])).content.decode()
    assert reverse("forum:follow", args=["category", "billing"]) in cat_page


def test_no_js_refusals(client, other_client, question, lounge):
    action = reverse("forum:follow", args=["question", question.pk])
    response = client.post(action, {"following": "1"})
    assert response.status_code == 302
    assert "login" in response["Location"]
    assert (
        other_client.post(reverse("forum:follow", args=["category", "lounge"])).status_code == 404
    )
    assert other_client.post(reverse("forum:follow", args=["thing", "x"])).status_code == 404
    assert other_client.get(action).status_code == 405
    # An outside `next` is not followed.
    response = other_client.post(action, {"following": "1", "next": "https://evil.example/"})
    assert response["Location"] == question.get_absolute_url()


def test_following_page(other_client, other_customer, question, django_assert_max_num_queries):
    set_following(actor=other_customer, target=question, following=True)
    set_following(actor=other_customer, target=Tag.objects.get(name="sim"), following=True)
    url = reverse("forum:following")
    with django_assert_max_num_queries(20):
        page = other_client.get(url).content.decode()
    assert question.title in page
    assert ">sim<" in page
    base = other_client.get("/").content.decode()
    assert f'href="{url}"' in base


# Fan-out ---------------------------------------------------------------------------------


def test_asking_and_answering_follow_the_question(
    customer, other_customer, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        q = services.ask_question(
            actor=customer, title="Roaming does not work abroad", body="x" * 40, tags=["roaming"]
        )
        services.post_answer(actor=other_customer, question=q, body="Turn on data roaming." * 3)
    assert set(Follow.objects.filter(question=q).values_list("user__username", flat=True)) == {
        "anna",
        "bruno",
    }


def test_followers_hear_of_a_new_answer_once_and_never_the_actor(
    customer, other_customer, helper, django_capture_on_commit_callbacks
):
    q = QuestionFactory(author=customer, tags=["sim"])
    for member in (customer, other_customer, helper):
        set_following(actor=member, target=q, following=True)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        answer = services.post_answer(actor=helper, question=q, body="Restart the phone " * 3)
    # The asker heard through their own "answer" notification, not a second one.
    assert list(Notification.objects.filter(recipient=customer).values_list("kind", flat=True)) == [
        "answer"
    ]
    assert _follow_kinds(other_customer) == [(f"answer:{answer.pk}", q.title)]
    assert _follow_kinds(helper) == []
    events = [
        e
        for e in published(callbacks)
        if e[1] == "notification.created" and e[2]["kind"] in ("answer", "follow")
    ]
    assert sorted(e[0] for e in events) == sorted(
        [f"user.{customer.pk}", f"user.{other_customer.pk}"]
    )
    live = next(e[2] for e in events if e[0] == f"user.{other_customer.pk}")
    assert live["kind"] == "follow"
    assert live["unread"] == 1
    assert live["text"] == f"Carla Verdi answered “{q.title}”, which you follow"
    # Running the task again tells nobody twice.
    assert fanout.notify_followers_now("answer", answer.pk, helper.pk) == []
    assert Notification.objects.filter(kind="follow").count() == 1


def test_new_question_in_followed_tag_and_category_notifies_once(
    customer, other_customer, helper, django_capture_on_commit_callbacks
):
    billing = CategoryFactory(name="Billing", slug="billing")
    Tag.objects.get_or_create(name="sim", slug="sim")
    set_following(actor=other_customer, target=Tag.objects.get(name="sim"), following=True)
    set_following(actor=other_customer, target=billing, following=True)
    set_following(actor=helper, target=billing, following=True)
    set_following(actor=customer, target=billing, following=True)  # the asker
    with django_capture_on_commit_callbacks(execute=True):
        q = services.ask_question(
            actor=customer,
            title="Charged twice for my top-up",
            body="My card shows two charges for one top-up.",
            tags=["sim", "billing"],
            category=billing,
        )
    assert _follow_kinds(other_customer) == [(f"question:{q.pk}", q.title)]
    assert _follow_kinds(helper) == [(f"question:{q.pk}", q.title)]
    assert _follow_kinds(customer) == []


def test_mentioned_follower_gets_only_the_mention(
    customer, other_customer, django_capture_on_commit_callbacks
):
    Tag.objects.get_or_create(name="sim", slug="sim")
    set_following(actor=other_customer, target=Tag.objects.get(name="sim"), following=True)
    with django_capture_on_commit_callbacks(execute=True):
        services.ask_question(
            actor=customer,
            title="Can @bruno help with my SIM?",
            body="@bruno you said you know how to do this.",
            tags=["sim"],
        )
    kinds = list(
        Notification.objects.filter(recipient=other_customer).values_list("kind", flat=True)
    )
    assert kinds == ["mention"]


def test_lounge_questions_reach_only_moderators(
    advocate, other_customer, staff, lounge, django_capture_on_commit_callbacks
):
    Tag.objects.get_or_create(name="sim", slug="sim")
    sim = Tag.objects.get(name="sim")
    for member in (other_customer, advocate, staff):
        Follow.objects.create(user=member, tag=sim)
    with django_capture_on_commit_callbacks(execute=True):
        q = services.ask_question(
            actor=staff,
            title="Internal: SIM outage in Milan",
            body="Keep an eye on SIM questions today.",
            tags=["sim"],
            category=lounge,
        )
    assert _follow_kinds(advocate) == [(f"question:{q.pk}", q.title)]
    assert _follow_kinds(other_customer) == []
    assert _follow_kinds(staff) == []  # the actor


def test_acceptance_notifies_followers_but_not_the_answerer_twice(
    customer, other_customer, helper, django_capture_on_commit_callbacks
):
    q = QuestionFactory(author=customer, tags=["sim"])
    answer = AnswerFactory(question=q, author=helper)
    for member in (customer, other_customer, helper):
        set_following(actor=member, target=q, following=True)
    with django_capture_on_commit_callbacks(execute=True):
        services.accept_answer(actor=customer, answer=answer)
    assert _follow_kinds(other_customer) == [(f"accepted:{answer.pk}", q.title)]
    assert _follow_kinds(helper) == []  # their own "accepted" notification
    kinds = Notification.objects.filter(recipient=helper).exclude(kind="badge")
    assert list(kinds.values_list("kind", flat=True)) == ["accepted"]
    assert _follow_kinds(customer) == []


def test_fanout_skips_hidden_and_inactive(customer, other_customer, helper):
    q = QuestionFactory(author=customer)
    answer = AnswerFactory(question=q, author=helper)
    set_following(actor=other_customer, target=q, following=True)
    other_customer.is_active = False
    other_customer.save()
    assert fanout.notify_followers_now("answer", answer.pk, helper.pk) == []
    other_customer.is_active = True
    other_customer.save()
    Question.objects.filter(pk=q.pk).update(hidden_at=q.created_at)
    assert fanout.notify_followers_now("answer", answer.pk, helper.pk) == []
    with pytest.raises(ValueError, match="Unknown follow event"):
        fanout.notify_followers_now("nonsense", answer.pk, helper.pk)


def test_fanout_queries_do_not_grow_with_followers(customer, helper, django_assert_max_num_queries):
    q = QuestionFactory(author=customer)
    answer = AnswerFactory(question=q, author=helper)
    for _ in range(30):
        Follow.objects.create(user=UserFactory(), question=q)
    with django_assert_max_num_queries(8):
        created = fanout.notify_followers_now("answer", answer.pk, helper.pk)
    assert len(created) == 30


def test_follow_notifications_go_to_the_digest_by_default(
    customer, other_customer, helper, django_capture_on_commit_callbacks, settings
):
    from notifications.mail.preferences import email_modes_for

    assert email_modes_for(other_customer)["follow"] == "digest"
    q = QuestionFactory(author=customer)
    set_following(actor=other_customer, target=q, following=True)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.post_answer(actor=helper, question=q, body="Restart the phone " * 3)
    # No instant e-mail for a follow notification (the asker's own "answer" may be one).
    assert all(other_customer.email not in m.to for m in mail.outbox)


def test_request_does_not_fan_out(customer, helper, django_capture_on_commit_callbacks):
    """The request only enqueues: no follow notification exists before commit."""
    q = QuestionFactory(author=customer)
    Follow.objects.create(user=UserFactory(), question=q)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.post_answer(actor=helper, question=q, body="Restart the phone " * 3)
    assert not Notification.objects.filter(kind="follow").exists()
    assert callbacks  # the fan-out waits for commit
