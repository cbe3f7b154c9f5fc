"""The moderation pages: flag form, queue, item, acts, suspension, audit log."""

from __future__ import annotations

import pytest
from django.urls import reverse

from advocacy.models import AuditEntry, Flag, ModerationSettings, QueueClaim
from advocacy.services.flags import raise_flag
from forum.models import Question, User
from tests.advocacy.support import flaggers
from tests.factories import AnswerFactory, CommentFactory, QuestionFactory
from tests.naughty import NAUGHTY_SAMPLE

pytestmark = pytest.mark.django_db

XSS = '<script>alert(1)</script><img src=x onerror=alert(2)><a href="javascript:alert(3)">x</a>'


@pytest.fixture
def question(helper):
    return QuestionFactory(author=helper, title="Buy cheap watches at my site now")


def test_the_thread_shows_flag_links_to_members_with_the_privilege(
    question, helper, customer_client, client, advocate_client
):
    answer = AnswerFactory(question=question, author=helper)
    CommentFactory(question=None, answer=answer, author=helper)
    page = customer_client.get(question.get_absolute_url()).content.decode()
    assert page.count("data-flag-link") == 3
    assert reverse("moderation:flag", args=["answer", answer.pk]) in page
    assert "data-flag-link" not in client.get(question.get_absolute_url()).content.decode()
    moderator_page = advocate_client.get(question.get_absolute_url()).content.decode()
    assert moderator_page.count("data-moderate-link") == 3


def test_the_author_gets_no_flag_link_on_their_own_posts(question, helper_client):
    page = helper_client.get(question.get_absolute_url()).content.decode()
    assert "data-flag-link" not in page


def test_flagging_without_javascript(question, customer_client, customer):
    url = reverse("moderation:flag", args=["question", question.pk])
    assert customer_client.get(url).status_code == 200
    response = customer_client.post(url, {"reason": "spam", "note": "ads"})
    assert response.status_code == 302
    assert response["Location"] == question.get_absolute_url()
    flag = Flag.objects.get()
    assert (flag.flagger, flag.reason, flag.note) == (customer, "spam", "ads")


def test_flagging_with_htmx_returns_the_fragment(question, customer_client):
    url = reverse("moderation:flag", args=["question", question.pk])
    form = customer_client.get(url, headers={"HX-Request": "true"})
    assert b"<html" not in form.content
    assert b"data-flag-form" in form.content
    done = customer_client.post(url, {"reason": "rude"}, headers={"HX-Request": "true"})
    assert done.status_code == 200
    assert b"data-flag-done" in done.content
    again = customer_client.post(url, {"reason": "rude"}, headers={"HX-Request": "true"})
    assert again.status_code == 400
    assert b"already flagged" in again.content
    assert Flag.objects.count() == 1


@pytest.mark.parametrize(
    ("data", "status"),
    [({}, 400), ({"reason": "nope"}, 400), ({"reason": "spam", "note": "x" * 501}, 400)],
)
def test_a_bad_flag_form_is_a_400_and_writes_nothing(question, customer_client, data, status):
    url = reverse("moderation:flag", args=["question", question.pk])
    assert customer_client.post(url, data).status_code == status
    assert Flag.objects.count() == 0


def test_flag_pages_of_unknown_or_hidden_posts_are_404(question, customer_client, staff):
    assert (
        customer_client.get(reverse("moderation:flag", args=["question", 999999])).status_code
        == 404
    )
    assert (
        customer_client.get(reverse("moderation:flag", args=["vote", question.pk])).status_code
        == 404
    )
    Question.objects.filter(pk=question.pk).update(hidden_at=question.created_at)
    assert (
        customer_client.get(reverse("moderation:flag", args=["question", question.pk])).status_code
        == 404
    )


def test_anonymous_flaggers_are_sent_to_log_in(question, client):
    response = client.get(reverse("moderation:flag", args=["question", question.pk]))
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_newcomers_without_the_privilege_are_refused(question, newcomer):
    from django.test import Client

    c = Client()
    c.force_login(newcomer)
    response = c.post(
        reverse("moderation:flag", args=["question", question.pk]), {"reason": "spam"}
    )
    assert response.status_code == 403
    assert Flag.objects.count() == 0


# The queue ------------------------------------------------------------------------------


def test_the_queue_groups_open_flags_by_post(question, advocate_client, helper):
    answer = AnswerFactory(question=question, author=helper)
    members = flaggers(3)
    for member in members:
        raise_flag(
            actor=member, post=question, reason="off_topic", note=f"note of {member.username}"
        )
    raise_flag(actor=members[0], post=answer, reason="rude")
    page = advocate_client.get(reverse("moderation:queue")).content.decode()
    assert page.count("data-queue-item=") == 2
    assert page.index(f"flags:question:{question.pk}") < page.index(f"flags:answer:{answer.pk}")
    assert "Off topic × 3" in page
    assert 'data-live-stream="moderation"' in page


