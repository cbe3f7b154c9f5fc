"""Template helpers for the list pages: question excerpts and page-number windows.

`_question_row.html` and `_pagination.html` load these so that any page can include them
with nothing but a question (or a page object) in context.
"""

from __future__ import annotations

import html
import re

from django import template
from django.core.paginator import Page
from django.utils.html import strip_tags
from django.utils.text import Truncator

register = template.Library()

_SPACE = re.compile(r"\s+")


@register.filter
def excerpt(body_html: str, length: int = 200) -> str:
    """Plain text of rendered Markdown, cut at a word boundary (escaped by the template).

    Works on the sanitised HTML rather than the Markdown source so that `**`, `#` and
    link syntax never show; entities are decoded so "&amp;" reads as "&".
    """
    text = _SPACE.sub(" ", html.unescape(strip_tags(body_html or ""))).strip()
    return Truncator(text).chars(int(length))


@register.simple_tag
def page_window(page_obj: Page, on_each_side: int = 2, on_ends: int = 1) -> list:
    """Page numbers around the current one, with Paginator.ELLIPSIS where some are left out."""
    return list(
        page_obj.paginator.get_elided_page_range(
            page_obj.number, on_each_side=on_each_side, on_ends=on_ends
        )
    )
