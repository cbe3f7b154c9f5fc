"""Member profiles (tabs, privacy of deleted posts) and the profile settings page."""

from __future__ import annotations

import io
import os
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from PIL import Image

from forum.models import Question, User
from tests.factories import AnswerFactory, QuestionFactory, UserFactory

pytestmark = pytest.mark.django_db


def ago(minutes: int):
    return timezone.now() - timedelta(minutes=minutes)


def titles(response) -> list[str]:
    return [q.title for q in response.context["page_obj"].object_list]


def answer_ids(response) -> list[int]:
    return [a.pk for a in response.context["page_obj"].object_list]


def image_file(name: str = "me.png", fmt: str = "PNG", size=(64, 64)) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 40, 40)).save(buffer, format=fmt)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type=f"image/{fmt.lower()}")


def profile_post(**overrides) -> dict:
    data = {"display_name": "Anna R.", "bio": "", "locale": ""}
    data.update(overrides)
    return data


# --- The profile page ------------------------------------------------------------------


def test_profile_shows_identity_bio_reputation_and_stats(client, customer):
    # given a member with a bio, 2 live questions (1 deleted), 3 answers, 1 accepted
    User.objects.filter(pk=customer.pk).update(
        bio="Line one <b>bold?</b>\nLine two", reputation=1234
    )
    QuestionFactory(author=customer)
    QuestionFactory(author=customer)
    QuestionFactory(author=customer, deleted_at=ago(0))
    answered = QuestionFactory()
    AnswerFactory(question=answered, author=customer)
    accepted = AnswerFactory(author=customer)
    Question.objects.filter(pk=accepted.question_id).update(accepted_answer=accepted)
    AnswerFactory(author=customer)

    # when
    response = client.get("/u/anna/")

    # then
    assert response.status_code == 200
    assert response.context["stats"] == {"questions": 2, "answers": 3, "accepted": 1}
    html = response.content.decode()
    assert '<h1 id="profile-name">Anna Rossi</h1>' in html
    assert "@anna" in html
    assert "<p>Line one &lt;b&gt;bold?&lt;/b&gt;<br>Line two</p>" in html
    assert "<dt>Reputation</dt><dd>1,234</dd>" in html
    assert "<dt>Questions</dt><dd>2</dd>" in html
    assert "<dt>Answers</dt><dd>3</dd>" in html
    assert "<dt>Accepted</dt><dd>1</dd>" in html
    assert f'<time datetime="{timezone.localtime(customer.date_joined).isoformat()}">' in html
    assert "<title>Anna Rossi · Circolo</title>" in html


def test_profile_without_display_name_shows_initials_and_username(client):
    UserFactory(username="zoe_k")

    html = client.get("/u/zoe_k/").content.decode()

    assert '<h1 id="profile-name">zoe_k</h1>' in html
    assert 'aria-hidden="true">ZK</span>' in html


def test_initials_skip_words_that_do_not_start_with_a_letter(client):
    UserFactory(username="giulia", display_name="Giulia (demo)")

    html = client.get("/u/giulia/").content.decode()

    assert 'aria-hidden="true">G</span>' in html


def test_profile_opens_on_answers_for_a_member_who_only_answers(client, helper):
    answer = AnswerFactory(author=helper)

    response = client.get("/u/carla/")

    assert response.context["current_tab"].key == "answers"
    assert answer_ids(response) == [answer.pk]


def test_unknown_or_inactive_member_is_404(client):
    UserFactory(username="gone", is_active=False)

    assert client.get("/u/nobody/").status_code == 404
    assert client.get("/u/gone/").status_code == 404


def test_edit_link_only_on_own_profile(customer_client, other_client, customer):
    assert "/settings/profile/" in _main(customer_client.get("/u/anna/"))
    assert "/settings/profile/" not in _main(other_client.get("/u/anna/"))


def _main(response) -> str:
    html = response.content.decode()
    return html[html.index("<main") : html.index("</main>")]


