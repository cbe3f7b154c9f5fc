"""Issue 13 part 2 in a real browser: the manager opens the automation rules from the
health dashboard, changes a rule and reads the activity log."""

from __future__ import annotations

from playwright.sync_api import expect

from advocacy.models import AutomationAction, AutomationRule
from tests.browser.test_live import member, open_page, shots, site  # noqa: F401 - fixtures
from tests.factories import QuestionFactory


def test_the_manager_changes_a_rule_and_reads_the_activity_log(
    site,  # noqa: F811
    open_page,  # noqa: F811
    shots,  # noqa: F811
):
    manager = member("marco", "Marco", is_staff=True, is_superuser=True)
    anna = member("anna", "Anna Rossi")
    question = QuestionFactory(author=anna, title="Roaming in Albania", tags=["roaming"])
    AutomationAction.objects.create(
        rule="route_unanswered", subject=f"question:{question.pk}", step="route", question=question
    )
    AutomationAction.objects.create(
        rule="welcome", subject=f"user:{anna.pk}", step="welcome", recipient=anna
    )
    page = open_page(manager)
    page.goto("/community/health/")
    page.get_by_role("link", name="Automation rules").click()
    expect(page.locator("h1")).to_have_text("Automation rules")

    rule = page.locator("#rule-route_unanswered")
    rule.locator("input[name='route_unanswered-enabled']").check()
    rule.locator("input[name='route_unanswered-after_minutes']").fill("45")
    rule.locator("button[type=submit]").click()
    expect(page.locator("#rule-route_unanswered input[name$=after_minutes]")).to_have_value("45")
    expect(page.locator("#rule-route_unanswered")).to_contain_text("Last changed by")
    saved = AutomationRule.objects.get(key="route_unanswered")
    assert saved.enabled is True
    assert saved.params["after_minutes"] == 45

    log = page.locator(".automation-log tbody tr")
    expect(log).to_have_count(2)
    page.select_option("#id_rule", "route_unanswered")
    page.locator("#activity-log button[type=submit]").click()
    expect(log).to_have_count(1)
    expect(log.first).to_contain_text("Roaming in Albania")
    shots(page, "13-automation")
