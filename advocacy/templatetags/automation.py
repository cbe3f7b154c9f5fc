"""`{% automation_switches user %}`: the member's switches for the automation rules'
messages, on the e-mail settings page (`mail/settings.html`)."""

from __future__ import annotations

from django import template

from advocacy.automation import optout

register = template.Library()


@register.inclusion_tag("advocacy/_automation_switches.html")
def automation_switches(user) -> dict:  # noqa: ANN001
    rules = optout.member_rules()
    return {
        "switches": [
            (key, rules[key].member_label or rules[key].label, on)
            for key, on in optout.receiving(user.pk).items()
        ]
    }
