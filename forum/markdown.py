"""Markdown to safe HTML, rendered once when a post is saved.

markdown-it-py with the `js-default` preset (raw HTML disabled, CommonMark + tables +
strikethrough), bare URLs linked, and @mentions linked to profiles. Whatever it produces
is then cleaned by nh3 against an allow-list, so no script, style, event handler or
`javascript:`/`data:` URL can reach a page even if the renderer had a bug.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

import nh3
from django.urls import reverse
from markdown_it import MarkdownIt
from markdown_it.common.utils import escapeHtml
from markdown_it.rules_inline import StateInline

ALLOWED_TAGS = {
    "a", "p", "br", "hr", "strong", "em", "del", "s", "code", "pre", "blockquote",
    "ul", "ol", "li", "h1", "h2", "h3", "h4", "h5", "h6",
    "table", "thead", "tbody", "tr", "th", "td", "img",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title", "class"},
    "img": {"src", "alt", "title"},
    "code": {"class"},
    "th": {"style"},
    "td": {"style"},
    "ol": {"start"},
}
URL_SCHEMES = {"http", "https", "mailto"}
LINK_REL = "nofollow ugc noopener"
_CLASS_ALLOWED = {"a": re.compile(r"^mention$"), "code": re.compile(r"^language-[\w+#.-]{1,30}$")}
_STYLE_ALLOWED = re.compile(r"^text-align:(left|right|center)$")

# A mention is @ followed by a username, at the start or after a non-word character.
MENTION_RE = re.compile(r"@([\w.@+-]{3,150})", re.UNICODE)
_USERNAME_TAIL = ".@+-"


@dataclass
class Rendered:
    html: str
    mentions: list[str] = field(default_factory=list)


def _mention_rule(state: StateInline, silent: bool) -> bool:
    """Inline rule: `@name` becomes a link to /u/name/ (checked later against real users)."""
    pos = state.pos
    if state.src[pos] != "@":
        return False
    if pos > 0 and (state.src[pos - 1].isalnum() or state.src[pos - 1] in "_@/"):
        return False  # e-mail addresses, URL paths (example.com/@name) and the like
    if state.linkLevel > 0:
        return False  # inside a link's text: a nested <a> would tear the link apart
    match = MENTION_RE.match(state.src, pos)
    if not match:
        return False
    username = match.group(1).rstrip(_USERNAME_TAIL)
    if len(username) < 3:
        return False
    if not silent:
        token = state.push("mention", "", 0)
        token.meta = {"username": username}
        state.env.setdefault("mentions", []).append(username)
    state.pos = pos + 1 + len(username)
    return True


def _render_mention(self, tokens, idx, options, env) -> str:
    username = tokens[idx].meta["username"]
    known = env.get("known_users")
    text = escapeHtml(f"@{username}")
    if known is not None and username.lower() not in known:
        return text
    canonical = env.get("usernames", {}).get(username.lower(), username)
    url = reverse("forum:profile", kwargs={"username": canonical})
    return f'<a class="mention" href="{url}">{text}</a>'


@lru_cache(maxsize=1)
def _parser() -> MarkdownIt:
    md = MarkdownIt("js-default", {"linkify": True}).enable("linkify")
    md.inline.ruler.before("emphasis", "mention", _mention_rule)
    md.add_render_rule("mention", _render_mention)
    return md


def _attribute_filter(tag: str, attr: str, value: str) -> str | None:
    if attr == "class":
        allowed = _CLASS_ALLOWED.get(tag)
        return value if allowed and allowed.match(value) else None
    if attr == "style":
        compact = value.replace(" ", "").rstrip(";")
        return compact if _STYLE_ALLOWED.match(compact) else None
    return value


def sanitize(html: str) -> str:
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        attribute_filter=_attribute_filter,
        url_schemes=URL_SCHEMES,
        link_rel=LINK_REL,
        strip_comments=True,
    )


def render_markdown(text: str, *, known_users: set[str] | None = None) -> Rendered:
    """Render Markdown to sanitised HTML.

    `known_users` (lower-cased usernames) decides which @mentions become links; when it is
    None every mention is looked up in the database once, ignoring case (sign-up keeps
    usernames unique regardless of case), and links and `mentions` use the stored spelling.
    """
    parser = _parser()
    env: dict = {}
    tokens = parser.parse(text, env)  # parsed once; the mentions are linked when rendered
    mentions = list(dict.fromkeys(env.get("mentions", [])))
    usernames: dict[str, str] = {}
    if known_users is None and mentions:
        from django.db.models.functions import Lower

        from forum.models import User

        usernames = {
            name.lower(): name
            for name in User.objects.annotate(lower_name=Lower("username"))
            .filter(lower_name__in={m.lower() for m in mentions}, is_active=True)
            .values_list("username", flat=True)
        }
        known_users = set(usernames)
    env.update(known_users=known_users or set(), usernames=usernames)
    html = parser.renderer.render(tokens, parser.options, env)
    found = [usernames.get(m.lower(), m) for m in mentions if m.lower() in (known_users or set())]
    return Rendered(html=sanitize(html), mentions=list(dict.fromkeys(found)))