def test_questions_tab_hides_deleted_questions_from_others(
    client, customer, customer_client, other_client, staff_client
):
    QuestionFactory(author=customer, title="Live question by Anna", created_at=ago(5))
    QuestionFactory(author=customer, title="Deleted question by Anna", deleted_at=ago(0))
    QuestionFactory(title="Someone else's question")

    assert titles(client.get("/u/anna/")) == ["Live question by Anna"]
    assert titles(other_client.get("/u/anna/?tab=questions")) == ["Live question by Anna"]
    own = customer_client.get("/u/anna/")
    assert titles(own) == ["Deleted question by Anna", "Live question by Anna"]
    assert '<span class="status-badge bad">deleted</span>' in own.content.decode()
    assert titles(staff_client.get("/u/anna/")) == [
        "Deleted question by Anna",
        "Live question by Anna",
    ]


def test_answers_tab_lists_answers_newest_first_and_hides_deleted_from_others(
    client, customer, customer_client, other_client
):
    older = AnswerFactory(author=customer, created_at=ago(30))
    newer = AnswerFactory(author=customer, created_at=ago(1))
    deleted = AnswerFactory(author=customer, created_at=ago(2), deleted_at=ago(0))
    on_deleted_question = AnswerFactory(
        author=customer, question=QuestionFactory(deleted_at=ago(0))
    )
    AnswerFactory(created_at=ago(3))  # someone else's

    assert answer_ids(client.get("/u/anna/?tab=answers")) == [newer.pk, older.pk]
    assert answer_ids(other_client.get("/u/anna/?tab=answers")) == [newer.pk, older.pk]
    own = customer_client.get("/u/anna/?tab=answers")
    assert answer_ids(own) == [newer.pk, deleted.pk, older.pk]
    assert on_deleted_question.pk not in answer_ids(own)
    html = own.content.decode()
    assert f'<a href="/q/{newer.question_id}/#answer-{newer.pk}">' in html
    assert '<a href="?tab=answers" aria-current="page">Answers</a>' in html


def test_accepted_tab_lists_only_accepted_answers(client, customer):
    plain = AnswerFactory(author=customer)
    accepted = AnswerFactory(author=customer)
    Question.objects.filter(pk=accepted.question_id).update(accepted_answer=accepted)

    response = client.get("/u/anna/?tab=accepted")

    assert answer_ids(response) == [accepted.pk]
    assert plain.pk not in answer_ids(response)
    assert '<span class="answer-score accepted">' in response.content.decode()


def test_empty_tabs_say_so(client, customer):
    html = client.get("/u/anna/?tab=answers").content.decode()

    assert "Anna Rossi has not answered any questions yet." in html


def test_profile_tabs_are_paginated(client, customer):
    for n in range(23):
        AnswerFactory(author=customer, created_at=ago(100 - n))

    first = client.get("/u/anna/?tab=answers")
    second = client.get("/u/anna/?tab=answers&page=2")

    assert len(answer_ids(first)) == 20
    assert len(answer_ids(second)) == 3
    assert '<a href="?tab=answers&amp;page=2" rel="next">Next</a>' in first.content.decode()


def test_profile_escapes_display_name(client):
    UserFactory(username="mallory", display_name="<script>x()</script>")

    html = client.get("/u/mallory/").content.decode()

    assert "<script>x()</script>" not in html
    assert "&lt;script&gt;x()&lt;/script&gt;" in html


def _queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_profile_queries_do_not_grow_with_the_posts_shown(client, customer):
    QuestionFactory(author=customer)
    AnswerFactory(author=customer)
    few = {tab: _queries(client, f"/u/anna/?tab={tab}") for tab in ("questions", "answers")}
    for _ in range(25):
        QuestionFactory(author=customer, tags=["sim", "esim"])
        AnswerFactory(author=customer)

    many = {tab: _queries(client, f"/u/anna/?tab={tab}") for tab in ("questions", "answers")}

    assert many == few


