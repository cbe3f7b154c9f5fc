"""The first journey of PRODUCT.md, in a real browser: a new customer signs up in
Italian, verifies her e-mail, finds a similar question while typing, asks anyway; another
member answers, a helper votes the answer up, the asker accepts it, and search finds it.
"""

from __future__ import annotations

import re

import pytest
from django.core import mail
from playwright.sync_api import Page, expect

from forum.models import Answer, Question
from forum.search import update_search_vector
from tests.factories import CategoryFactory, QuestionFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def log_in(page: Page, login: str, password: str = "demo") -> None:
    page.goto("/accounts/login/")
    page.fill("input[name=login]", login)
    page.fill("input[name=password]", password)
    page.locator("form[action='/accounts/login/'] button[type=submit]").click()
    expect(page.locator(".user-menu")).to_be_visible()


def test_customer_asks_in_italian_and_accepts_a_community_answer(new_page, screenshots_dir):
    network = CategoryFactory(name="Network", name_it="Rete", slug="network")
    QuestionFactory(
        title="Come attivare la eSIM sul Pixel 8",
        body="Ho ricevuto il QR code ma il telefono non lo legge, cosa devo fare?",
        tags=["esim"],
    )
    update_search_vector()  # the factory writes rows directly, not through the service
    bruno = UserFactory(username="bruno", display_name="Bruno Bianchi")
    bruno.set_password("demo")
    bruno.save()
    carla = UserFactory(username="carla", display_name="Carla Verdi", reputation=1500)
    carla.set_password("demo")
    carla.save()

    # Anna signs up with the Italian interface and confirms the link from the e-mail.
    anna = new_page(locale="it-IT")
    anna.goto("/accounts/signup/")
    expect(anna.locator("html")).to_have_attribute("lang", "it")
    anna.fill("input[name=email]", "anna@example.com")
    anna.fill("input[name=username]", "anna")
    anna.fill("input[name=password1]", "una-password-lunga-42")
    anna.fill("input[name=password2]", "una-password-lunga-42")
    anna.locator("form[action='/accounts/signup/'] button[type=submit]").click()
    expect(anna).to_have_url(re.compile(r"/accounts/confirm-email/$"))
    assert len(mail.outbox) == 1
    assert mail.outbox[0].subject.startswith("[Circolo]")
    link = re.search(r"https?://\S+/accounts/confirm-email/\S+/", mail.outbox[0].body).group(0)
    anna.goto(link)
    anna.locator("main form button[type=submit]").click()
    expect(anna.locator(".user-menu")).to_be_visible()

    # While she types a title, the similar existing question shows up.
    anna.goto("/ask/")
    anna.fill("input[name=title]", "Attivare la eSIM sul Pixel 8 non funziona")
    similar = anna.locator(".similar")
    expect(similar.get_by_role("link", name="Come attivare la eSIM sul Pixel 8")).to_be_visible()
    anna.fill(
        "textarea[name=body]",
        "Il Pixel 8 dice `codice non valido` quando inquadro il QR.\n\n"
        "```\nERR_SIM_NOT_PROVISIONED\n```",
    )
    expect(anna.locator(".preview code").first).to_contain_text("codice non valido")
    anna.fill("input[name=tags]", "esim pixel")
    anna.select_option("select[name=category]", str(network.pk))
    if screenshots_dir:
        anna.screenshot(path=f"{screenshots_dir}/ask-it.png", full_page=True)
    anna.locator("form.ask-form button.primary").click()
    expect(anna.locator("h1")).to_have_text("Attivare la eSIM sul Pixel 8 non funziona")
    question = Question.objects.get(author__username="anna")
    assert sorted(question.tags.names()) == ["esim", "pixel"]
    assert question.category == network

    # Bruno answers from another browser.
    other = new_page()
    log_in(other, "bruno")
    other.goto(question.get_absolute_url())
    other.fill(
        "#answer-form textarea[name=body]",
        "Aggiorna il telefono e riprova a scansionare il QR code.",
    )
    other.locator("#answer-form button[type=submit]").click()
    expect(other.locator(".answer-post")).to_have_count(1)
    answer = Answer.objects.get(question=question)
    assert answer.author == bruno

    # Carla, an experienced helper, votes the answer up.
    helper = new_page()
    log_in(helper, "carla")
    helper.goto(question.get_absolute_url())
    helper.locator(f"#answer-{answer.pk} .vote-up").click()
    expect(helper.locator(f"#answer-{answer.pk} .vote-up")).to_have_attribute(
        "aria-pressed", "true"
    )
    expect(helper.locator(f"#answer-{answer.pk} .score")).to_have_text(re.compile(r"^1\b"))

    # Anna sees the answer and accepts it.
    anna.reload()
    anna.locator(f"#answer-{answer.pk} .accept-button").click()
    expect(anna.locator(f"#answer-{answer.pk} .accepted-mark")).to_be_visible()
    question.refresh_from_db()
    assert question.accepted_answer_id == answer.pk
    if screenshots_dir:
        anna.screenshot(path=f"{screenshots_dir}/question-it.png", full_page=True)

    # Anyone can find it by searching.
    visitor = new_page()
    visitor.goto("/search/?q=eSIM+Pixel")
    expect(visitor.get_by_role("link", name=re.compile("Attivare la eSIM"))).to_be_visible()


def test_question_page_works_without_javascript(browser, live_server):
    """Voting and answering are plain forms: with JavaScript off they still work."""
    author = UserFactory(username="dora")
    voter = UserFactory(username="enzo", reputation=200)
    voter.set_password("demo")
    voter.save()
    question = QuestionFactory(author=author, title="Bolletta doppia a novembre")
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False)
    page = context.new_page()
    log_in(page, "enzo")
    page.goto(question.get_absolute_url())
    page.locator(".question-post .vote-up").click()
    expect(page.locator(".question-post .score")).to_have_text(re.compile(r"^1\b"))
    page.fill(
        "#answer-form textarea[name=body]", "Chiedi il rimborso dall'area clienti, sezione fatture."
    )
    page.locator("#answer-form button[type=submit]").click()
    expect(page.locator(".answer-post")).to_have_count(1)
    context.close()
