"""Template helpers of the live pages: the JavaScript catalogue's URL.

(The header's notifications bell is `notifications/templatetags/bell.py`.)
"""

from __future__ import annotations

from django import template

from live.jsi18n import catalogue_url

register = template.Library()


@register.simple_tag
def javascript_catalog_url() -> str:
    """The JavaScript catalogue's versioned URL in the page's language (live.jsi18n)."""
    return catalogue_url()
