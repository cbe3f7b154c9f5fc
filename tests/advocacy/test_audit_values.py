"""The audit log shows before/after values readably (issue 15): no `key=value` run-ons,
no Python dict or list reprs."""

from __future__ import annotations

from django.template import Context, Template

from advocacy.templatetags.moderation import audit_value


def test_plain_values_print_as_they_are():
    assert audit_value("open") == "open"
    assert audit_value(3) == "3"
    assert audit_value(None) == "—"
    assert audit_value("") == "—"


def test_nested_mappings_and_lists_read_as_pairs():
    value = {"status": "hidden", "tags": ["sim", "esim"], "by": {"id": 4, "name": "Anna"}}

    assert audit_value(value) == "status: hidden; tags: sim, esim; by: id: 4; name: Anna"


def test_the_values_are_escaped_in_the_page():
    html = Template("{% load moderation %}{{ v|audit_value }}").render(
        Context({"v": {"note": "<script>alert(1)</script>"}})
    )

    assert html == "note: &lt;script&gt;alert(1)&lt;/script&gt;"
