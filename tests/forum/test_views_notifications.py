"""The notifications page and the header's bell: who sees what, marking read, query budget."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from forum import services
from forum.models import Notification
from live.backlog import last_id
from tests.factories import AnswerFactory, CommentFactory, QuestionFactory, UserFactory

pytestmark = pytest.mark.django_db

ANSWER = "Dial *123# and follow the menu to top up."


def notify(recipient, *, kind="answer", actor=None, question=None, read=False, **links):  # noqa: ANN001, ANN003
    """A notification row, as notifications.bell.notify writes them (setup only)."""
    question = question or QuestionFactory(author=recipient)
    return Notification.objects.create(
        recipient=recipient,
        actor=actor or UserFactory(),
        kind=kind,
        question=question,
        read_at=timezone.now() if read else None,
        **links,
    )


def unread_of(user) -> int:  # noqa: ANN001
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


def bell_count(html: str) -> str | None:
    """The bell's visible count, or None when the badge is hidden."""
    match = re.search(r'<span class="bell-count" aria-hidden="true"( hidden)?>([^<]*)</span>', html)
    assert match, "no bell on the page"
    return None if match.group(1) else match.group(2)


# Permissions ------------------------------------------------------------------------------


def test_anonymous_visitors_are_sent_to_log_in(client):
    response = client.get("/notifications/")

    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/notifications/"


def test_anonymous_mark_read_changes_nothing(client, customer):
    notify(customer)

    response = client.post("/notifications/read/")

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    assert unread_of(customer) == 1


def test_the_page_lists_only_the_members_own_notifications(customer, customer_client):
    bruno = UserFactory(username="bruno2", display_name="Bruno Bianchi")
    mine = notify(customer, actor=bruno, question=QuestionFactory(title="Roaming in Albania"))
    theirs = notify(UserFactory(), question=QuestionFactory(title="Somebody else's question"))

    html = customer_client.get("/notifications/").content.decode()

    assert f'id="notification-{mine.pk}"' in html
    assert "Bruno Bianchi answered your question “Roaming in Albania”" in html
    assert f'id="notification-{theirs.pk}"' not in html
    assert "Somebody else" not in html


def test_get_is_not_allowed_to_mark_read(customer, customer_client):
    notify(customer)

    assert customer_client.get("/notifications/read/").status_code == 405
    customer_client.get("/notifications/")

    assert unread_of(customer) == 1


# What the page shows ----------------------------------------------------------------------


def test_each_kind_reads_as_a_sentence_and_links_to_its_post(customer, customer_client):
    anna_q = QuestionFactory(author=customer, title="eSIM on a Pixel 8")
    carla = UserFactory(display_name="Carla Verdi")
    answer = AnswerFactory(question=anna_q, author=carla)
    comment = CommentFactory(question=anna_q, author=carla)
    notify(customer, kind="answer", actor=carla, question=anna_q, answer=answer)
    notify(customer, kind="comment", actor=carla, question=anna_q, comment=comment)
    notify(customer, kind="mention", actor=carla, question=anna_q, answer=answer)
    notify(customer, kind="accepted", actor=carla, question=anna_q, answer=answer)

    html = customer_client.get("/notifications/").content.decode()

    q = f"/q/{anna_q.pk}/"
    assert f'<a href="{q}#answer-{answer.pk}">Carla Verdi answered your question' in html
    assert f'<a href="{q}#comment-{comment.pk}">Carla Verdi commented on your post in' in html
    assert "Carla Verdi mentioned you in “eSIM on a Pixel 8”" in html
    assert "Carla Verdi accepted your answer to “eSIM on a Pixel 8”" in html


def test_unread_ones_are_highlighted_and_marked_new(customer, customer_client):
    unread = notify(customer)
    read = notify(customer, read=True)

    html = customer_client.get("/notifications/").content.decode()

    assert f'<li class="notification unread" id="notification-{unread.pk}">' in html
    assert f'<li class="notification" id="notification-{read.pk}">' in html
    assert html.count('<span class="unread-mark">New</span>') == 1
    # with JavaScript the page marks what it shows read, by POST, once open
    assert 'hx-post="/notifications/read/" hx-trigger="load"' in html
    assert f'<input type="hidden" name="ids" value="{unread.pk}">' in html
    assert f'name="ids" value="{read.pk}"' not in html


def test_nothing_unread_means_no_mark_all_button_and_no_auto_marking(customer, customer_client):
    notify(customer, read=True)

    html = customer_client.get("/notifications/").content.decode()

    assert "Mark all as read" not in html
    assert 'hx-trigger="load"' not in html


def test_an_empty_list_says_what_will_appear_here(customer_client):
    html = customer_client.get("/notifications/").content.decode()

    assert "Nothing yet." in html


def test_notifications_about_deleted_questions_are_left_out(customer, customer_client, staff):
    gone = QuestionFactory(author=UserFactory(), title="A question since removed")
    notify(customer, kind="mention", question=gone)
    services.delete_question(actor=staff, question=gone)

    html = customer_client.get("/notifications/").content.decode()

    assert "A question since removed" not in html


