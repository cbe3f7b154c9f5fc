"""The desk's pages, the escalate button and "my escalations": what each role sees and
can do, and that a refused act changes nothing and publishes nothing."""

from __future__ import annotations

import pytest
from django.test import Client

from advocacy.models import CannedResponse, DeskNote, Escalation
from advocacy.services import escalations
from forum.models import Answer, Notification
from tests.advocacy.desk_support import escalate, published, snapshot
from tests.factories import AnswerFactory, QuestionFactory, UserFactory

pytestmark = pytest.mark.django_db

ROLES = [
    "anonymous",
    "customer",
    "other_customer",
    "helper",
    "advocate",
    "revoked_advocate",
    "suspended_advocate",
    "staff",
    "manager",
]


@pytest.fixture
def as_role(request, customer, other_customer, helper, advocate, revoked_advocate, staff, manager):
    """`as_role(name)`: a client logged in as that role (anonymous: not logged in)."""
    from datetime import timedelta

    from django.utils import timezone

    members = {
        "customer": customer,
        "other_customer": other_customer,
        "helper": helper,
        "advocate": advocate,
        "revoked_advocate": revoked_advocate,
        "staff": staff,
        "manager": manager,
    }

    def make(role: str) -> Client:
        client = Client()
        if role == "suspended_advocate":
            member = UserFactory(
                username="sospeso",
                reputation=6000,
                is_advocate=True,
                suspended_until=timezone.now() + timedelta(days=3),
            )
            client.force_login(member)
        elif role != "anonymous":
            client.force_login(members[role])
        return client

    return make


@pytest.fixture
def case(advocate, question):
    return escalate(advocate, question)


# The escalate button -------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_who_may_escalate(role, as_role, question, django_capture_on_commit_callbacks):
    client = as_role(role)
    before = snapshot()

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post(
            f"/questions/{question.pk}/escalate/", {"reason": "Billing error", "priority": "high"}
        )

    if role in ("advocate", "staff", "manager"):
        assert response.status_code == 302
        assert Escalation.objects.get().reason == "Billing error"
        assert published(callbacks)[0][:2] == ("desk", "escalation.created")
    else:
        assert response.status_code == (302 if role == "anonymous" else 403)
        if role == "anonymous":
            assert response["Location"].startswith("/accounts/login/")
        assert snapshot() == before
        assert published(callbacks) == []


def test_the_question_page_offers_the_button_to_advocates_only(
    advocate_client, customer_client, client, staff_client, question
):
    button = b"Escalate to staff"

    assert button in advocate_client.get(question.get_absolute_url()).content
    assert button in staff_client.get(question.get_absolute_url()).content
    assert button not in customer_client.get(question.get_absolute_url()).content
    assert button not in client.get(question.get_absolute_url()).content


def test_an_escalated_question_shows_its_status_to_advocates(advocate_client, case, question):
    page = advocate_client.get(question.get_absolute_url()).content.decode()

    assert "Escalated to staff: Open" in page


def test_a_bad_escalation_shows_the_form_again(advocate_client, question):
    response = advocate_client.post(
        f"/questions/{question.pk}/escalate/", {"reason": "  ", "priority": "high"}
    )

    assert response.status_code == 400
    assert "The reason cannot be empty." in response.content.decode()
    assert not Escalation.objects.exists()


def test_escalating_again_adds_to_the_case(advocate_client, staff, case, question):
    response = advocate_client.post(
        f"/questions/{question.pk}/escalate/",
        {"reason": "Still broken", "priority": "low"},
        follow=True,
    )

    assert "already with staff" in response.content.decode()
    assert Escalation.objects.count() == 1


# My escalations ------------------------------------------------------------------------------


def test_advocates_follow_their_escalations(advocate_client, staff, case):
    escalations.resolve_escalation(actor=staff, escalation=case, resolution="Refunded <b>today</b>")

    page = advocate_client.get("/escalations/mine/").content.decode()

    assert case.question.title in page
    assert "Resolved" in page
    assert "Refunded &lt;b&gt;today&lt;/b&gt;" in page


@pytest.mark.parametrize(
    ("role", "status"), [("customer", 200), ("anonymous", 302), ("staff", 200)]
)
def test_my_escalations_is_for_every_member(as_role, role, status):
    assert as_role(role).get("/escalations/mine/").status_code == status


