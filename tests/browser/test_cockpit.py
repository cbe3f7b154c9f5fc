"""Issue 13 in real browsers: a member follows a tag and sees a new question in it arrive
in the bell live; the manager opens the health dashboard, changes the period and
downloads the CSV. Served by the same daphne subprocess as test_live.py."""

from __future__ import annotations

import csv
import io

from playwright.sync_api import expect

from tests.browser.test_live import api, member, open_page, shots, site, visit  # noqa: F401 - fixtures
from tests.factories import QuestionFactory


def test_a_follower_sees_a_new_question_in_a_followed_tag_arrive_in_the_bell(
    site,  # noqa: F811
    open_page,  # noqa: F811
    shots,  # noqa: F811
):
    anna = member("anna", "Anna Rossi")
    bruno = member("bruno", "Bruno Bianchi")
    QuestionFactory(author=anna, title="Roaming in Albania", tags=["roaming"])

    # given Bruno on the roaming tag page, who follows it with the button (htmx)
    page = open_page(bruno)
    visit(page, "/tags/roaming/")
    button = page.locator("button[data-follow=tag]")
    expect(button).to_have_attribute("aria-pressed", "false")
    button.click()
    expect(page.locator("button[data-follow=tag]")).to_have_attribute("aria-pressed", "true")
    expect(page.locator(".question-row")).to_have_count(1)  # the list is still there
    bell = page.locator(".bell .bell-count")
    expect(bell).to_be_hidden()

    # when Anna asks a question tagged roaming
    api(
        site,
        anna,
        "POST",
        "questions/",
        {
            "title": "Roaming charges in Switzerland?",
            "body": "Is Switzerland included in my EU roaming allowance?",
            "tags": ["roaming"],
        },
    )

    # then Bruno's bell counts it without a reload, and the notification names it
    expect(bell).to_have_text("1")
    shots(page, "13-follow-bell")
    page.goto("/notifications/")
    expect(page.locator(".notification").first).to_contain_text(
        "Anna Rossi asked “Roaming charges in Switzerland?” in roaming, which you follow"
    )
    # and the page of what he follows lists the tag
    page.goto("/following/")
    expect(page.locator("#follow-tags + ul")).to_contain_text("roaming")


def test_the_manager_reads_the_dashboard_changes_the_period_and_downloads_the_csv(
    site,  # noqa: F811
    open_page,  # noqa: F811
    shots,  # noqa: F811
):
    manager = member("marco", "Marco", is_staff=True, is_superuser=True)
    # asked through the API, as a member would: the dashboard's per-question row
    # (advocacy.health.facts) is written by the service's events, which a factory skips
    anna = member("anna", "Anna Rossi")
    api(
        site,
        anna,
        "POST",
        "questions/",
        {
            "title": "My SIM is not recognised",
            "body": "The phone says no SIM card.",
            "tags": ["sim"],
        },
    )
    page = open_page(manager)
    page.goto("/community/health/")
    expect(page.locator("h1")).to_have_text("Community health")
    expect(page.locator('tr[data-figure="questions"] td').first).to_have_text("1")
    expect(page.locator("svg.chart").first).to_be_visible()
    shots(page, "13-health")

    page.select_option("#id_days", "7")
    page.locator(".health-period button[type=submit]").click()
    expect(page).to_have_url(f"{site.url}/community/health/?days=7")
    expect(page.locator(".page-description")).to_contain_text("The last 7 days")

    with page.expect_download() as download_info:
        page.locator("#health-csv").click()
    download = download_info.value
    assert download.suggested_filename == "community-health-7d.csv"
    rows = list(csv.reader(io.StringIO(open(download.path(), encoding="utf-8").read())))  # noqa: PTH123, SIM115
    assert rows[0] == ["section", "name", "figure", "current", "previous"]
    assert ["community", "", "questions", "1", "0"] in rows