def test_the_list_is_paginated_newest_first(customer, customer_client):
    first = notify(customer)
    for _ in range(30):
        notify(customer, question=first.question)
    newest = notify(customer, question=first.question)

    page_one = customer_client.get("/notifications/").content.decode()
    page_two = customer_client.get("/notifications/?page=2").content.decode()

    first_listed = re.search(r'id="notification-(\d+)"', page_one).group(1)
    assert first_listed == str(newest.pk)
    assert page_one.count('<li class="notification') == 30
    assert f'id="notification-{first.pk}"' in page_two
    assert page_two.count('<li class="notification') == 2


# Marking read -------------------------------------------------------------------------------


def test_mark_all_as_read_marks_only_the_members_own(customer, customer_client, other_customer):
    notify(customer)
    notify(customer)
    notify(other_customer)

    response = customer_client.post("/notifications/read/")

    assert response.status_code == 302
    assert response["Location"] == "/notifications/"
    assert unread_of(customer) == 0
    assert unread_of(other_customer) == 1


def test_marking_listed_ids_marks_those_and_ignores_other_members_ids(
    customer, customer_client, other_customer
):
    shown = notify(customer)
    later = notify(customer)
    foreign = notify(other_customer)

    response = customer_client.post(
        "/notifications/read/", {"ids": [shown.pk, foreign.pk]}, headers={"HX-Request": "true"}
    )

    assert response.status_code == 204
    assert Notification.objects.get(pk=shown.pk).read_at is not None
    assert Notification.objects.get(pk=later.pk).read_at is None
    assert Notification.objects.get(pk=foreign.pk).read_at is None


@pytest.mark.parametrize(
    "ids", [["x"], ["1.5"], ["0"], ["-3"], [str(2**63)], ["\x00"], [str(n) for n in range(1, 202)]]
)
def test_bad_ids_are_a_400_and_change_nothing(customer, customer_client, ids):
    notify(customer)

    response = customer_client.post("/notifications/read/", {"ids": ids})

    assert response.status_code == 400
    assert unread_of(customer) == 1


def test_marking_read_tells_the_members_other_tabs(
    customer, customer_client, django_capture_on_commit_callbacks
):
    notify(customer)
    notify(customer)
    before = last_id(f"user.{customer.pk}")

    with django_capture_on_commit_callbacks(execute=True):
        customer_client.post("/notifications/read/")

    assert last_id(f"user.{customer.pk}") == before + 1


# The bell -----------------------------------------------------------------------------------


def test_the_bell_shows_the_unread_count_and_the_user_streams_last_id(
    customer, customer_client, django_capture_on_commit_callbacks
):
    question = QuestionFactory(author=customer)
    with django_capture_on_commit_callbacks(execute=True):
        services.post_answer(actor=UserFactory(), question=question, body=ANSWER)
    notify(customer, read=True)
    since = last_id(f"user.{customer.pk}")

    html = customer_client.get("/").content.decode()

    assert bell_count(html) == "1"
    assert since == 1
    assert f'data-live-stream="user" data-live-since="{since}" data-live-user="anna"' in html
    assert "Notifications: 1 unread" in html


def test_the_bell_is_the_current_page_on_the_notifications_page(customer_client):
    bell_here = re.compile(r'<a class="bell"[^>]*aria-current="page"')

    assert not bell_here.search(customer_client.get("/").content.decode())
    assert bell_here.search(customer_client.get("/notifications/").content.decode())


def test_the_bell_hides_its_badge_when_nothing_is_unread(customer_client):
    html = customer_client.get("/").content.decode()

    assert bell_count(html) is None
    assert "Notifications: 0 unread" in html


def test_the_bell_caps_its_badge_at_99(customer, customer_client):
    question = QuestionFactory(author=customer)
    Notification.objects.bulk_create(
        Notification(recipient=customer, actor=customer, kind="answer", question=question)
        for _ in range(120)
    )

    assert bell_count(customer_client.get("/").content.decode()) == "99+"


def test_anonymous_visitors_have_no_bell(client):
    html = client.get("/").content.decode()

    assert 'class="bell"' not in html
    assert 'data-live-stream="user"' not in html


def test_pages_load_the_live_script_and_its_catalogue(client):
    html = client.get("/").content.decode()

    # The catalogue's URL is versioned by the compiled .mo files (live.jsi18n).
    match = re.search(r'<script src="(/jsi18n/\?v=[^"]+)" defer></script>', html)
    assert match, "no catalogue script on the page"
    assert '<script src="/static/js/live.js" defer></script>' in html
    catalogue = client.get(match.group(1).replace("&amp;", "&"))
    assert catalogue.status_code == 200
    assert "ngettext" in catalogue.content.decode()


# Query budget -------------------------------------------------------------------------------


def _queries(c: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert c.get(url).status_code == 200
    return len(queries)


def test_the_page_queries_do_not_grow_with_the_notifications_shown(customer, customer_client):
    notify(customer)
    few = _queries(customer_client, "/notifications/")
    for _ in range(25):
        notify(customer, actor=UserFactory(), question=QuestionFactory(author=customer))

    many = _queries(customer_client, "/notifications/")

    assert many == few
    # session, member, page count, page rows, unread count; the bell's last id and count
    assert few <= 8