# The desk -------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_only_staff_open_the_desk(role, as_role, case):
    client = as_role(role)

    queue = client.get("/desk/")
    page = client.get(f"/desk/{case.pk}/")

    if role in ("staff", "manager"):
        assert (queue.status_code, page.status_code) == (200, 200)
        assert case.question.title in queue.content.decode()
    elif role == "anonymous":
        assert (queue.status_code, page.status_code) == (302, 302)
    else:
        assert (queue.status_code, page.status_code) == (403, 403)
        assert "Only support staff" in queue.content.decode()


DESK_ACTS = {
    "claim": ({}, "claim"),
    "assign": ({"assignee": ""}, "assign"),
    "status": ({"status": "waiting_on_customer"}, "status"),
    "priority": ({"priority": "urgent"}, "priority"),
    "update": ({"assignee": "", "status": "waiting_on_customer", "priority": "urgent"}, "update"),
    "notes": ({"body": "Internal: account flagged"}, "note"),
    "answer": ({"body": "Official: we fixed your account."}, "answer"),
    "resolve": ({"resolution": "Fixed"}, "resolve"),
    "dismiss": ({"reason": "Nothing to do"}, "dismiss"),
}


@pytest.mark.parametrize("role", [r for r in ROLES if r not in ("staff", "manager")])
@pytest.mark.parametrize("act", list(DESK_ACTS))
def test_no_one_but_staff_works_a_case(
    role, act, as_role, case, django_capture_on_commit_callbacks
):
    client = as_role(role)
    data, _name = DESK_ACTS[act]
    before = snapshot()

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post(f"/desk/{case.pk}/{act}/", data)

    assert response.status_code in (302, 403)
    if role != "anonymous":
        assert response.status_code == 403
    assert snapshot() == before
    assert published(callbacks) == []


@pytest.mark.parametrize("role", ["staff", "manager"])
@pytest.mark.parametrize("act", list(DESK_ACTS))
def test_staff_work_a_case(role, act, as_role, case):
    client = as_role(role)
    data, _name = DESK_ACTS[act]

    response = client.post(f"/desk/{case.pk}/{act}/", data)

    assert response.status_code == 302, response.content.decode()[:2000]
    assert response["Location"] == f"/desk/{case.pk}/"


def test_bulk_assign_by_anyone_else_changes_nothing(customer_client, advocate_client, case, staff):
    before = snapshot()

    for client in (customer_client, advocate_client):
        response = client.post("/desk/assign/", {"escalations": [case.pk], "assignee": staff.pk})
        assert response.status_code == 403
    assert snapshot() == before


def test_bulk_assign_from_the_queue(staff_client, staff, advocate, customer):
    cases = [escalate(advocate, QuestionFactory(author=customer)) for _ in range(2)]

    response = staff_client.post(
        "/desk/assign/",
        {"escalations": [c.pk for c in cases], "assignee": staff.pk, "next": "/desk/?view=mine"},
        follow=True,
    )

    assert response.redirect_chain[-1][0] == "/desk/?view=mine"
    assert "2 escalations assigned to Sofia (Support)." in response.content.decode()
    assert Escalation.objects.filter(assignee=staff).count() == 2


def test_bulk_assign_with_nothing_chosen_says_so(staff_client, staff):
    response = staff_client.post("/desk/assign/", {"assignee": staff.pk}, follow=True)

    assert "Choose at least one escalation." in response.content.decode()


def test_a_second_claim_is_refused_with_who_has_it(staff_client, manager, case):
    escalations.claim_escalation(actor=manager, escalation=case)

    response = staff_client.post(f"/desk/{case.pk}/claim/")

    assert response.status_code == 409
    assert "Marco has already claimed this escalation." in response.content.decode()


def test_the_queue_filters(staff_client, staff, advocate, customer):
    mine = escalate(advocate, QuestionFactory(author=customer, title="Mine: roaming charges"))
    escalations.claim_escalation(actor=staff, escalation=mine)
    escalate(
        advocate, QuestionFactory(author=customer, title="Free: eSIM activation"), priority="low"
    )

    def titles(query: str) -> str:
        return staff_client.get(f"/desk/?{query}").content.decode()

    assert "Mine: roaming" in titles("view=mine")
    assert "Free: eSIM" not in titles("view=mine")
    assert "Free: eSIM" in titles("view=unassigned")
    assert "Mine: roaming" not in titles("view=unassigned")
    assert "Free: eSIM" in titles("priority=low")
    assert "Mine: roaming" not in titles("priority=low")
    assert "Mine: roaming" in titles("status=in_progress")
    # Nonsense filters fall back to the whole queue.
    assert "Mine: roaming" in titles("status=%00&priority=x&category=nope&view=zzz&page=-1")


