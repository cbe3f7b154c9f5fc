"""E-mail notifications: sent by the task worker after commit, only to verified
addresses, in the member's language, plain text and HTML, with a one-click unsubscribe
(signed, no login; valid, tampered, replayed); the daily digest; never an internal note."""

from __future__ import annotations

import datetime as dt

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.db import transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from advocacy.services import escalations
from forum import services as forum_services
from forum.models import Notification
from notifications.bell import notify_member
from notifications.mail import choices as email_preferences
from notifications.mail import tokens
from notifications.mail.preferences import DEFAULT_MODES, email_modes_for
from notifications.mail.sending import send_daily_digests, send_instant_emails
from notifications.models import EmailPreference, NotificationEmail
from tests.advocacy import tasks_support
from tests.advocacy.tasks_support import run_queued_tasks
from tests.factories import QuestionFactory, UserFactory
from tests.naughty import NAUGHTY_SAMPLE

pytestmark = pytest.mark.django_db

database_tasks = tasks_support.database_tasks


def _answer(helper, question, body="Open the app, then Ricarica > Carta."):  # noqa: ANN001, ANN202
    return forum_services.post_answer(actor=helper, question=question, body=body)


def _unsubscribe_url(message) -> str:  # noqa: ANN001
    header = message.extra_headers["List-Unsubscribe"]
    assert header.startswith("<http://127.0.0.1:8000/email/unsubscribe/")
    return header[len("<http://127.0.0.1:8000") : -1]


# Instant e-mails through the worker ---------------------------------------------------------