def test_the_queue_names_every_flagger_with_their_reason(question, advocate_client):
    # given two spam flags without notes and one with a note (issue 15: "Spam × 2" named one)
    first, second, third = flaggers(3)
    raise_flag(actor=first, post=question, reason="spam")
    raise_flag(actor=second, post=question, reason="spam")
    raise_flag(actor=third, post=question, reason="off_topic", note="not about our product")
    # when a moderator reads the queue
    page = advocate_client.get(reverse("moderation:queue")).content.decode()
    # then each flagger is listed once, with the reason they gave
    assert "Spam × 2" in page
    for member in (first, second, third):
        assert page.count(f'data-flagger="{member.username}"') == 1
    assert f"{first.name} · Spam" in page
    assert f"{second.name} · Spam" in page
    assert f"{third.name} · Off topic" in page
    assert "not about our product" in page


def test_the_queue_is_read_in_a_fixed_number_of_queries(
    question, advocate_client, helper, django_assert_max_num_queries
):
    members = flaggers(2)
    for _ in range(10):
        q = QuestionFactory(author=helper)
        a = AnswerFactory(question=q, author=helper)
        for member in members:
            raise_flag(actor=member, post=q, reason="spam")
            raise_flag(actor=member, post=a, reason="rude")
    with django_assert_max_num_queries(20):
        response = advocate_client.get(reverse("moderation:queue"))
    assert response.content.decode().count("data-queue-item=") == 20


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("customer", 403),
        ("revoked_advocate", 403),
        ("advocate", 200),
        ("staff", 200),
        ("manager", 200),
    ],
)
def test_who_sees_the_flag_queue(request, who, status):
    from django.test import Client

    c = Client()
    c.force_login(request.getfixturevalue(who))
    assert c.get(reverse("moderation:queue") + "?tab=flags").status_code == status


def test_reviewers_see_the_first_posts_queue_only(helper_client, newcomer):
    # carla (1500) holds the review privilege (500), not moderation.
    first = QuestionFactory(author=newcomer, title="My very first question here")
    response = helper_client.get(reverse("moderation:queue"))
    assert response.status_code == 200
    assert f"first:question:{first.pk}" in response.content.decode()
    assert helper_client.get(reverse("moderation:queue") + "?tab=flags").status_code == 403
    assert helper_client.get(reverse("moderation:audit")).status_code == 403


def test_a_reviewer_approves_a_first_post(helper_client, newcomer, helper):
    first = QuestionFactory(author=newcomer)
    url = reverse("moderation:act", args=["question", first.pk, "approve"])
    assert helper_client.post(url).status_code == 302
    assert AuditEntry.objects.get(action="first_post.approve").actor == helper
    page = helper_client.get(reverse("moderation:queue")).content.decode()
    assert f"first:question:{first.pk}" not in page
    assert helper_client.post(url).status_code == 302  # reviewed already: a message, no row
    assert AuditEntry.objects.filter(action="first_post.approve").count() == 1


def test_second_posts_are_not_in_the_first_posts_queue(advocate_client, newcomer):
    QuestionFactory(author=newcomer)
    second = QuestionFactory(author=newcomer)
    page = advocate_client.get(reverse("moderation:queue") + "?tab=first").content.decode()
    assert f"first:question:{second.pk}" not in page


# The item page and its acts -------------------------------------------------------------


def test_an_advocate_hides_a_flagged_post_from_its_page(question, advocate_client, advocate):
    flag = raise_flag(actor=flaggers(1)[0], post=question, reason="spam")
    item = reverse("moderation:item", args=["question", question.pk])
    page = advocate_client.get(item)
    assert page.status_code == 200
    assert b"data-resolve-form" in page.content
    response = advocate_client.post(
        reverse("moderation:resolve", args=[flag.pk]), {"action": "hide", "reason": "Spam"}
    )
    assert response.status_code == 302
    question.refresh_from_db()
    assert question.hidden_reason == "moderator"
    assert Flag.objects.get().status == "upheld"