def test_the_case_shows_thread_history_notes_and_the_customer(
    staff_client, staff, case, question, helper
):
    AnswerFactory(question=question, author=helper, body="Try restarting the router first.")
    escalations.add_note(actor=staff, escalation=case, body="Called the customer at 10:00")

    page = staff_client.get(f"/desk/{case.pk}/").content.decode()

    assert question.body in page
    assert "Try restarting the router first." in page
    assert "Called the customer at 10:00" in page
    assert "Anna Rossi" in page  # the customer panel
    assert "The customer is being charged twice." in page  # the reason


def test_canned_responses_fill_their_placeholders(staff_client, case):
    canned = CannedResponse.objects.create(
        title="Refund", body="Hi {customer}, {agent} here about “{question}”. {unknown}"
    )

    page = staff_client.get(f"/desk/{case.pk}/?canned={canned.pk}").content.decode()

    expected = f"Hi Anna Rossi, Sofia (Support) here about “{case.question.title}”. {{unknown}}"
    assert expected in page.replace("&quot;", '"').replace("&#x27;", "'")


def test_resolve_with_verdicts_from_the_form(staff_client, case, question, helper):
    answer = AnswerFactory(question=question, author=helper)

    response = staff_client.post(
        f"/desk/{case.pk}/resolve/",
        {"resolution": "Solved by Carla's answer", f"verdict_{answer.pk}": "correct"},
    )

    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == "resolved"
    assert answer.verdict.verdict == "correct"


def test_a_bad_form_keeps_what_was_typed(staff_client, case):
    response = staff_client.post(f"/desk/{case.pk}/resolve/", {"resolution": "x" * 2001})

    assert response.status_code == 400
    assert "at most 2000 characters" in response.content.decode()
    case.refresh_from_db()
    assert case.status == "open"


def test_unknown_cases_are_404(staff_client):
    assert staff_client.get("/desk/999999/").status_code == 404
    assert staff_client.post("/desk/999999/claim/").status_code == 404


def test_nav_link_for_staff_only(staff_client, customer_client):
    assert b'href="/desk/"' in staff_client.get("/").content
    assert b'href="/desk/"' not in customer_client.get("/").content


def test_csrf_is_required(staff, case):
    client = Client(enforce_csrf_checks=True)
    client.force_login(staff)

    assert client.post(f"/desk/{case.pk}/claim/").status_code == 403
    case.refresh_from_db()
    assert case.assignee is None


def test_official_answers_are_marked_and_pinned(
    staff_client, staff, case, question, helper, client
):
    AnswerFactory(question=question, author=helper, body="A community answer with votes.")
    Answer.objects.filter(author=helper).update(score=10)
    official = escalations.post_official_answer(
        actor=staff, escalation=case, body="The official answer from staff."
    )

    page = client.get(question.get_absolute_url()).content.decode()

    assert page.index(f'id="answer-{official.pk}"') < page.index("A community answer with votes.")
    assert "official" in page[page.index(f'id="answer-{official.pk}"') - 200 :][:400]
    assert Notification.objects.filter(recipient=question.author, kind="answer").exists()
    assert DeskNote.objects.count() == 0


def test_the_customer_panel_shows_crm_attributes(staff_client, case, customer):
    from advocacy.models.crm import CrmRecord

    CrmRecord.objects.create(
        external_id="CUST-0042",
        email=customer.email,
        user=customer,
        attributes={"plan": "Unlimited 5G <b>", "lifetime value": "1,240 EUR"},
    )

    page = staff_client.get(f"/desk/{case.pk}/").content.decode()

    assert "CUST-0042" in page
    assert "Unlimited 5G &lt;b&gt;" in page
    assert "1,240 EUR" in page


def test_the_queue_counts_follow_in_the_live_partial(staff_client, advocate, customer):
    escalate(advocate, QuestionFactory(author=customer))

    partial = staff_client.get("/desk/?partial=1").content.decode()

    assert "<html" not in partial
    assert "1 open escalation" in partial
    assert 'class="count">1<' in partial


