"""The advocates' lounge: a private category whose threads only advocates and staff see,
anywhere: lists, category and tag pages, counts, search, similar questions, profiles,
the API, the live layer and notifications. Only moderators ask there."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.utils import timezone

from forum import selectors, services
from forum.models import Category, CloseReason, Notification, Question
from forum.search import update_search_vector
from tests.advocacy.support import published
from tests.factories import AnswerFactory, QuestionFactory, UserFactory

pytestmark = pytest.mark.django_db

OUTSIDERS = ["anonymous", "customer", "other_customer", "helper", "revoked_advocate"]
INSIDERS = ["advocate", "staff", "manager"]
SECRET_TITLE = "Lounge secret plan for refunds"
SECRET_TAG = "segretissimo"


@pytest.fixture
def lounge() -> Category:
    """The private category the data migration creates."""
    return Category.objects.get(slug="advocates-lounge", is_private=True)


@pytest.fixture
def secret(lounge, advocate, staff) -> Question:
    question = QuestionFactory(
        author=advocate, title=SECRET_TITLE, category=lounge, tags=[SECRET_TAG, "rimborso"]
    )
    AnswerFactory(question=question, author=staff, body="Staff reply in the lounge, private.")
    update_search_vector([question.pk])  # PostgreSQL search reads the stored vector
    return question


@pytest.fixture
def public(customer) -> Question:
    return QuestionFactory(author=customer, title="Public question about roaming", tags=["sim"])


def client_for(request, role: str) -> Client:
    client = Client()
    if role != "anonymous":
        client.force_login(request.getfixturevalue(role))
    return client


def user_for(request, role: str):  # noqa: ANN201
    from django.contrib.auth.models import AnonymousUser

    return AnonymousUser() if role == "anonymous" else request.getfixturevalue(role)


@pytest.mark.parametrize("role", OUTSIDERS + INSIDERS)
def test_html_pages(role, request, secret, public, lounge, advocate):
    client = client_for(request, role)
    sees = role in INSIDERS
    pages = {
        "list": client.get("/"),
        "active": client.get("/?sort=active"),
        "unsolved": client.get("/?sort=unsolved"),
        "filtered": client.get(f"/?category={lounge.slug}"),
        "search": client.get("/search/", {"q": "Lounge secret"}),
        "similar": client.get("/ask/similar/", {"title": SECRET_TITLE}),
        "profile": client.get(f"{advocate.get_absolute_url()}?tab=questions"),
        "tags": client.get("/tags/"),
    }
    for name, response in pages.items():
        if name == "filtered" and not sees:
            assert response.status_code == 404, name
            continue
        assert response.status_code == 200, name
        # Search highlights words, so look for the thread's link.
        link = f'href="/q/{secret.pk}/'
        assert (link in response.content.decode()) is (sees and name != "tags"), name
        assert (SECRET_TITLE in response.content.decode()) is (
            sees and name not in ("tags", "search")
        ), name
    assert (SECRET_TAG in pages["tags"].content.decode()) is sees
    assert (lounge.name in pages["list"].content.decode().replace("&#x27;", "'")) is sees
    assert client.get(secret.get_absolute_url()).status_code == (200 if sees else 404)
    assert client.get(lounge.get_absolute_url()).status_code == (200 if sees else 404)
    assert client.get(f"/tags/{SECRET_TAG}/").status_code == (200 if sees else 404)
    # The lounge link in the header
    assert ('href="/lounge/"' in pages["list"].content.decode()) is sees
    assert client.get("/lounge/").status_code == (302 if sees else 404)


@pytest.mark.parametrize("role", OUTSIDERS + INSIDERS)
def test_counts_do_not_reveal_the_lounge(role, request, secret, advocate):
    user = user_for(request, role)
    stats = selectors.member_stats(advocate, user)
    assert stats["questions"] == (1 if role in INSIDERS else 0)
    staff = request.getfixturevalue("staff")
    assert selectors.member_stats(staff, user)["answers"] == (1 if role in INSIDERS else 0)
    assert SECRET_TAG not in [t["name"] for t in selectors.popular_tags()]


@pytest.mark.parametrize("role", OUTSIDERS + INSIDERS)
def test_api(role, request, secret, advocate):
    client = client_for(request, role)
    sees = role in INSIDERS
    listed = client.get("/api/v1/questions/").json()
    titles = [q["title"] for q in listed["results"]]
    assert (SECRET_TITLE in titles) is sees
    searched = client.get("/api/v1/questions/", {"q": "Lounge secret"}).json()
    assert (SECRET_TITLE in [q["title"] for q in searched["results"]]) is sees
    assert client.get(f"/api/v1/questions/{secret.pk}/").status_code == (200 if sees else 404)
    answer = secret.answers.get()
    assert client.get(f"/api/v1/answers/{answer.pk}/").status_code == (200 if sees else 404)
    member = client.get(f"/api/v1/users/{advocate.pk}/").json()
    assert member["question_count"] == (1 if sees else 0)


def test_only_moderators_ask_in_the_lounge(customer, helper, advocate, lounge, customer_client):
    kwargs = {"title": "Can I ask in the lounge?", "body": "x" * 40, "tags": ["sim"]}
    for member in (customer, helper):
        with pytest.raises(PermissionDenied):
            services.ask_question(actor=member, category=lounge, **kwargs)
    assert not Question.objects.filter(category=lounge).exists()
    response = customer_client.post("/ask/", {**kwargs, "tags": "sim", "category": lounge.pk})
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert lounge.name not in customer_client.get("/ask/").content.decode().replace("&#x27;", "'")
    question = services.ask_question(actor=advocate, category=lounge, **kwargs)
    assert question.category == lounge


def test_members_cannot_move_their_question_into_the_lounge(customer, question, lounge):
    with pytest.raises(PermissionDenied):
        services.edit_question(
            actor=customer,
            question=question,
            title=question.title,
            body=question.body,
            tags=list(question.tags.names()),
            category=lounge,
        )
    assert Question.objects.get(pk=question.pk).category_id != lounge.pk


def test_a_lounge_question_is_announced_on_the_lounge_stream_not_the_feed(
    advocate, lounge, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.ask_question(
            actor=advocate, category=lounge, title="Private thread title", body="y" * 40, tags="sim"
        )
    streams = [stream for stream, kind, _data in published(callbacks)]
    assert "lounge" in streams
    assert "feed" not in streams


def test_public_questions_still_go_to_the_feed(customer, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.ask_question(
            actor=customer, title="Public thread title", body="z" * 40, tags="sim"
        )
    assert [s for s, t, _d in published(callbacks) if t == "question.created"] == ["feed"]


def test_a_mention_in_the_lounge_does_not_notify_outsiders(advocate, customer, helper, lounge):
    UserFactory(username="other-advocate", is_advocate=True)
    services.ask_question(
        actor=advocate,
        category=lounge,
        title="Talking about a customer",
        body="@anna and @carla and @other-advocate should not all hear of this.",
        tags="sim",
    )
    recipients = set(
        Notification.objects.filter(kind=Notification.Kind.MENTION).values_list(
            "recipient__username", flat=True
        )
    )
    assert recipients == {"other-advocate"}


def test_a_public_question_cannot_be_closed_as_a_duplicate_of_a_lounge_thread(
    staff, public, secret
):
    with pytest.raises(ValidationError):
        services.close_question(
            actor=staff, question=public, reason=CloseReason.DUPLICATE, duplicate_of=secret
        )
    assert Question.objects.get(pk=public.pk).closed_at is None


def test_points_history_shows_lounge_titles_to_insiders_only(
    client, customer_client, staff_client, advocate, secret, staff
):
    services.cast_vote(actor=staff, post=secret, value=1)  # a ledger row on the thread
    assert SECRET_TITLE in staff_client.get(advocate.get_absolute_url()).content.decode()
    assert SECRET_TITLE not in client.get(advocate.get_absolute_url()).content.decode()
    assert SECRET_TITLE not in customer_client.get(advocate.get_absolute_url()).content.decode()


def test_hidden_questions_stay_out_of_lists_for_others(client, customer, customer_client):
    hidden = QuestionFactory(
        author=customer, title="Hidden by the moderators", hidden_at=timezone.now()
    )
    assert "Hidden by the moderators" not in client.get("/").content.decode()
    assert (
        "Hidden by the moderators"
        not in client.get("/search/?q=Hidden moderators").content.decode()
    )
    assert client.get(hidden.get_absolute_url()).status_code == 404
    assert customer_client.get(hidden.get_absolute_url()).status_code == 200


def test_the_lounge_is_offered_in_the_ask_form_to_moderators_only(advocate_client, lounge):
    assert lounge.name in advocate_client.get("/ask/").content.decode().replace("&#x27;", "'")


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("en", "Advocates and staff talk shop here"),
        ("it", "Advocate e staff parlano di lavoro qui"),
    ],
)
def test_the_lounge_is_described_in_the_readers_language(advocate_client, lounge, language, text):
    # issue 15: the description was English in the Italian interface
    page = advocate_client.get(lounge.get_absolute_url(), HTTP_ACCEPT_LANGUAGE=language)
    assert text in page.content.decode()