@pytest.mark.parametrize(
    ("action", "data", "check"),
    [
        ("hide", {"reason": "r"}, lambda q: q.hidden_at is not None),
        ("lock", {}, lambda q: q.locked_at is not None),
        ("close", {"close_reason": "off_topic"}, lambda q: q.close_reason == "off_topic"),
        ("move", {"category": ""}, lambda q: q.category_id is None),
        ("retag", {"tags": "billing sim"}, lambda q: sorted(q.tags.names()) == ["billing", "sim"]),
    ],
)
def test_each_act_changes_the_post_and_writes_an_audit_row(
    question, staff_client, staff, action, data, check
):
    from tests.factories import CategoryFactory

    Question.objects.filter(pk=question.pk).update(category=CategoryFactory())
    url = reverse("moderation:act", args=["question", question.pk, action])
    response = staff_client.post(url, data)
    assert response.status_code == 302
    question = Question.objects.get(pk=question.pk)
    assert check(question)
    entry = AuditEntry.objects.exclude(action="flag.create").get()
    assert entry.actor == staff
    assert entry.target_id == question.pk


def test_close_as_duplicate_of_an_unknown_question_is_an_error(question, staff_client):
    url = reverse("moderation:act", args=["question", question.pk, "close"])
    staff_client.post(url, {"close_reason": "duplicate", "duplicate_of": 999999})
    assert Question.objects.get(pk=question.pk).closed_at is None
    assert AuditEntry.objects.count() == 0


def test_unknown_acts_are_404(question, staff_client):
    url = reverse("moderation:act", args=["question", question.pk, "explode"])
    assert staff_client.post(url).status_code == 404


def test_claiming_an_item_and_a_second_moderator_is_refused(
    question, advocate_client, staff_client
):
    raise_flag(actor=flaggers(1)[0], post=question, reason="spam")
    item = f"flags:question:{question.pk}"
    assert advocate_client.post(reverse("moderation:claim"), {"item": item}).status_code == 302
    assert QueueClaim.objects.get().item == item
    response = staff_client.post(reverse("moderation:claim"), {"item": item})
    assert response.status_code == 409
    assert QueueClaim.objects.get().moderator.username == "dario"
    page = staff_client.get(reverse("moderation:queue")).content.decode()
    assert 'data-claimed-by="dario"' in page
    assert (
        staff_client.post(reverse("moderation:claim"), {"item": "flags:vote:1"}).status_code == 400
    )


# Suspension -----------------------------------------------------------------------------


def test_an_advocate_suspends_a_member_with_a_reason(advocate_client, customer, advocate):
    url = reverse("moderation:suspend", args=[customer.username])
    assert advocate_client.get(url).status_code == 200
    response = advocate_client.post(url, {"days": 3, "reason": "Repeated spam"})
    assert response.status_code == 302
    customer.refresh_from_db()
    assert customer.is_suspended
    entry = AuditEntry.objects.get(action="member.suspend")
    assert (entry.actor, entry.reason, entry.after["days"]) == (advocate, "Repeated spam", 3)


@pytest.mark.parametrize(
    "data",
    [
        {"days": 0, "reason": "x"},
        {"days": 366, "reason": "x"},
        {"days": 3, "reason": ""},
        {"days": "a", "reason": "x"},
    ],
)
def test_a_bad_suspension_is_a_400(advocate_client, customer, data):
    response = advocate_client.post(reverse("moderation:suspend", args=[customer.username]), data)
    assert response.status_code == 400
    customer.refresh_from_db()
    assert customer.suspended_until is None


def test_a_canned_reason_is_used_when_none_is_typed(advocate_client, customer):
    from advocacy.models import CannedReason

    canned = CannedReason.objects.get(title="Repeated abuse")
    advocate_client.post(
        reverse("moderation:suspend", args=[customer.username]), {"days": 1, "canned": canned.pk}
    )
    assert AuditEntry.objects.get(action="member.suspend").reason == canned.text


# The audit log --------------------------------------------------------------------------


def test_the_audit_log_filters_and_escapes(question, advocate_client, advocate, staff, settings):
    settings.CIRCOLO_FLAG_RATE = "10000/m"
    member = flaggers(1)[0]
    raise_flag(actor=member, post=question, reason="off_topic", note=XSS)
    from advocacy.services.moderation import suspend_member

    suspend_member(actor=staff, member=User.objects.get(username="flagger00"), days=2, reason=XSS)
    page = advocate_client.get(reverse("moderation:audit")).content.decode()
    assert "<script>alert(1)</script>" not in page
    assert "onerror=alert" not in page.replace("onerror=alert(2)&gt;", "")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    only_suspensions = advocate_client.get(
        reverse("moderation:audit"), {"action": "member.suspend"}
    ).content.decode()
    assert only_suspensions.count("data-audit-entry=") == 1
    by_actor = advocate_client.get(
        reverse("moderation:audit"), {"actor": "flagger00"}
    ).content.decode()
    assert by_actor.count("data-audit-entry=") == 1
    members = advocate_client.get(
        reverse("moderation:audit"), {"target_type": "member"}
    ).content.decode()
    assert members.count("data-audit-entry=") == 1
    future = advocate_client.get(
        reverse("moderation:audit"), {"since": "2999-01-01"}
    ).content.decode()
    assert "data-audit-entry=" not in future
    assert (
        advocate_client.get(
            reverse("moderation:audit"), {"since": "not a date", "page": "x"}
        ).status_code
        == 200
    )


