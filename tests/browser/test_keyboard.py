"""The keyboard journey (issue 15): ask a question and answer it with the keyboard alone,
shortcuts included (n ask, j/k and Enter through the list, a answer, / search, ? help,
Escape closes menus), with a visible focus indicator at every stop."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from forum.models import Answer, Question
from tests.browser.test_live import (  # noqa: F401 - fixtures and helpers shared with test_live
    member,
    open_page,
    site,
)
from tests.factories import QuestionFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

FOCUS = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return null;
  const style = getComputedStyle(el);
  const ring = style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 2;
  return {tag: el.tagName.toLowerCase(), name: el.getAttribute('name') || el.id || el.textContent.trim().slice(0, 30),
          ring: ring || style.boxShadow !== 'none'};
}"""


def focused(page: Page) -> dict:
    """What has the focus, asserting that it shows a focus indicator."""
    state = page.evaluate(FOCUS)
    assert state is not None, "nothing has the focus"
    assert state["ring"], f"no visible focus on {state}"
    return state


def test_ask_and_answer_with_the_keyboard_alone(site, open_page):  # noqa: F811
    anna = member("anna", "Anna Rossi", reputation=20)
    carla = member("carla", "Carla Verdi", reputation=1500)
    QuestionFactory(title="An older question about roaming", tags=["roaming"])

    # Anna: "n" opens the ask page with the cursor already in the title
    asker = open_page(anna)
    asker.goto("/")
    asker.keyboard.press("n")
    expect(asker).to_have_url(re.compile(r"/ask/$"))
    asker.wait_for_load_state()
    assert focused(asker)["name"] == "title"
    asker.keyboard.type("My eSIM QR code says invalid code")
    asker.keyboard.press("Tab")
    assert focused(asker)["name"] == "body"
    asker.keyboard.type("Scanning it shows E-3021 on an iPhone 15.")
    asker.keyboard.press("Tab")
    assert focused(asker)["name"] == "tags"
    asker.keyboard.type("esim")
    asker.keyboard.press("Tab")
    assert focused(asker)["name"] == "category"
    asker.keyboard.press("Tab")
    assert focused(asker)["tag"] == "button"
    asker.keyboard.press("Enter")
    expect(asker.locator("h1")).to_contain_text("My eSIM QR code says invalid code")
    question = Question.objects.get(title="My eSIM QR code says invalid code")

    # Carla: "j" selects the newest question in the list, Enter opens it
    helper = open_page(carla)
    helper.goto("/")
    helper.keyboard.press("j")
    assert focused(helper)["tag"] == "li"
    expect(helper.locator(".question-row.key-selected")).to_contain_text("My eSIM QR code")
    helper.keyboard.press("j")
    expect(helper.locator(".question-row.key-selected")).to_contain_text("older question")
    helper.keyboard.press("k")
    expect(helper.locator(".question-row.key-selected")).to_contain_text("My eSIM QR code")
    helper.keyboard.press("Enter")
    expect(helper).to_have_url(re.compile(rf"/q/{question.pk}/"))
    helper.wait_for_load_state()
    # a whole page, not the list's column swapped in place (the list's hx-boost)
    expect(helper.locator("#question")).to_contain_text("Scanning it shows E-3021")

    # "j" walks the posts; "a" jumps to the answer box, where letters are text, not shortcuts
    helper.keyboard.press("j")
    assert helper.evaluate("document.activeElement.id") == "question"
    focused(helper)
    helper.keyboard.press("a")
    assert focused(helper)["tag"] == "textarea"
    helper.keyboard.type("Ask for a new QR code in the app: a used code stays invalid.")
    assert f"/q/{question.pk}/" in helper.url
    helper.keyboard.press("Tab")
    assert focused(helper)["tag"] == "button"
    helper.keyboard.press("Enter")
    expect(helper.locator(".answer-post")).to_contain_text("Ask for a new QR code")
    assert Answer.objects.get(question=question).author == carla

    # "?" lists the shortcuts, Escape closes the list; "/" goes to the search box
    helper.locator("body").click(position={"x": 5, "y": 400})
    helper.keyboard.press("?")
    expect(helper.locator("#shortcuts-help")).to_be_visible()
    helper.keyboard.press("Escape")
    expect(helper.locator("#shortcuts-help")).to_be_hidden()
    helper.keyboard.press("/")
    assert focused(helper)["name"] == "q"  # the header's search box

    # The user menu opens from the keyboard and closes on Escape, focus back on its button
    helper.locator(".user-menu summary").focus()
    helper.keyboard.press("Enter")
    expect(helper.locator(".user-menu ul")).to_be_visible()
    helper.keyboard.press("Escape")
    expect(helper.locator(".user-menu ul")).to_be_hidden()
    assert helper.evaluate("document.activeElement.closest('.user-menu') !== null")


def test_the_phone_menu_opens_and_closes_from_the_keyboard(site, open_page):  # noqa: F811
    page = open_page(viewport={"width": 360, "height": 800})
    page.goto("/")
    expect(page.locator(".main-nav")).to_be_hidden()
    page.locator(".nav-toggle").focus()
    page.keyboard.press("Enter")
    expect(page.locator(".main-nav")).to_be_visible()
    expect(page.locator(".main-nav a").first).to_be_in_viewport()
    page.keyboard.press("Escape")
    expect(page.locator(".main-nav")).to_be_hidden()
    # on a desktop the same links show without the button
    page.set_viewport_size({"width": 1280, "height": 800})
    expect(page.locator(".main-nav")).to_be_visible()
    expect(page.locator(".nav-toggle")).to_be_hidden()