# --- Editing the profile ----------------------------------------------------------------


def test_anonymous_is_sent_to_log_in(client):
    response = client.get("/settings/profile/")

    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/settings/profile/"


def test_edit_form_is_prefilled(customer_client):
    html = customer_client.get("/settings/profile/").content.decode()

    assert 'name="display_name" value="Anna Rossi"' in html
    assert '<label for="id_avatar">Choose a new picture</label>' in html


def test_valid_edit_saves_and_redirects_with_a_message(customer_client, customer):
    response = customer_client.post(
        "/settings/profile/",
        profile_post(display_name="  Anna   R. ", bio="I help with\nroaming.", locale="it"),
        follow=True,
    )

    assert response.redirect_chain == [("/u/anna/", 302)]
    customer.refresh_from_db()
    assert customer.display_name == "Anna R."
    assert customer.bio == "I help with\nroaming."
    assert customer.locale == "it"
    assert [str(m) for m in response.context["messages"]] == ["Your profile has been saved."]


def test_avatar_upload_is_stored_under_a_random_name(customer_client, customer):
    response = customer_client.post(
        "/settings/profile/", profile_post(avatar=image_file("../../etc/passwd.png"))
    )

    assert response.status_code == 302
    customer.refresh_from_db()
    assert customer.avatar.name.startswith("avatars/")
    assert customer.avatar.name.endswith(".png")
    assert "passwd" not in customer.avatar.name
    html = customer_client.get("/u/anna/").content.decode()
    assert f'<img class="avatar avatar-lg" src="{customer.avatar.url}"' in html


def test_jpeg_and_webp_avatars_are_accepted(customer_client, customer):
    for fmt, ext in [("JPEG", ".jpg"), ("WEBP", ".webp")]:
        response = customer_client.post(
            "/settings/profile/", profile_post(avatar=image_file(f"me.{ext}", fmt=fmt))
        )
        assert response.status_code == 302
        customer.refresh_from_db()
        assert customer.avatar.name.endswith(ext)


def test_remove_avatar_clears_it(customer_client, customer):
    customer_client.post("/settings/profile/", profile_post(avatar=image_file()))

    customer_client.post("/settings/profile/", profile_post(remove_avatar="on"))

    customer.refresh_from_db()
    assert customer.avatar.name == ""


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (
            SimpleUploadedFile("fake.png", b"not an image at all", content_type="image/png"),
            "This file is not an image we can read. Upload a JPEG, PNG, GIF or WebP picture.",
        ),
        (
            SimpleUploadedFile(
                "x.svg",
                b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>',
                content_type="image/svg+xml",
            ),
            "This file is not an image we can read. Upload a JPEG, PNG, GIF or WebP picture.",
        ),
    ],
)
def test_invalid_avatar_is_refused_with_a_clear_error(customer_client, customer, upload, message):
    response = customer_client.post(
        "/settings/profile/", profile_post(display_name="Anna New", avatar=upload)
    )

    assert response.status_code == 200
    assert response.context["form"].errors == {"avatar": [message]}
    html = response.content.decode()
    assert 'name="display_name" value="Anna New"' in html  # what she typed is kept
    customer.refresh_from_db()
    assert customer.avatar.name == ""
    assert customer.display_name == "Anna Rossi"


def test_tiff_avatar_is_refused(customer_client, customer):
    response = customer_client.post(
        "/settings/profile/", profile_post(avatar=image_file("me.tiff", fmt="TIFF"))
    )

    assert response.status_code == 200
    assert response.context["form"].errors == {
        "avatar": ["Upload a JPEG, PNG, GIF or WebP picture."]
    }
    customer.refresh_from_db()
    assert customer.avatar.name == ""


