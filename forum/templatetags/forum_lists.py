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
# List items read as a sentence: "a, b. Next paragraph" rather than "a b Next paragraph".
_LIST_END = re.compile(r"</li>\s*</[ou]l>", re.IGNORECASE)
_ITEM_END = re.compile(r"</li>", re.IGNORECASE)
_BLOCK_END = re.compile(r"</(?:p|h[1-6]|blockquote|pre|tr|td|th)>|<br\s*/?>", re.IGNORECASE)
_DOUBLE_PUNCTUATION = re.compile(r"([.!?:;,])[.,](?=\s|$)")


@register.filter
def excerpt(body_html: str, length: int = 200) -> str:
    """Plain text of rendered Markdown, cut at a word boundary (escaped by the template).

    Works on the sanitised HTML rather than the Markdown source so that `**`, `#` and
    link syntax never show; entities are decoded so "&amp;" reads as "&".
    """
    marked = _LIST_END.sub(". ", body_html or "")
    marked = _BLOCK_END.sub(" ", _ITEM_END.sub(", ", marked))
    text = _SPACE.sub(" ", html.unescape(strip_tags(marked))).strip()
    text = _DOUBLE_PUNCTUATION.sub(r"\1", text)
    return Truncator(text).chars(int(length))


@register.simple_tag
def page_window(page_obj: Page, on_each_side: int = 2, on_ends: int = 1) -> list:
    """Page numbers around the current one, with Paginator.ELLIPSIS where some are left out."""
    return list(
        page_obj.paginator.get_elided_page_range(
            page_obj.number, on_each_side=on_each_side, on_ends=on_ends
        )
    )


@register.filter
def magnitude(value: int | None) -> int:
    """abs(value), to choose a plural form: "-1 vote" reads as one vote, not "-1 votes"."""
    return abs(value or 0)
