"""`{% question_row question %}`: one row of a question list, cached when it can be
(forum/views/list_cache.py says how and why)."""

from __future__ import annotations

from django import template
from django.utils.safestring import SafeString, mark_safe

from forum.models import Question
from forum.views.list_cache import store_row

register = template.Library()


@register.simple_tag(takes_context=True)
def question_row(context: template.Context, question: Question) -> SafeString:
    """`_question_row.html` for `question`, from `row_fragments` in the context when the
    view put it there (the rows show nothing per viewer and no CSRF token)."""
    entry = (context.get("row_fragments") or {}).get(question.pk)
    if entry and entry[1] is not None:
        return mark_safe(entry[1])  # rendered (and escaped) by the template engine
    template_ = context.template.engine.get_template("forum/_question_row.html")
    with context.push(question=question):
        html = template_.render(context)
    if entry:
        store_row(entry[0], html)
    return mark_safe(html)
