"""Stored pages cut at their marks (forum/views/cuts.py): filling a Cut gives the bytes
the replaces gave, and a Cut is made again when the cache holds other bytes."""

from __future__ import annotations

import pickle

import pytest

from forum.views import cuts, member_frame
from forum.views.questions.thread_cache import CSRF_SENTINEL, NONCE_SENTINEL, VIEW_COUNT_MARKS

pytestmark = pytest.mark.django_db  # the suite's autouse fixtures read the tuning

TOKEN = "t" * 64
NONCE = 'nonce="abc"'


def _replaced(text: str, values: dict[str, str]) -> bytes:
    for mark, value in values.items():
        text = text.replace(mark, value)
    return text.encode()


def test_a_filled_cut_is_the_text_with_its_marks_replaced():
    body = (
        f"<p>Però è così</p><form><input value='{CSRF_SENTINEL}'></form>"
        f'{VIEW_COUNT_MARKS["phrase"]} ✓ <script nonce="{NONCE_SENTINEL}"></script>'
        f"<b>{VIEW_COUNT_MARKS['number']}</b><i>{CSRF_SENTINEL}</i>"
    )
    page = cuts.Cut(body, cuts.THREAD_BODY)

    filled = page.join(
        {
            "csrf": TOKEN.encode(),
            "nonce": NONCE.encode(),
            "view-count-phrase": b"Visto 1.234 volte",
            "view-count-number": b"1.234",
        }
    )

    assert filled == _replaced(
        body,
        {
            CSRF_SENTINEL: TOKEN,
            f'nonce="{NONCE_SENTINEL}"': NONCE,
            VIEW_COUNT_MARKS["phrase"]: "Visto 1.234 volte",
            VIEW_COUNT_MARKS["number"]: "1.234",
        },
    )


def test_a_frame_is_filled_with_a_cut_body_and_the_same_response_values():
    frame = (
        f"<title>{member_frame.MARKS['title']}</title>{member_frame.MARKS['head']}"
        f"<input name='csrfmiddlewaretoken' value='{CSRF_SENTINEL}'>"
        f"<input name='next' value='{member_frame.MARKS['here']}'>"
        f"<main>{member_frame.MARKS['body']}</main>"
    )
    body = f"<form><input value='{CSRF_SENTINEL}'></form>"
    values = member_frame.page_values(
        "Roaming · Circolo", "<link>", "/q/1/?a=<b>", cuts.Cut(body, cuts.PAGE)
    )

    filled = cuts.Cut(frame, member_frame.FRAME).join(
        {**values, "csrf": TOKEN.encode(), "nonce": NONCE.encode()}
    )

    assert (
        filled
        == (
            f"<title>Roaming · Circolo</title><link><input name='csrfmiddlewaretoken' value='{TOKEN}'>"
            f"<input name='next' value='/q/1/?a=&lt;b&gt;'><main><form><input value='{TOKEN}'>"
            "</form></main>"
        ).encode()
    )


def test_text_without_marks_is_one_piece_and_a_missing_value_is_an_error():
    assert cuts.Cut("<p>plain</p>", cuts.PAGE).pieces == (b"<p>plain</p>",)
    with pytest.raises(KeyError):
        cuts.Cut(f"<p>{CSRF_SENTINEL}</p>", cuts.PAGE).join({})


def test_a_cut_is_made_once_while_the_cache_holds_the_same_bytes():
    made = []

    def make(stored: bytes) -> cuts.Cut:
        made.append(stored)
        return cuts.Cut(pickle.loads(stored), cuts.PAGE)

    first = pickle.dumps(f"<p>{CSRF_SENTINEL} one</p>")
    again = cuts.kept("page:1", first, make)

    # The same bytes (another copy, as another read from the cache brings): the same Cut.
    assert cuts.kept("page:1", bytes(bytearray(first)), make) is again
    # The page stored again with other content under the same key: made again.
    second = pickle.dumps(f"<p>{CSRF_SENTINEL} two</p>")
    assert cuts.kept("page:1", second, make).join({"csrf": b"x"}) == b"<p>x two</p>"
    assert made == [first, second]


def test_only_the_last_used_cuts_are_kept(monkeypatch):
    monkeypatch.setattr(cuts, "KEPT", 2)
    monkeypatch.setattr(cuts, "_kept", type(cuts._kept)())
    stored = {n: pickle.dumps(f"<p>{n}</p>") for n in range(3)}
    for n in (0, 1, 0, 2):  # 1 is the least recently used when 2 comes
        cuts.cut(f"page:{n}", stored[n], cuts.PAGE)

    assert list(cuts._kept) == ["page:0", "page:2"]
