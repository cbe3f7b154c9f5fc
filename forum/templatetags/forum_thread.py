"""`{% thread_answer answer %}`: one answer of the question page, and
`{% shared_body %}...{% endshared_body %}`: a page's body (the question page's, a list's),
each cached when it can be (forum/views/questions/thread_cache.py says how and why);
`{% view_count question style %}`: the question's view count, which a stored body leaves
out."""

from __future__ import annotations

from django import template
from django.utils.safestring import SafeString

from forum.models import Answer, Question
from forum.views.questions.thread_cache import render_answer, render_body, view_count_html

register = template.Library()


@register.simple_tag(takes_context=True)
def thread_answer(context: template.Context, answer: Answer) -> SafeString:
    return render_answer(context, answer)


class SharedBodyNode(template.Node):
    def __init__(self, nodelist: template.NodeList) -> None:
        self.nodelist = nodelist

    def render(self, context: template.Context) -> SafeString:
        return render_body(context, self.nodelist)


@register.tag
def shared_body(parser: template.base.Parser, token: template.base.Token) -> SharedBodyNode:
    nodelist = parser.parse(("endshared_body",))
    parser.delete_first_token()
    return SharedBodyNode(nodelist)


@register.simple_tag(takes_context=True)
def view_count(context: template.Context, question: Question, style: str) -> SafeString:
    """The count as "Viewed 12 times" (style "phrase") or "1,234" ("number")."""
    return view_count_html(context, question.view_count, style)
