"""The staff page of fair-play cases: who may see it, the evidence it shows, "mark
reviewed"; refusals change nothing; every member's text is escaped."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from forum import services
from gamification.fairplay.models import FairPlayCase
from gamification.fairplay.sweep import sweep_fair_play
from tests.factories import AnswerFactory, QuestionFactory
from tests.gamification.support import member
from tests.naughty import NAUGHTY_SAMPLE

pytestmark = pytest.mark.django_db


def serial_case(voter_name: str = "fan", target_name: str = "author", n: int = 7) -> FairPlayCase:
    """A serial-voting case: `voter_name` upvoted n answers of `target_name` (5 paid)."""
    author = member(1, username=target_name.replace(" ", "_")[:30] or "author")
    author.display_name = target_name[:50]
    author.save(update_fields=["display_name"])
    fan = member(200, username="fan-voter")
    fan.display_name = voter_name[:50]
    fan.save(update_fields=["display_name"])
    question = QuestionFactory(author=member(1, username="asker"), title="Roaming in Spain?")
    for answer in AnswerFactory.create_batch(n, question=question, author=author):
        services.cast_vote(actor=fan, post=answer, value=1)
    sweep_fair_play()
    return FairPlayCase.objects.get()


def snapshot(case: FairPlayCase) -> tuple:
    case.refresh_from_db()
    return (case.status, case.reviewed_by_id, case.reviewed_at, case.review_note)


# Who may see the cases -----------------------------------------------------------------


@pytest.mark.parametrize(
    "role", ["customer_client", "other_client", "helper_client", "advocate_client"]
)
def test_members_and_advocates_are_refused_the_list_and_the_case(request, role):
    case = serial_case()
    client = request.getfixturevalue(role)

    assert client.get("/fair-play/").status_code == 403
    assert client.get(f"/fair-play/{case.pk}/").status_code == 403


def test_anonymous_visitors_are_sent_to_log_in(client):
    case = serial_case()

    page = client.get("/fair-play/")
    post = client.post(f"/fair-play/{case.pk}/review/", {"note": "x"})

    assert page.status_code == 302
    assert page["Location"].startswith("/accounts/login/?next=/fair-play/")
    assert post.status_code == 302
    assert snapshot(case)[0] == "open"


@pytest.mark.parametrize("role", ["staff_client", "manager_client"])
def test_staff_and_managers_see_open_cases_with_their_evidence(request, role):
    case = serial_case()
    client = request.getfixturevalue(role)

    listing = client.get("/fair-play/").content.decode()
    detail = client.get(f"/fair-play/{case.pk}/").content.decode()

    assert f'href="/fair-play/{case.pk}/"' in listing
    assert "Serial voting" in listing or "serial voting" in listing
    assert detail.count("Roaming in Spain?") == 7
    assert detail.count("serial voting: no points") == 2
    assert detail.count("kept") == 5
    assert "Mark reviewed" in detail


def test_the_list_is_filtered_by_status_and_bad_filters_fall_back(staff_client, staff):
    from gamification.fairplay.services import review_case

    case = serial_case()

    assert f"/fair-play/{case.pk}/" in staff_client.get("/fair-play/?status=open").content.decode()
    review_case(actor=staff, case=case, note="")
    assert f"/fair-play/{case.pk}/" not in staff_client.get("/fair-play/").content.decode()
    reviewed = staff_client.get("/fair-play/?status=reviewed").content.decode()
    assert f"/fair-play/{case.pk}/" in reviewed
    for query in ("?status=bogus", "?page=0", "?page=abc", "?page=99999999999999999999"):
        assert staff_client.get(f"/fair-play/{query}").status_code == 200


def test_unknown_cases_are_404(staff_client):
    assert staff_client.get("/fair-play/999/").status_code == 404
    assert staff_client.get(f"/fair-play/{2**64}/").status_code == 404
    assert staff_client.post("/fair-play/999/review/", {"note": ""}).status_code == 404


def test_the_list_costs_the_same_queries_for_one_case_or_many(staff_client):
    serial_case()
    with CaptureQueriesContext(connection) as one:
        staff_client.get("/fair-play/")
    for i in range(4):
        target = member(1, username=f"target{i}")
        voter = member(200, username=f"voter{i}")
        for answer in AnswerFactory.create_batch(6, author=target):
            services.cast_vote(actor=voter, post=answer, value=1)
    sweep_fair_play()
    assert FairPlayCase.objects.count() == 5
    with CaptureQueriesContext(connection) as many:
        staff_client.get("/fair-play/")

    assert len(many.captured_queries) == len(one.captured_queries)


# Mark reviewed ----------------------------------------------------------------------------


def test_staff_mark_a_case_reviewed_with_a_note(staff, staff_client):
    case = serial_case()

    response = staff_client.post(
        f"/fair-play/{case.pk}/review/", {"note": "Spoke to both; siblings."}
    )

    assert response.status_code == 302
    assert response["Location"] == f"/fair-play/{case.pk}/"
    status, reviewer, reviewed_at, note = snapshot(case)
    assert (status, reviewer, note) == ("reviewed", staff.pk, "Spoke to both; siblings.")
    assert reviewed_at is not None
    page = staff_client.get(f"/fair-play/{case.pk}/").content.decode()
    assert "Spoke to both; siblings." in page
    assert "Mark reviewed" not in page


@pytest.mark.parametrize(
    "role", ["customer_client", "other_client", "helper_client", "advocate_client"]
)
def test_a_refused_review_changes_nothing(request, role, django_capture_on_commit_callbacks):
    case = serial_case()
    before = snapshot(case)
    client = request.getfixturevalue(role)

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post(f"/fair-play/{case.pk}/review/", {"note": "done"})

    assert response.status_code == 403
    assert snapshot(case) == before
    assert callbacks == []


def test_a_review_needs_a_post_and_a_csrf_token(staff):
    case = serial_case()
    client = Client(enforce_csrf_checks=True)
    client.force_login(staff)

    assert client.get(f"/fair-play/{case.pk}/review/").status_code == 405
    assert client.post(f"/fair-play/{case.pk}/review/", {"note": ""}).status_code == 403
    assert snapshot(case)[0] == "open"


def test_a_note_at_the_limit_is_kept_and_one_over_is_refused(staff_client):
    case = serial_case()

    too_long = staff_client.post(f"/fair-play/{case.pk}/review/", {"note": "x" * 2001})
    assert too_long.status_code == 400
    assert "2000" in too_long.content.decode()
    assert snapshot(case)[0] == "open"

    ok = staff_client.post(f"/fair-play/{case.pk}/review/", {"note": "x" * 2000})
    assert ok.status_code == 302
    assert len(snapshot(case)[3]) == 2000


def test_reviewing_twice_is_refused_and_keeps_the_first_review(staff, manager_client):
    from gamification.fairplay.services import review_case

    case = serial_case()
    review_case(actor=staff, case=case, note="first")

    again = manager_client.post(f"/fair-play/{case.pk}/review/", {"note": "second"})

    assert again.status_code == 400
    assert "already been reviewed" in again.content.decode()
    assert snapshot(case)[1:4:2] == (staff.pk, "first")


@pytest.mark.parametrize("text", NAUGHTY_SAMPLE)
def test_naughty_names_and_notes_are_escaped(staff_client, text):
    case = serial_case(voter_name=f"<script>alert(1)</script>{text}", target_name="author")

    staff_client.post(
        f"/fair-play/{case.pk}/review/", {"note": f'<img src=x onerror="alert(1)">{text}'}
    )
    pages = [
        staff_client.get("/fair-play/?status=reviewed").content.decode(),
        staff_client.get(f"/fair-play/{case.pk}/").content.decode(),
    ]

    for page in pages:
        assert "<script>alert(1)" not in page
        assert "<img src=x" not in page
    assert snapshot(case)[0] == "reviewed"


def test_only_staff_find_the_page_in_their_menu(staff_client, manager_client, advocate_client):
    assert 'href="/fair-play/"' in staff_client.get("/").content.decode()
    assert 'href="/fair-play/"' in manager_client.get("/").content.decode()
    assert 'href="/fair-play/"' not in advocate_client.get("/").content.decode()