def test_an_answer_is_emailed_to_the_asker_by_the_worker_after_commit(
    customer, helper, question, database_tasks, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        _answer(helper, question)

    # Nothing is sent in the request: tasks wait for the worker (the answer's notification,
    # and carla's first-answer badge, which she gets in the digest).
    assert mail.outbox == []
    queued = DBTaskResult.objects.filter(task_path="notifications.tasks.send_notification_emails")
    assert queued.count() == 2

    # ... and the follow fan-out, which finds no follower beyond the asker and answerer
    assert run_queued_tasks() == 3
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["anna@example.com"]
    assert message.subject == f"[Circolo] Carla Verdi answered your question “{question.title}”"
    assert f"http://127.0.0.1:8000{question.get_absolute_url()}" in message.body
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert _unsubscribe_url(message) in message.body
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html"
    assert _unsubscribe_url(message) in html
    assert "Ricarica" not in message.body + html  # a post's text never goes by e-mail


def test_a_task_queued_under_the_old_advocacy_path_still_sends(
    customer, helper, question, database_tasks, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        _answer(helper, question)
    # As queued before the task moved to notifications.tasks.
    DBTaskResult.objects.filter(task_path="notifications.tasks.send_notification_emails").update(
        task_path="advocacy.tasks.send_notification_emails"
    )

    run_queued_tasks()

    assert [m.to for m in mail.outbox] == [["anna@example.com"]]
    assert not DBTaskResult.objects.failed().exists()


def test_a_rolled_back_notification_is_never_emailed(
    customer, helper, question, database_tasks, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        sid = transaction.savepoint()
        notify_member(customer, "badge", "You earned the %(badge)s badge", params={"badge": "x"})
        transaction.savepoint_rollback(sid)
        transaction.set_rollback(True)

    assert not DBTaskResult.objects.exists()
    run_queued_tasks()
    assert mail.outbox == []


def test_the_email_speaks_the_members_language(customer, helper, question):
    customer.locale = "it"
    customer.save(update_fields=["locale"])
    answer = _answer(helper, question)
    notification = Notification.objects.get(answer=answer)

    assert send_instant_emails([notification.pk]) == 1

    message = mail.outbox[0]
    assert (
        message.subject == f"[Circolo] Carla Verdi ha risposto alla tua domanda “{question.title}”"
    )
    assert "Ciao Anna Rossi," in message.body
    assert "Annulla l’iscrizione" in message.alternatives[0][0]


def test_english_is_the_default_language(customer, helper, question):
    answer = _answer(helper, question)

    send_instant_emails([Notification.objects.get(answer=answer).pk])

    assert mail.outbox[0].body.startswith("Hello Anna Rossi,")


def test_no_email_without_a_verified_address(helper, question, customer):
    EmailAddress.objects.filter(user=customer).update(verified=False)
    answer = _answer(helper, question)

    assert send_instant_emails([Notification.objects.get(answer=answer).pk]) == 0
    assert mail.outbox == []


def test_the_members_choice_decides_instant_digest_or_off(customer, helper, question):
    email_preferences.set_email_preferences(actor=customer, modes={"answer": "off"})
    first = _answer(helper, question)
    email_preferences.set_email_preferences(actor=customer, modes={"answer": "digest"})
    second = _answer(helper, question, body="Or call 119 from your phone.")

    ids = list(Notification.objects.filter(answer__in=[first, second]).values_list("pk", flat=True))
    assert send_instant_emails(ids) == 0
    assert mail.outbox == []


def test_a_task_run_twice_sends_once(customer, helper, question):
    notification = Notification.objects.get(answer=_answer(helper, question))

    assert send_instant_emails([notification.pk]) == 1
    assert send_instant_emails([notification.pk]) == 0
    assert len(mail.outbox) == 1
    assert NotificationEmail.objects.filter(notification=notification).count() == 1


def test_a_question_hidden_since_is_not_emailed(customer, helper, question):
    notification = Notification.objects.get(answer=_answer(helper, question))
    question.hidden_at = timezone.now()
    question.save(update_fields=["hidden_at"])
    # The author still sees their own hidden question; another member's mention does not.
    mentioned = UserFactory(username="mara")
    other = notify_member(
        mentioned, "moderation", "Look at “%(title)s”", params={"title": "t"}, question=question
    )

    assert send_instant_emails([notification.pk, other.pk]) == 1
    assert mail.outbox[0].to == ["anna@example.com"]


def test_titles_and_names_are_escaped_in_the_html(customer, helper):
    helper.display_name = '<img src=x onerror="alert(1)">'
    helper.save(update_fields=["display_name"])
    question = QuestionFactory(author=customer, title="<script>alert('t')</script> & co")
    notification = Notification.objects.get(answer=_answer(helper, question))

    send_instant_emails([notification.pk])

    html = mail.outbox[0].alternatives[0][0]
    assert "<script>" not in html
    assert "<img" not in html
    assert "&lt;script&gt;" in html
    assert "\n" not in mail.outbox[0].subject


def test_a_long_subject_is_cut_with_an_ellipsis(customer):
    notification = notify_member(customer, "moderation", "word " * 60 + "end", params={})

    send_instant_emails([notification.pk])

    subject = mail.outbox[0].subject
    assert subject.startswith("[Circolo] word word")
    assert subject.endswith("word…")
    assert len(subject) == len("[Circolo] ") + 120


@pytest.mark.parametrize("text", NAUGHTY_SAMPLE[:60])
def test_naughty_titles_never_break_an_email(customer, helper, text):
    question = QuestionFactory(author=customer, title=(text or "x")[:150])
    notification = Notification.objects.get(answer=_answer(helper, question))

    assert send_instant_emails([notification.pk]) == 1
    message = mail.outbox[0].message()  # headers encode
    assert "\n" not in mail.outbox[0].subject
    assert message["List-Unsubscribe"]


# The daily digest -------------------------------------------------------------------------------


@pytest.fixture
def digest_member(customer, helper, other_customer, time_machine):
    """anna wants comments and badges in the digest (the defaults); at 08:00 she has two
    unread comment notifications, one read, one badge, and an answer (sent at once)."""
    time_machine.move_to(dt.datetime(2026, 3, 2, 8, 0, tzinfo=dt.UTC), tick=False)
    question = QuestionFactory(author=customer, title="Roaming in Svizzera")
    forum_services.post_comment(actor=helper, post=question, body="Which plan do you have?")
    forum_services.post_comment(actor=other_customer, post=question, body="Same here, following.")
    read = forum_services.post_comment(actor=helper, post=question, body="Any news?")
    Notification.objects.filter(comment=read).update(read_at=timezone.now())
    notify_member(customer, "badge", "You earned the %(badge)s badge", params={"badge": "Curious"})
    _answer(helper, question)
    return customer


def _digest_of(username: str):  # noqa: ANN202
    (message,) = [m for m in mail.outbox if m.to == [f"{username}@example.com"]]
    return message


def test_the_digest_lists_unread_notifications_of_digest_kinds(digest_member, time_machine):
    time_machine.move_to(dt.datetime(2026, 3, 3, 7, 0, tzinfo=dt.UTC), tick=False)

    # anna's, and carla's (her first-answer badge).
    assert send_daily_digests() == 2

    message = _digest_of("anna")
    assert message.subject == "[Circolo] Your daily digest: 3 new notifications"
    body = message.body
    assert body.count("commented on your post in “Roaming in Svizzera”") == 2
    assert "Carla Verdi commented" in body
    assert "Bruno Bianchi commented" in body
    assert "You earned the Curious badge" in body
    assert "answered your question" not in body  # sent right away, not in the digest
    assert "Which plan" not in body
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert tokens.read_token(_unsubscribe_url(message).split("/")[3]).scope == "digest"
    html = message.alternatives[0][0]
    assert html.count("<li") == 3


def test_the_digest_is_sent_once_and_covers_only_what_is_new(digest_member, helper, time_machine):
    time_machine.move_to(dt.datetime(2026, 3, 3, 7, 0, tzinfo=dt.UTC), tick=False)
    assert send_daily_digests() == 2
    assert send_daily_digests() == 0  # a second run the same morning

    time_machine.move_to(dt.datetime(2026, 3, 3, 12, 0, tzinfo=dt.UTC), tick=False)
    question = digest_member.questions.get()
    forum_services.post_comment(actor=helper, post=question, body="Fixed for me after a reboot.")
    time_machine.move_to(dt.datetime(2026, 3, 4, 7, 0, tzinfo=dt.UTC), tick=False)

    assert send_daily_digests() == 1
    assert len(mail.outbox) == 3
    assert mail.outbox[2].to == ["anna@example.com"]
    assert mail.outbox[2].subject == "[Circolo] Your daily digest: 1 new notification"


def test_nothing_new_means_no_digest(digest_member, time_machine):
    Notification.objects.update(read_at=timezone.now())
    time_machine.move_to(dt.datetime(2026, 3, 3, 7, 0, tzinfo=dt.UTC), tick=False)

    assert send_daily_digests() == 0
    assert mail.outbox == []


def test_the_digest_in_italian(digest_member, time_machine):
    digest_member.locale = "it"
    digest_member.save(update_fields=["locale"])
    time_machine.move_to(dt.datetime(2026, 3, 3, 7, 0, tzinfo=dt.UTC), tick=False)

    send_daily_digests()

    message = _digest_of("anna")
    assert message.subject == "[Circolo] Il tuo riepilogo giornaliero: 3 nuove notifiche"
    assert "Ciao Anna Rossi," in message.body
    assert "Carla Verdi ha commentato" in message.body


def test_the_digest_runs_as_a_periodic_job_in_the_worker(
    digest_member, database_tasks, time_machine
):
    from core import periodic

    time_machine.move_to(dt.datetime(2026, 3, 3, 5, 59, tzinfo=dt.UTC), tick=False)
    assert "advocacy.tasks.send_daily_digests" not in periodic.enqueue_due_jobs()
    run_queued_tasks()
    assert mail.outbox == []

    time_machine.move_to(dt.datetime(2026, 3, 3, 6, 0, 30, tzinfo=dt.UTC), tick=False)  # 07:00 Rome
    assert "advocacy.tasks.send_daily_digests" in periodic.enqueue_due_jobs()
    run_queued_tasks()
    assert _digest_of("anna").subject == "[Circolo] Your daily digest: 3 new notifications"
    assert len(mail.outbox) == 2


# Internal notes never leave the desk ----------------------------------------------------------


def test_no_email_carries_an_internal_note(customer, advocate, staff, question, time_machine):
    EmailPreference.objects.create(user=customer, kind="escalation", mode="digest")
    escalation = escalations.escalate_question(
        actor=advocate, question=question, reason="Charged twice", priority="high"
    )
    escalations.claim_escalation(actor=staff, escalation=escalation)
    escalations.add_note(actor=staff, escalation=escalation, body="INTERNAL-NOTE: VIP, refund 30€")
    escalations.post_official_answer(actor=staff, escalation=escalation, body="We refunded you.")
    escalations.resolve_escalation(
        actor=staff, escalation=escalation, resolution="Refunded the double charge."
    )
    ids = list(Notification.objects.values_list("pk", flat=True))

    send_instant_emails(ids)
    time_machine.move_to(timezone.now() + dt.timedelta(hours=1))
    send_daily_digests()

    assert mail.outbox  # e-mails went out
    for message in mail.outbox:
        everything = message.subject + message.body + message.alternatives[0][0]
        assert "INTERNAL-NOTE" not in everything
        assert "VIP" not in everything


# Unsubscribe -------------------------------------------------------------------------------------


def test_the_unsubscribe_link_asks_then_stops_that_kind_without_login(customer):
    url = reverse("mail:unsubscribe", kwargs={"token": tokens.make_token(customer.pk, "answer")})
    client = Client(enforce_csrf_checks=True)

    page = client.get(url)
    assert page.status_code == 200
    assert "Stop e-mails about answer to your question?" in page.content.decode()
    assert email_modes_for(customer)["answer"] == "instant"  # a GET changes nothing

    done = client.post(url)
    assert done.status_code == 200
    assert "You are unsubscribed" in done.content.decode()
    assert email_modes_for(customer)["answer"] == "off"
    assert email_modes_for(customer)["mention"] == "instant"


def test_rfc8058_one_click_post_unsubscribes(customer):
    url = reverse("mail:unsubscribe", kwargs={"token": tokens.make_token(customer.pk, "digest")})

    response = Client(enforce_csrf_checks=True).post(
        url, "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded"
    )

    assert response.status_code == 200
    modes = email_modes_for(customer)
    assert modes["comment"] == "off"
    assert modes["badge"] == "off"
    assert modes["answer"] == "instant"


def test_a_replayed_link_is_harmless(customer):
    url = reverse("mail:unsubscribe", kwargs={"token": tokens.make_token(customer.pk, "answer")})
    Client().post(url)
    email_preferences.set_email_preferences(actor=customer, modes={"comment": "instant"})

    again = Client().post(url)

    assert again.status_code == 200
    modes = email_modes_for(customer)
    assert modes["answer"] == "off"
    assert modes["comment"] == "instant"  # other choices untouched
    assert EmailPreference.objects.filter(user=customer).count() == 2


def test_the_stop_all_button(customer):
    url = reverse("mail:unsubscribe", kwargs={"token": tokens.make_token(customer.pk, "answer")})

    Client().post(url, {"scope": "all"})

    assert set(email_modes_for(customer).values()) == {"off"}


@pytest.mark.parametrize(
    "token",
    [
        "garbage",
        "",
        "x" * 600,
        "eyJ1IjoxLCJzIjoiYWxsIn0:1tamper:abc",
    ],
)
def test_a_tampered_or_broken_link_changes_nothing(customer, token):
    before = list(EmailPreference.objects.values())
    url = f"/email/unsubscribe/{token}/" if token else "/email/unsubscribe/%20/"

    get = Client().get(url)
    post = Client().post(url)

    assert get.status_code == post.status_code == 400
    assert "This link does not work" in post.content.decode()
    assert list(EmailPreference.objects.values()) == before


def test_a_token_for_another_member_cannot_be_forged(customer, other_customer):
    good = tokens.make_token(customer.pk, "all")
    payload, _, signature = good.rpartition(":")
    forged = tokens.make_token(other_customer.pk, "all").rsplit(":", 1)[0] + ":" + signature

    assert tokens.read_token(forged) is None
    assert Client().post(f"/email/unsubscribe/{forged}/").status_code == 400
    assert set(email_modes_for(other_customer).values()) != {"off"}


def test_the_unsubscribe_page_speaks_the_members_language(customer):
    customer.locale = "it"
    customer.save(update_fields=["locale"])
    url = reverse("mail:unsubscribe", kwargs={"token": tokens.make_token(customer.pk, "all")})

    page = Client().get(url)

    assert "Annulla l’iscrizione" in page.content.decode()


def test_a_deleted_or_deactivated_member_link_is_refused(customer):
    token = tokens.make_token(customer.pk, "all")
    customer.is_active = False
    customer.save(update_fields=["is_active"])

    assert Client().post(f"/email/unsubscribe/{token}/").status_code == 400


# The settings page ---------------------------------------------------------------------------


def test_the_settings_page_needs_a_login(client):
    response = client.get(reverse("mail:settings"))

    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_a_member_chooses_per_kind(customer_client, customer):
    page = customer_client.get(reverse("mail:settings"))
    assert page.status_code == 200
    assert "anna@example.com" in page.content.decode()

    choices = dict(DEFAULT_MODES) | {"answer": "digest", "badge": "off"}
    response = customer_client.post(reverse("mail:settings"), choices)

    assert response.status_code == 302
    modes = email_modes_for(customer)
    assert modes["answer"] == "digest"
    assert modes["badge"] == "off"
    # Only choices that differ from the default are rows.
    assert set(EmailPreference.objects.values_list("kind", flat=True)) == {"answer", "badge"}


@pytest.mark.parametrize(
    ("who", "offered"),
    [
        ("customer_client", False),
        ("advocate_client", True),
        ("staff_client", True),
    ],
)
def test_the_settings_offer_only_the_kinds_the_role_can_receive(request, who, offered):
    # issue 15: a customer was offered moderation, advocate programme and SLA e-mails
    page = request.getfixturevalue(who).get(reverse("mail:settings")).content.decode()
    for kind in ("moderation", "advocate", "sla"):
        assert (f'id="kind-{kind}"' in page) is offered
    for kind in ("answer", "comment", "mention", "accepted", "badge", "escalation", "follow"):
        assert f'id="kind-{kind}"' in page


def test_a_customer_saving_the_settings_keeps_the_kinds_not_offered(customer_client, customer):
    EmailPreference.objects.create(user=customer, kind="sla", mode="off")
    choices = {k: v for k, v in DEFAULT_MODES.items() if k not in {"moderation", "advocate", "sla"}}

    response = customer_client.post(reverse("mail:settings"), choices | {"badge": "off"})

    assert response.status_code == 302
    modes = email_modes_for(customer)
    assert modes["badge"] == "off"
    assert modes["sla"] == "off"  # untouched
    assert modes["moderation"] == "instant"


def test_a_bad_choice_is_a_form_error_and_changes_nothing(customer_client, customer):
    choices = dict(DEFAULT_MODES) | {"answer": "hourly"}

    response = customer_client.post(reverse("mail:settings"), choices)

    assert response.status_code == 400
    assert not EmailPreference.objects.exists()


def test_the_settings_form_needs_csrf(customer):
    client = Client(enforce_csrf_checks=True)
    client.force_login(customer)

    response = client.post(reverse("mail:settings"), dict(DEFAULT_MODES) | {"answer": "off"})

    assert response.status_code == 403
    assert not EmailPreference.objects.exists()


def test_an_unverified_member_is_told_why_no_email_comes(customer_client, customer):
    EmailAddress.objects.filter(user=customer).update(verified=False)

    page = customer_client.get(reverse("mail:settings"))

    assert "not verified" in page.content.decode()
