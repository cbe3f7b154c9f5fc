"""The member's switches for the automation's messages (e-mail settings page and API),
and the managers' rules API (twin of the rules page)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from advocacy.automation import optout
from advocacy.models import AutomationOptOut, AutomationRule
from tests.api.conftest import token_client

pytestmark = pytest.mark.django_db

MEMBER_RULES = {"remind_accept", "welcome", "win_back", "route_unanswered"}


def _out(user) -> set[str]:  # noqa: ANN001
    return set(AutomationOptOut.objects.filter(user=user).values_list("rule", flat=True))


def test_the_settings_page_has_a_switch_per_rule(customer_client):
    page = customer_client.get(reverse("mail:settings")).content.decode()
    assert page.count('name="receive"') == len(MEMBER_RULES)
    assert "Reminders to accept an answer to your questions" in page
    assert 'value="sla_alerts"' not in page  # not a member's message


def test_switching_off_and_on_again(customer_client, customer):
    url = reverse("automation:my_messages")
    response = customer_client.post(url, {"receive": ["welcome", "route_unanswered"]})
    assert response.status_code == 302
    assert _out(customer) == {"remind_accept", "win_back"}

    customer_client.post(url, {"receive": sorted(MEMBER_RULES)})
    assert _out(customer) == set()


def test_an_unknown_rule_in_the_form_changes_nothing_else(customer_client, customer):
    customer_client.post(reverse("automation:my_messages"), {"receive": ["sla_alerts", "welcome"]})
    assert _out(customer) == MEMBER_RULES - {"welcome"}


def test_the_emails_one_click_opt_out_shows_on_the_settings_page(client, customer_client, customer):
    token = optout.make_token(customer.pk, "win_back")
    assert client.post(reverse("automation:opt_out", args=[token])).status_code == 200

    page = customer_client.get(reverse("mail:settings")).content.decode()
    assert 'value="win_back">' in page
    assert 'value="win_back" checked' not in page
    assert 'value="welcome" checked' in page


def test_the_api_twin_reads_and_switches(customer):
    api = token_client(customer)
    url = reverse("api:my-automatic-messages")
    assert api.get(url).json() == {"messages": dict.fromkeys(sorted(MEMBER_RULES), True)}

    changed = api.patch(url, {"messages": {"win_back": False}}, format="json")
    refused = api.patch(url, {"messages": {"win_back": True, "nope": False}}, format="json")

    assert changed.status_code == 200
    assert changed.json()["messages"]["win_back"] is False
    assert refused.status_code == 400
    assert "nope" in refused.json()["messages"][0]
    assert _out(customer) == {"win_back"}


def test_a_member_cannot_read_or_change_the_rules(customer):
    api = token_client(customer)
    listed = api.get(reverse("api:automation-rules"))
    changed = api.patch(
        reverse("api:automation-rule", args=["welcome"]), {"enabled": True}, format="json"
    )
    assert (listed.status_code, changed.status_code) == (403, 403)
    assert "Only staff and community managers" in changed.json()["detail"]
    assert not AutomationRule.objects.exists()


def test_a_manager_reads_and_changes_a_rule(manager):
    api = token_client(manager)
    rules = {r["key"]: r for r in api.get(reverse("api:automation-rules")).json()}
    assert set(rules) == MEMBER_RULES | {"sla_alerts"}
    assert rules["win_back"]["params"] == {"min_accepted": 5, "silent_days": 30}

    url = reverse("api:automation-rule", args=["win_back"])
    response = api.patch(url, {"enabled": True, "params": {"silent_days": 45}}, format="json")

    assert response.status_code == 200
    assert response.json()["enabled"] is True
    assert response.json()["params"] == {"min_accepted": 5, "silent_days": 45}
    row = AutomationRule.objects.get(key="win_back")
    assert (row.enabled, row.params, row.updated_by) == (
        True,
        {"min_accepted": 5, "silent_days": 45},
        manager,
    )


@pytest.mark.parametrize(
    "body",
    [
        {"params": {"silent_days": 0}},
        {"params": {"silent_days": 366}},
        {"params": {"nope": 3}},
        {"params": {"silent_days": "soon"}},
        {"enabled": "perhaps"},
    ],
)
def test_bad_rule_changes_are_refused_whole(manager, body):
    api = token_client(manager)
    body = {"enabled": True, **body}
    response = api.patch(reverse("api:automation-rule", args=["win_back"]), body, format="json")
    assert response.status_code == 400
    assert not AutomationRule.objects.exists()


def test_an_unknown_rule_is_404(manager):
    api = token_client(manager)
    assert api.get(reverse("api:automation-rule", args=["nope"])).status_code == 404
