"""`{% memo var ... %}...{% endmemo %}`: a part of the page frame (links, labels, static
file addresses) rendered once per server process for each language, script prefix and
value of the variables named, then reused.

The header and footer of every page spent about 3 ms on the same `{% url %}`s (55 µs
each), `{% translate %}`s and `{% static %}`s, a third of a signed-in list page. A
block may show nothing but what those determine: no CSRF token, no nonce, nothing of
the member's that is not among its variables.
"""

from __future__ import annotations

from django import template
from django.core.signals import setting_changed
from django.urls import get_script_prefix
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

register = template.Library()

# Entries are few (languages x a handful of variants); the cap only bounds a mistake.
LIMIT = 2048
_rendered: dict[tuple, str] = {}


class MemoNode(template.Node):
    def __init__(self, nodelist: template.NodeList, variables: list) -> None:
        self.nodelist = nodelist
        self.variables = variables

    def render(self, context: template.Context) -> SafeString:
        # The node itself is in the key: a template parsed again (edited) starts afresh.
        values = tuple(variable.resolve(context) for variable in self.variables)
        key = (self, get_language(), get_script_prefix(), values)
        html = _rendered.get(key)
        if html is None:
            html = self.nodelist.render(context)
            if len(_rendered) >= LIMIT:
                _rendered.clear()
            _rendered[key] = html
        return mark_safe(html)  # rendered (and escaped) by the template engine


@register.tag
def memo(parser: template.base.Parser, token: template.base.Token) -> MemoNode:
    variables = [parser.compile_filter(bit) for bit in token.split_contents()[1:]]
    nodelist = parser.parse(("endmemo",))
    parser.delete_first_token()
    return MemoNode(nodelist, variables)


def _forget(**kwargs: object) -> None:
    """A setting changed (tests): what was rendered may no longer be right."""
    _rendered.clear()


setting_changed.connect(_forget, dispatch_uid="forum.templatetags.memo")