def _queries(client, url: str) -> int:  # noqa: ANN001
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_the_queue_costs_the_same_for_3_or_12_cases(staff_client, staff, advocate, customer):
    for _ in range(3):
        escalate(advocate, QuestionFactory(author=customer))
    few = _queries(staff_client, "/desk/")
    for _ in range(9):
        case = escalate(advocate, QuestionFactory(author=customer))
        escalations.claim_escalation(actor=staff, escalation=case)

    assert _queries(staff_client, "/desk/") == few


def test_the_case_costs_the_same_for_1_or_6_answers_and_notes(
    staff_client, staff, case, question, helper
):
    AnswerFactory(question=question, author=helper)
    escalations.add_note(actor=staff, escalation=case, body="First note")
    few = _queries(staff_client, f"/desk/{case.pk}/")
    for n in range(5):
        AnswerFactory(question=question, author=UserFactory(username=f"answerer{n}"))
        escalations.add_note(actor=staff, escalation=case, body=f"Note {n}")

    assert _queries(staff_client, f"/desk/{case.pk}/") == few


def test_the_desk_speaks_italian(staff, advocate, question, helper):
    from django.conf import settings as django_settings

    AnswerFactory(question=question, author=helper)
    case = escalate(advocate, question, priority="urgent")
    escalations.add_note(actor=staff, escalation=case, body="Nota")
    staff.locale = "it"
    staff.save(update_fields=["locale"])
    client = Client()
    client.force_login(staff)
    client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "it"

    queue = client.get("/desk/").content.decode()
    page = client.get(f"/desk/{case.pk}/").content.decode()

    assert "Sportello segnalazioni" in queue
    assert "Urgente" in queue
    assert "Prendi in carico" in queue
    assert "1 segnalazione aperta" in queue
    assert "Cronologia e note interne" in page
    assert "Giudica le risposte della community" in page
    assert "ha scritto una nota interna" in page
    assert "Pubblica la risposta ufficiale" in page


def test_a_waiting_case_shows_when_the_customer_replied(staff_client, staff, case, customer):
    from forum import services as forum_services

    escalations.set_escalation_status(actor=staff, escalation=case, status="waiting_on_customer")
    assert "Customer replied" not in staff_client.get("/desk/").content.decode()

    forum_services.post_comment(
        actor=customer, post=case.question, body="Here is my invoice number."
    )

    assert "Customer replied" in staff_client.get("/desk/").content.decode()
    assert "Customer replied" in staff_client.get(f"/desk/{case.pk}/").content.decode()
    escalations.set_escalation_status(actor=staff, escalation=case, status="in_progress")
    assert "Customer replied" not in staff_client.get("/desk/").content.decode()


def test_the_case_page_has_one_save_for_assignee_status_and_priority(staff_client, staff, case):
    # issue 15: three separate Save buttons
    page = staff_client.get(f"/desk/{case.pk}/").content.decode()
    assert page.count(f'action="/desk/{case.pk}/update/"') == 1
    assert f'action="/desk/{case.pk}/status/"' not in page
    assert f'action="/desk/{case.pk}/priority/"' not in page


def test_one_save_changes_only_what_was_changed(staff_client, staff, case):
    case.refresh_from_db()
    before_status, before_assignee = case.status, case.assignee_id
    # the page as shown (status "open" is the empty choice), with only the priority changed
    response = staff_client.post(
        f"/desk/{case.pk}/update/",
        {"assignee": before_assignee or "", "status": "", "priority": "urgent"},
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert (case.priority, case.status, case.assignee_id) == (
        "urgent",
        before_status,
        before_assignee,
    )
    # then assignee and status together
    response = staff_client.post(
        f"/desk/{case.pk}/update/",
        {"assignee": staff.pk, "status": "waiting_on_customer", "priority": "urgent"},
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert (case.assignee_id, case.status, case.priority) == (
        staff.pk,
        "waiting_on_customer",
        "urgent",
    )


def test_a_bad_value_in_the_one_save_is_a_form_error_and_changes_nothing(staff_client, case):
    before = snapshot()
    response = staff_client.post(
        f"/desk/{case.pk}/update/", {"assignee": "999999", "status": "", "priority": "whenever"}
    )
    assert response.status_code == 400
    assert snapshot() == before
