"""Markdown rendering: nothing executable survives, links are marked as user content,
code stays code, and @mentions link only to members who exist.
"""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
from django.urls import reverse

from forum.markdown import ALLOWED_TAGS, LINK_REL, render_markdown, sanitize
from tests.factories import UserFactory
from tests.naughty import NAUGHTY as BLNS

URL_ATTRIBUTES = {"href", "src", "action", "formaction", "xlink:href", "background", "poster"}
BAD_SCHEMES = ("javascript:", "data:", "vbscript:")


class _Collector(HTMLParser):
    """Every element and attribute as a browser would see them (entities decoded)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append((tag, dict(attrs)))

    handle_startendtag = handle_starttag


def _elements(html: str) -> list[tuple[str, dict[str, str | None]]]:
    parser = _Collector()
    parser.feed(html)
    parser.close()
    return parser.elements


def _browser_url(value: str) -> str:
    """What a URL parser makes of an attribute: C0 controls and spaces trimmed, tabs and
    newlines removed anywhere, scheme case-insensitive."""
    value = value.strip("".join(chr(c) for c in range(0x21)))
    return value.replace("\t", "").replace("\n", "").replace("\r", "").lower()


def _dangers(html: str) -> list[str]:
    found = []
    if "<script" in html.lower():
        found.append("<script")
    for tag, attrs in _elements(html):
        if tag not in ALLOWED_TAGS:
            found.append(f"<{tag}>")
        for name, value in attrs.items():
            if name.startswith("on"):
                found.append(f"{tag}[{name}]")
            if name in URL_ATTRIBUTES and _browser_url(value or "").startswith(BAD_SCHEMES):
                found.append(f"{tag}[{name}={value}]")
            if name == "style" and not (value or "").startswith("text-align:"):
                found.append(f"{tag}[style={value}]")
    return found


XSS_PAYLOADS = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
    "<scr<script>ipt>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "<IMG SRC=\"jav&#x09;ascript:alert('XSS');\">",
    "<body onload=alert(1)>",
    "<svg onload=alert(1)>",
    "<svg><script>alert(1)</script></svg>",
    '<iframe src="javascript:alert(1)"></iframe>',
    "<iframe srcdoc='<script>alert(1)</script>'></iframe>",
    "<style>body{background:url(javascript:alert(1))}</style>",
    '<div style="background:url(javascript:alert(1))">x</div>',
    '<a href="jav&#x09;ascript:alert(1)">x</a>',
    '<a href="javascript:alert(1)">x</a>',
    "<object data=javascript:alert(1)>",
    "<embed src=javascript:alert(1)>",
    '<form action="javascript:alert(1)"><button>x</button></form>',
    '<math><mi xlink:href="javascript:alert(1)">x</mi></math>',
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    '<noscript><p title="</noscript><img src=x onerror=alert(1)>">',
    '<svg><style><img src=x onerror="alert(1)"></style></svg>',
    "<!--><img src=x onerror=alert(1)>-->",
    "<!-- <script>alert(1)</script> -->",
    "[x](javascript:alert(1))",
    "[x](JaVaScRiPt:alert(1))",
    "[x](  javascript:alert(1)  )",
    "[x](<javascript:alert(1)>)",
    "[x](&#106;avascript:alert(1))",
    "[x](&#x6A;avascript&#58;alert(1))",
    "[x](jav&#x09;ascript:alert(1))",
    "[x](java\nscript:alert(1))",
    "[x](java%0ascript:alert(1))",
    "[x](%6Aavascript:alert(1))",
    "[x](vbscript:msgbox(1))",
    "[x](VBScript:msgbox(1))",
    "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "[x](DATA:text/html,<script>alert(1)</script>)",
    "![x](data:image/png;base64,iVBORw0KGgo=)",
    "![x](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)",
    "![x](javascript:alert(1))",
    '![x" onerror="alert(1)](https://example.com/a.png)',
    "<javascript:alert(1)>",
    "<vbscript:msgbox(1)>",
    "<data:text/html,<script>alert(1)</script>>",
    "javascript:alert(1)",
    "[x][ref]\n\n[ref]: javascript:alert(1)",
    "[x][ref]\n\n[ref]: <data:text/html,x> 'title'",
    '[x](https://example.com "a" onmouseover="alert(1)")',
    "[x](https://example.com 'a\" onmouseover=\"alert(1)')",
    '[x](https://example.com (a" onclick="alert(1)))',
    '[x][r]\n\n[r]: https://example.com "t" onmouseover="alert(1)"',
    "```\n<script>alert(1)</script>\n```",
    '```" onclick="alert(1)\ncode\n```',
    "````\n```\n<img src=x onerror=alert(1)>\n```\n````",
    "    <script>alert(1)</script>",
    "`<img src=x onerror=alert(1)>`",
    "**<img src=x onerror=alert(1)>**",
    "| <script>alert(1)</script> |\n|---|\n| <img src=x onerror=alert(1)> |",
    '| a |\n|:-"onclick="alert(1)|\n| b |',
    "[<img src=x onerror=alert(1)>](https://example.com)",
    "[![x](javascript:alert(1))](javascript:alert(1))",
    "@<script>alert(1)</script>",
    "@x<img/src=x/onerror=alert(1)>",
    "<<script>script>alert(1)<</script>/script>",
    "&lt;script&gt;alert(1)&lt;/script&gt;",
    "\\<script>alert(1)\\</script>",
]


@pytest.mark.parametrize("payload", XSS_PAYLOADS)
def test_xss_payload_renders_inert(payload):
    html = render_markdown(payload, known_users=set()).html

    assert _dangers(html) == []


def test_every_naughty_string_renders_inert():
    dangerous = {}
    for text in BLNS:
        html = render_markdown(text, known_users=set()).html
        if found := _dangers(html):
            dangerous[text] = found

    assert dangerous == {}


def test_the_danger_detector_catches_what_it_must():
    """The XSS tests are only as good as this check, so it is tested on raw HTML."""
    assert _dangers('<a href="jav&#x09;ascript:x">x</a>') == ["a[href=jav\tascript:x]"]
    assert _dangers('<img src=" DATA:image/png,x">') == ["img[src= DATA:image/png,x]"]
    assert _dangers("<p onclick=x>") == ["p[onclick]"]
    assert _dangers("<ScRiPt>") == ["<script", "<script>"]
    assert _dangers("<p>&lt;script&gt; onclick=x javascript:x</p>") == []


def test_raw_html_is_escaped_not_dropped():
    html = render_markdown("Try <b>bold</b> & <i>x</i>", known_users=set()).html

    assert html == "<p>Try &lt;b&gt;bold&lt;/b&gt; &amp; &lt;i&gt;x&lt;/i&gt;</p>\n"


def test_html_comment_is_shown_as_text():
    assert render_markdown("<!-- hidden -->", known_users=set()).html == (
        "<p>&lt;!-- hidden --&gt;</p>\n"
    )


def test_unsafe_link_stays_plain_text():
    html = render_markdown("[click](javascript:alert(1))", known_users=set()).html

    assert html == "<p>[click](javascript:alert(1))</p>\n"


def test_data_image_loses_its_source_but_keeps_alt():
    html = render_markdown("![chart](data:image/png;base64,iVBORw0KGgo=)", known_users=set()).html

    assert html == '<p><img alt="chart"></p>\n'


def test_link_title_quotes_are_escaped_inside_the_attribute():
    html = render_markdown(
        "[x](https://example.com 'a\" onmouseover=\"alert(1)')", known_users=set()
    ).html

    assert html == (
        '<p><a href="https://example.com" title="a&quot; onmouseover=&quot;alert(1)" '
        f'rel="{LINK_REL}">x</a></p>\n'
    )


# Links ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "[Tariffe](https://example.com/tariffe)",
            f'<p><a href="https://example.com/tariffe" rel="{LINK_REL}">Tariffe</a></p>\n',
        ),
        (
            "<https://example.com>",
            f'<p><a href="https://example.com" rel="{LINK_REL}">https://example.com</a></p>\n',
        ),
        (
            "[write](mailto:help@example.com)",
            f'<p><a href="mailto:help@example.com" rel="{LINK_REL}">write</a></p>\n',
        ),
        (
            '[x][ref]\n\n[ref]: https://example.com/ref "Title"',
            f'<p><a href="https://example.com/ref" title="Title" rel="{LINK_REL}">x</a></p>\n',
        ),
        (
            "[x](/questions/1/)",
            f'<p><a href="/questions/1/" rel="{LINK_REL}">x</a></p>\n',
        ),
        (
            "[x](ftp://example.com/file)",
            f'<p><a rel="{LINK_REL}">x</a></p>\n',
        ),
    ],
)
def test_links_get_nofollow_ugc_noopener(text, expected):
    assert render_markdown(text, known_users=set()).html == expected


def test_any_rel_the_author_tries_is_replaced():
    html = sanitize('<a href="https://example.com" rel="opener">x</a>')

    assert html == f'<a href="https://example.com" rel="{LINK_REL}">x</a>'


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "see https://example.com/a?b=1&c=2 now",
            '<p>see <a href="https://example.com/a?b=1&amp;c=2" rel="{rel}">'
            "https://example.com/a?b=1&amp;c=2</a> now</p>\n",
        ),
        (
            "visit www.example.com.",
            '<p>visit <a href="http://www.example.com" rel="{rel}">www.example.com</a>.</p>\n',
        ),
        (
            "write to help@example.com",
            '<p>write to <a href="mailto:help@example.com" rel="{rel}">help@example.com</a></p>\n',
        ),
        (
            "my page www.example.com/@anna",
            '<p>my page <a href="http://www.example.com/@anna" rel="{rel}">'
            "www.example.com/@anna</a></p>\n",
        ),
        ("not a link: example", "<p>not a link: example</p>\n"),
        ("`https://example.com`", "<p><code>https://example.com</code></p>\n"),
    ],
)
def test_linkify_bare_urls_and_emails(customer, text, expected):
    """`customer` is "anna": a path like /@anna is part of the URL, not a mention."""
    assert render_markdown(text).html == expected.format(rel=LINK_REL)


# Code ---------------------------------------------------------------------------------


def test_fenced_code_keeps_language_class_and_escapes_html():
    text = '```html\n<a href="x" onclick="y">&amp;</a>\n```'

    html = render_markdown(text, known_users=set()).html

    assert html == (
        '<pre><code class="language-html">'
        '&lt;a href="x" onclick="y"&gt;&amp;amp;&lt;/a&gt;\n'
        "</code></pre>\n"
    )


@pytest.mark.parametrize(
    ("info", "expected_open"),
    [
        ("python", '<code class="language-python">'),
        ("c++", '<code class="language-c++">'),
        ("c#", '<code class="language-c#">'),
        ('js" onclick="x', "<code>"),
        ("x" * 31, "<code>"),
        ("", "<code>"),
    ],
)
def test_code_language_class_is_allow_listed(info, expected_open):
    html = render_markdown(f"```{info}\nprint(1)\n```", known_users=set()).html

    assert html == f"<pre>{expected_open}print(1)\n</code></pre>\n"


def test_nested_fences_stay_one_code_block():
    text = "````\n```\n<script>x</script>\n```\n````"

    html = render_markdown(text, known_users=set()).html

    assert html == "<pre><code>```\n&lt;script&gt;x&lt;/script&gt;\n```\n</code></pre>\n"


def test_tables_keep_alignment_only():
    html = render_markdown("| a | b |\n|:-:|--:|\n| 1 | 2 |", known_users=set()).html

    assert '<th style="text-align:center">a</th>' in html
    assert '<td style="text-align:right">2</td>' in html
    assert sanitize('<table><tr><td style="color:red">x</td></tr></table>') == (
        "<table><tbody><tr><td>x</td></tr></tbody></table>"
    )


def test_class_attribute_is_dropped_unless_allow_listed():
    assert sanitize('<a class="button" href="/x">x</a>') == f'<a rel="{LINK_REL}" href="/x">x</a>'
    assert sanitize('<code class="language-py evil">x</code>') == "<code>x</code>"


# Mentions -----------------------------------------------------------------------------


def _mention(username: str) -> str:
    url = reverse("forum:profile", kwargs={"username": username})
    return f'<a class="mention" href="{url}" rel="{LINK_REL}">@{username}</a>'


def test_mention_of_an_existing_member_links_to_the_profile(customer, other_customer):
    rendered = render_markdown("Thanks @anna and @bruno!")

    assert rendered.html == f"<p>Thanks {_mention('anna')} and {_mention('bruno')}!</p>\n"
    assert rendered.mentions == ["anna", "bruno"]


def test_mention_of_an_unknown_or_inactive_member_stays_text(db):
    UserFactory(username="ghost", is_active=False)

    rendered = render_markdown("Ask @nobody or @ghost")

    assert rendered.html == "<p>Ask @nobody or @ghost</p>\n"
    assert rendered.mentions == []


def test_mention_ignores_case_and_links_the_stored_username(db):
    UserFactory(username="Luca_M")

    rendered = render_markdown("@luca_m and @LUCA_M")

    assert rendered.html == f"<p>{_mention('Luca_M')[:-11]}@luca_m</a> and " + (
        f"{_mention('Luca_M')[:-11]}@LUCA_M</a></p>\n"
    )
    assert rendered.mentions == ["Luca_M"]


def test_mention_trailing_punctuation_is_not_part_of_the_name(customer):
    rendered = render_markdown("Ciao @anna. Grazie @anna-")

    assert rendered.html == f"<p>Ciao {_mention('anna')}. Grazie {_mention('anna')}-</p>\n"
    assert rendered.mentions == ["anna"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("`@anna`", "<p><code>@anna</code></p>\n"),
        ("```\n@anna\n```", "<pre><code>@anna\n</code></pre>\n"),
        ("    @anna", "<pre><code>@anna\n</code></pre>\n"),
        ("anna@anna.it", '<p><a href="mailto:anna@anna.it" rel="{rel}">anna@anna.it</a></p>\n'),
        ("x@anna", "<p>x@anna</p>\n"),
        ("\\@anna", "<p>@anna</p>\n"),
        ("@an", "<p>@an</p>\n"),
        (
            "[@anna](https://example.com)",
            '<p><a href="https://example.com" rel="{rel}">@anna</a></p>\n',
        ),
    ],
)
def test_no_mention_in_code_emails_escapes_or_link_text(customer, text, expected):
    rendered = render_markdown(text)

    assert rendered.html == expected.format(rel=LINK_REL)
    assert rendered.mentions == []


def test_known_users_decides_without_a_query(django_assert_num_queries, db):
    with django_assert_num_queries(0):
        rendered = render_markdown("@anna and @bruno", known_users={"anna"})

    assert rendered.html == f"<p>{_mention('anna')} and @bruno</p>\n"
    assert rendered.mentions == ["anna"]


def test_mentions_are_looked_up_in_one_query_and_not_at_all_without_mentions(
    django_assert_num_queries, customer
):
    with django_assert_num_queries(1):
        render_markdown("@anna @anna @bruno @carla")
    with django_assert_num_queries(0):
        render_markdown("No mentions here, just mail: a@b.com")


# Determinism ----------------------------------------------------------------------------


SAMPLES = [
    "# Titolo\n\n**Grassetto** e _corsivo_, ~~barrato~~.\n\n1. uno\n2. due\n\n> citazione",
    "| a | b |\n|---|:-:|\n| 1 | 2 |\n\n```py\nx = '<b>'\n```",
    'Link https://example.com e [testo](https://example.com "t") e @anna',
    "<script>alert(1)</script> [x](javascript:alert(1))",
]


@pytest.mark.parametrize("text", SAMPLES)
def test_rendering_is_deterministic_and_sanitising_is_idempotent(customer, text):
    first = render_markdown(text).html

    assert render_markdown(text).html == first
    assert sanitize(first) == first
