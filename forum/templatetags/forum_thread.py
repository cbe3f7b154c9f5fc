"""`{% thread_answer answer %}`: one answer of the question page, cached when it can be
(forum/views/questions/thread_cache.py says how and why)."""

from __future__ import annotations

from django import template
from django.utils.safestring import SafeString

from forum.models import Answer
from forum.views.questions.thread_cache import render_answer

register = template.Library()


@register.simple_tag(takes_context=True)
def thread_answer(context: template.Context, answer: Answer) -> SafeString:
    return render_answer(context, answer)
