"""Personal data and the privacy page in a real browser (daphne, as test_live.py): the
ask page warns and masks, a masked answer reaches another reader's socket masked, the
export downloads and the account erases."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from playwright.sync_api import expect

from forum.models import Answer, Question, User
from tests.browser.test_live import member, open_page, shots, site, visit  # noqa: F401
from tests.factories import QuestionFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

IBAN = "IT60 X054 2811 1010 0000 0123 456"
IBAN_MASKED = "IT60 **** **** **** **** ***3 456"
PHONE = "333 123 4567"
PHONE_MASKED = "*** *** 4567"


def test_the_ask_page_warns_and_masks_and_posts(site, open_page, shots):  # noqa: F811
    anna = member("anna", "Anna Rossi", reputation=20)
    page = open_page(anna)
    page.goto("/ask/")
    page.fill("#id_title", "My refund never arrived on my account")
    page.fill("#id_body", f"Please send the refund to {IBAN}, thank you.")
    page.fill("#id_tags", "billing")
    page.get_by_role("button", name="Post your question").click()

    warning = page.locator(".personal-data")
    expect(warning).to_contain_text("This looks like personal data.")
    expect(warning.locator("code")).to_have_text(IBAN_MASKED)
    expect(page.locator("#id_body")).to_have_value(f"Please send the refund to {IBAN}, thank you.")
    shots(page, "personal-data-warning")
    assert Question.objects.count() == 0

    page.get_by_role("button", name="Mask and post").click()
    expect(page.locator(".post-body").first).to_contain_text(IBAN_MASKED)
    assert IBAN not in page.content()
    shots(page, "personal-data-masked")
    assert Question.objects.get().body == f"Please send the refund to {IBAN_MASKED}, thank you."


def test_a_masked_answer_reaches_the_other_reader_masked(site, open_page):  # noqa: F811
    anna = member("anna", "Anna Rossi", reputation=20)
    bruno = member("bruno", "Bruno Bianchi", reputation=150)
    question = QuestionFactory(author=anna, title="No signal in the office since Monday")
    url = question.get_absolute_url()
    reader = open_page(anna)
    frames: list[str] = []
    reader.on("websocket", lambda ws: ws.on("framereceived", lambda f: frames.append(str(f))))
    visit(reader, url)
    writer = open_page(bruno)
    visit(writer, url)

    writer.fill("#answer-form textarea[name=body]", f"Call the shop on {PHONE}, they fixed mine.")
    writer.get_by_role("button", name="Post your answer").click()
    expect(writer.locator("#answer-form .personal-data code")).to_have_text(PHONE_MASKED)
    writer.get_by_role("button", name="Mask and post").click()

    expect(reader.locator(".answer-post .post-body").first).to_contain_text(
        f"Call the shop on {PHONE_MASKED}, they fixed mine."
    )
    assert any('"answer.created"' in frame for frame in frames)
    assert not any(PHONE in frame for frame in frames)
    assert PHONE not in reader.content()
    assert Answer.objects.get().body == f"Call the shop on {PHONE_MASKED}, they fixed mine."


def test_the_privacy_page_downloads_the_export_and_erases(site, open_page, shots):  # noqa: F811
    giulia = member("giulia", "Giulia Rossi", reputation=20)
    page = open_page(giulia)
    page.goto("/")
    page.locator(".user-menu summary").click()
    page.get_by_role("link", name="Your data and account").click()
    expect(page.get_by_role("heading", name="Your data and account")).to_be_visible()

    with page.expect_download() as download:
        page.get_by_role("link", name="Download my data").click()
    data = json.loads(Path(download.value.path()).read_text())
    assert download.value.suggested_filename.startswith(f"circolo-{giulia.pk}-")
    assert data["profile"]["username"] == "giulia"
    shots(page, "privacy-settings")

    page.fill("#id_password", "not-my-password")
    page.check("#id_confirm")
    page.get_by_role("button", name="Erase my account").click()
    expect(page.locator(".errorlist")).to_contain_text("The password is not correct.")
    assert User.objects.get(pk=giulia.pk).is_active

    page.fill("#id_password", "demo-password")
    page.check("#id_confirm")
    page.get_by_role("button", name="Erase my account").click()
    expect(page.get_by_text("Your account has been erased. Goodbye.")).to_be_visible()
    expect(page.get_by_role("link", name="Log in")).to_be_visible()
    shots(page, "privacy-erased")
    assert User.objects.get(pk=giulia.pk).username == f"deleted-{giulia.pk}"
