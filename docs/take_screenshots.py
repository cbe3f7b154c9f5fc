"""Take the README's screenshots from a running demo site (`make run`).

    .venv/bin/python docs/take_screenshots.py [http://127.0.0.1:8000]

Uses Debian's Chromium through Playwright; writes docs/screenshots/*.png.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

from playwright.sync_api import Page, sync_playwright

BASE = sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:8000"
OUT = Path(__file__).parent / "screenshots"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"]


def log_in(page: Page, username: str) -> None:
    page.goto(f"{BASE}/accounts/login/")
    page.fill("input[name=login]", username)
    page.fill("input[name=password]", "demo")
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_selector(".user-menu")


def solved_question(page: Page) -> str:
    page.goto(f"{BASE}/?sort=top")
    for row in page.locator(".question-row").all():
        if row.locator(".solved").count():
            return row.locator("h2 a, h3 a").first.get_attribute("href")
    return page.locator(".question-row h2 a, .question-row h3 a").first.get_attribute("href")


ROLE_PAGES = [
    ("demo-helper", [("/rewards/", "rewards.png")]),
    ("demo-advocate", [("/moderation/", "moderation.png")]),
    ("demo-staff", [("/desk/", "desk.png")]),
    ("demo-manager", [("/advocates/candidates/", "candidates.png")]),
]


# Each role's main page on a phone (390 px) and a desktop (1280 px), for the README's
# side-by-side tour: (login or None, page or a function finding it, file name stem).
def escalated_question(page: Page) -> str:
    page.goto(f"{BASE}/escalations/mine/")
    return page.locator("main .question-row h2 a").first.get_attribute("href")


ROLE_MAIN_PAGES = [
    (None, "/", "visitor"),
    ("demo-customer", escalated_question, "customer"),
    ("demo-helper", "/rewards/", "helper"),
    ("demo-advocate", "/moderation/", "advocate"),
    ("demo-staff", "/desk/", "staff"),
    ("demo-manager", "/advocates/candidates/", "manager"),
]
SIZES = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1280, "height": 860}}


def role_main_pages(browser) -> None:  # noqa: ANN001
    for username, where, stem in ROLE_MAIN_PAGES:
        context = browser.new_context(viewport=SIZES["desktop"], locale="en-GB")
        page = context.new_page()
        if username:
            log_in(page, username)
        path = where if isinstance(where, str) else where(page)
        for size, viewport in SIZES.items():
            page.set_viewport_size(viewport)
            page.goto(f"{BASE}{path}")
            page.screenshot(path=OUT / f"role-{stem}-{size}.png")
        context.close()


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
        view = {"width": 1280, "height": 860}

        page = browser.new_context(viewport=view, locale="en-GB").new_page()
        page.goto(f"{BASE}/")
        page.screenshot(path=OUT / "questions.png")

        log_in(page, "demo-customer")
        page.goto(f"{BASE}{solved_question(page)}")
        page.screenshot(path=OUT / "question.png")

        page.goto(f"{BASE}/ask/")
        page.fill("input[name=title]", "eSIM QR code says invalid code")
        page.wait_for_selector(".similar li")
        page.fill("textarea[name=body]", "My phone says `invalid code`:\n\n```\nE-3021\n```")
        page.wait_for_selector(".preview pre")
        page.screenshot(path=OUT / "ask.png")

        page.goto(f"{BASE}/u/demo-helper/")
        page.screenshot(path=OUT / "profile.png")

        page.goto(f"{BASE}/leaderboard/")
        page.screenshot(path=OUT / "leaderboard.png")

        # Each role's main page, in a context of its own (one login each).
        for username, shots in ROLE_PAGES:
            role = browser.new_context(viewport=view, locale="en-GB").new_page()
            log_in(role, username)
            for path, name in shots:
                role.goto(f"{BASE}{path}")
                role.screenshot(path=OUT / name)
            if username == "demo-staff":
                role.goto(f"{BASE}/desk/")
                role.locator("main a[href^='/desk/']:not([href='/desk/'])").first.click()
                role.wait_for_load_state()
                role.screenshot(path=OUT / "desk-case.png")
            role.context.close()

        dark = browser.new_context(viewport=view, locale="it-IT", color_scheme="dark").new_page()
        dark.goto(f"{BASE}/")
        dark.screenshot(path=OUT / "domande-scuro.png")

        phone = browser.new_context(
            viewport={"width": 390, "height": 844}, locale="it-IT"
        ).new_page()
        phone.goto(f"{BASE}{solved_question(phone)}")
        phone.screenshot(path=OUT / "phone.png")
        role_main_pages(browser)
        browser.close()
    print("\n".join(sorted(str(f) for f in OUT.glob("*.png") if re.search(r"\.png$", f.name))))


if __name__ == "__main__":
    main()