def test_avatar_over_two_megabytes_is_refused(customer_client, customer):
    # random pixels do not compress: about 3 MB of PNG
    noise = Image.frombytes("RGB", (1000, 1000), os.urandom(3_000_000))
    buffer = io.BytesIO()
    noise.save(buffer, format="PNG")
    size = len(buffer.getvalue())
    assert size > 2 * 1024 * 1024
    upload = SimpleUploadedFile("big.png", buffer.getvalue(), content_type="image/png")

    response = customer_client.post("/settings/profile/", profile_post(avatar=upload))

    assert response.status_code == 200
    [error] = response.context["form"].errors["avatar"]
    assert error.startswith("The picture is 2.")
    assert error.endswith("MB; the limit is 2.0\xa0MB.")
    customer.refresh_from_db()
    assert customer.avatar.name == ""


def test_too_long_display_name_keeps_the_input(customer_client, customer):
    long_name = "A" * 51

    response = customer_client.post(
        "/settings/profile/", profile_post(display_name=long_name, bio="Kept bio")
    )

    assert response.status_code == 200
    assert response.context["form"].errors == {
        "display_name": ["Ensure this value has at most 50 characters (it has 51)."]
    }
    html = response.content.decode()
    assert f'value="{long_name}"' in html
    assert ">\nKept bio</textarea>" in html
    assert 'aria-invalid="true"' in html
    customer.refresh_from_db()
    assert customer.display_name == "Anna Rossi"


def test_display_name_of_fifty_characters_is_accepted(customer_client, customer):
    response = customer_client.post("/settings/profile/", profile_post(display_name="B" * 50))

    assert response.status_code == 302
    customer.refresh_from_db()
    assert customer.display_name == "B" * 50


def test_unknown_language_is_refused(customer_client, customer):
    response = customer_client.post("/settings/profile/", profile_post(locale="xx"))

    assert response.status_code == 200
    assert list(response.context["form"].errors) == ["locale"]
    customer.refresh_from_db()
    assert customer.locale == ""


def test_service_errors_become_form_errors(customer_client, customer):
    # a display name made only of invisible characters passes the form's length check,
    # and the service normalises it to an empty one: accepted as "no display name"
    response = customer_client.post("/settings/profile/", profile_post(display_name="\u200b\u200b"))

    assert response.status_code == 302
    customer.refresh_from_db()
    assert customer.display_name == ""


def test_profile_edit_requires_the_csrf_token(customer):
    client = Client(enforce_csrf_checks=True)
    client.force_login(customer)

    response = client.post("/settings/profile/", profile_post(display_name="Hacked"))

    assert response.status_code == 403
    assert "This form has expired" in response.content.decode()
    customer.refresh_from_db()
    assert customer.display_name == "Anna Rossi"


def test_profile_edit_with_the_csrf_token_works(customer):
    client = Client(enforce_csrf_checks=True)
    client.force_login(customer)
    client.get("/settings/profile/")
    token = client.cookies["csrftoken"].value

    response = client.post(
        "/settings/profile/", {**profile_post(display_name="Real"), "csrfmiddlewaretoken": token}
    )

    assert response.status_code == 302
    customer.refresh_from_db()
    assert customer.display_name == "Real"


def test_profile_pages_render_in_italian(client, customer_client, customer):
    AnswerFactory(author=customer)
    QuestionFactory(author=customer)

    for url in ["/u/anna/", "/u/anna/?tab=answers", "/u/anna/?tab=accepted"]:
        response = client.get(url, HTTP_ACCEPT_LANGUAGE="it")
        assert response.status_code == 200, url
        assert '<html lang="it">' in response.content.decode()
    customer_client.cookies["django_language"] = "it"
    edit = customer_client.get("/settings/profile/")
    assert edit.status_code == 200
    assert '<html lang="it">' in edit.content.decode()


def test_members_language_applies_after_saving(customer_client, customer):
    customer_client.post("/settings/profile/", profile_post(locale="it"))

    response = customer_client.get("/u/anna/")

    assert '<html lang="it">' in response.content.decode()
