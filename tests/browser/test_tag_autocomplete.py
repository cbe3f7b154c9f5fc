"""Tag autocomplete on the ask page (issue 15), with the keyboard alone: typing "sim" in
the tags field lists the matching tags as an ARIA combobox's options, each with its
description and question count; the arrows move through them, Enter picks one (the form
is not sent), Escape closes the list and leaves what was typed."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect
from taggit.models import Tag

from forum.models import TagInfo
from tests.browser.test_live import member, open_page, site  # noqa: F401 - fixtures
from tests.factories import QuestionFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_typing_sim_picks_a_tag_with_the_keyboard(site, open_page):  # noqa: F811
    anna = member("anna", "Anna Rossi", reputation=20)
    QuestionFactory(tags=["sim"])
    QuestionFactory(tags=["sim"])
    QuestionFactory(tags=["dual-sim"])
    QuestionFactory(tags=["roaming"])
    TagInfo.objects.create(
        tag=Tag.objects.get(name="dual-sim"),
        description="Two lines in one phone: which SIM carries data and calls.",
        description_it="Due linee in un telefono: quale SIM usa dati e chiamate.",
    )
    page = open_page(anna)
    page.goto("/ask/")
    tags = page.locator("#id_tags")
    expect(tags).to_have_attribute("role", "combobox")
    expect(tags).to_have_attribute("aria-expanded", "false")
    listbox = page.get_by_role("listbox", name="Matching tags")

    tags.focus()
    page.keyboard.type("sim")
    expect(tags).to_have_attribute("aria-expanded", "true")
    options = listbox.get_by_role("option")
    expect(options).to_have_count(2)
    expect(options.nth(0)).to_contain_text("sim")
    expect(options.nth(0)).to_contain_text("2 questions")
    expect(options.nth(1)).to_contain_text("Two lines in one phone")

    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    expect(options.nth(1)).to_have_attribute("aria-selected", "true")
    expect(tags).to_have_attribute("aria-activedescendant", options.nth(1).get_attribute("id"))
    page.keyboard.press("Enter")
    expect(tags).to_have_value("dual-sim, ")
    expect(tags).to_have_attribute("aria-expanded", "false")
    expect(page).to_have_url(re.compile(r"/ask/$"))  # Enter picked the tag, sent nothing

    page.keyboard.type("roa")
    expect(listbox.get_by_role("option")).to_have_count(1)
    page.keyboard.press("Escape")
    expect(tags).to_have_attribute("aria-expanded", "false")
    expect(listbox).to_be_hidden()
    expect(tags).to_have_value("dual-sim, roa")
    expect(tags).to_be_focused()


def test_the_suggestions_speak_italian(site, open_page):  # noqa: F811
    anna = member("anna", "Anna Rossi", reputation=20, locale="it")
    QuestionFactory(tags=["dual-sim"])
    TagInfo.objects.create(
        tag=Tag.objects.get(name="dual-sim"),
        description="Two lines in one phone.",
        description_it="Due linee in un telefono.",
    )
    page = open_page(anna, locale="it-IT")
    page.goto("/ask/")
    page.locator("#id_tags").focus()
    page.keyboard.type("dual")
    option = page.get_by_role("listbox", name="Tag corrispondenti").get_by_role("option")
    expect(option).to_contain_text("Due linee in un telefono.")
    expect(option).to_contain_text("1 domanda")