def test_naughty_notes_render_escaped_in_the_queue_and_the_item(
    question, advocate_client, settings
):
    settings.CIRCOLO_FLAG_RATE = "10000/m"
    members = flaggers(len(NAUGHTY_SAMPLE), prefix="n")
    for member, text in zip(members, NAUGHTY_SAMPLE, strict=True):
        raise_flag(actor=member, post=question, reason="off_topic", note=text[:500])
    for url in (
        reverse("moderation:queue"),
        reverse("moderation:item", args=["question", question.pk]),
        reverse("moderation:audit"),
    ):
        response = advocate_client.get(url)
        assert response.status_code == 200
        body = response.content.decode()
        assert "<script>alert" not in body
        assert 'onerror="' not in body.lower()


def test_the_audit_log_is_paginated(advocate_client, staff):
    from core.audit import record

    for i in range(120):
        record(actor=staff, action="post.hide", label=f"post {i}")
    first = advocate_client.get(reverse("moderation:audit")).content.decode()
    assert first.count("data-audit-entry=") == 50
    third = advocate_client.get(reverse("moderation:audit"), {"page": 3}).content.decode()
    assert third.count("data-audit-entry=") == 20


def test_the_nav_shows_moderation_with_the_open_count(question, advocate_client, customer_client):
    ModerationSettings.objects.update_or_create(pk=1, defaults={"auto_hide_threshold": 5})
    for member in flaggers(2):
        raise_flag(actor=member, post=question, reason="spam")
    page = advocate_client.get(reverse("forum:question_list")).content.decode()
    assert "data-moderation-nav" in page
    assert 'data-moderation-count><span class="visually-hidden">1 post flagged' in page
    assert (
        "data-moderation-nav"
        not in customer_client.get(reverse("forum:question_list")).content.decode()
    )


def test_moderators_acting_from_the_thread_page_are_audited_too(
    question, advocate_client, advocate
):
    advocate_client.post(reverse("moderation:lock_question", args=[question.pk]))
    advocate_client.post(reverse("moderation:unlock_question", args=[question.pk]))
    advocate_client.post(
        reverse("moderation:close_question", args=[question.pk]),
        {"reason": "off_topic", "note": "n"},
    )
    advocate_client.post(reverse("moderation:reopen_question", args=[question.pk]))
    assert list(
        AuditEntry.objects.filter(actor=advocate).order_by("pk").values_list("action", flat=True)
    ) == ["question.lock", "question.unlock", "question.close", "question.reopen"]


@pytest.mark.parametrize("who", ["customer", "advocate"])
def test_state_changing_pages_need_the_csrf_token(request, question, who):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(request.getfixturevalue(who))
    flag = raise_flag(actor=flaggers(1)[0], post=question, reason="spam")
    posts = [
        (reverse("moderation:flag", args=["question", question.pk]), {"reason": "rude"}),
        (reverse("moderation:resolve", args=[flag.pk]), {"action": "hide"}),
        (reverse("moderation:act", args=["question", question.pk, "lock"]), {}),
        (reverse("moderation:claim"), {"item": f"flags:question:{question.pk}"}),
        (reverse("moderation:suspend", args=["flagger00"]), {"days": 1, "reason": "x"}),
    ]
    audit_rows = AuditEntry.objects.count()
    for url, data in posts:
        assert client.post(url, data).status_code == 403
    assert AuditEntry.objects.count() == audit_rows
    assert Flag.objects.count() == 1


def test_the_queue_query_count(question, advocate_client, helper):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    members = flaggers(2)
    counts = []
    for n in (2, 10):
        while Flag.objects.values("post_key").distinct().count() < n * 2:
            q = QuestionFactory(author=helper)
            a = AnswerFactory(question=q, author=helper)
            for member in members:
                raise_flag(actor=member, post=q, reason="off_topic")
                raise_flag(actor=member, post=a, reason="rude")
        with CaptureQueriesContext(connection) as ctx:
            advocate_client.get(reverse("moderation:queue"))
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1], counts  # constant in the number of flagged posts (12)
