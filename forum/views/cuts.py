"""Stored pages as UTF-8 bytes cut at their marks: each response is one join.

The pages the event loop serves (fast_page.py, fast_list.py) are stored with marks where
each response puts something of its own: the reader's CSRF token and the response's CSP
nonce (thread_cache.CSRF_SENTINEL, NONCE_SENTINEL), a member's frame's title, head links,
address and body (member_frame.MARKS), a thread's view count (thread_cache
.VIEW_COUNT_MARKS). Filling them with `str.replace` and encoding the result copied a
signed-in member's 240 KB thread page six times per request (unpickling the body as
text, two view-count replaces, the frame around it, the encoding, two replaces for the
token and the nonce): in a profile of P1's signed-in thread (bench/p1_pages.py), about
a third of the server's time.

A `Cut` is the text encoded once and cut at its marks, kept per process by the key it
is stored under for as long as the cache holds the same bytes there (`cut`): a response
is its pieces and the values of its marks, joined once. Marks are ASCII, so cutting the
UTF-8 bytes at them never splits a character.
"""

from __future__ import annotations

import pickle
from collections import OrderedDict
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from forum.views.questions.thread_cache import CSRF_SENTINEL, NONCE_SENTINEL, VIEW_COUNT_MARKS

# Cuts kept per process: the pages read most (a popular thread's body in each variant,
# the lists' first pages), each about twice its stored size (a thread's: 0.5 MB).
KEPT = 32
T = TypeVar("T")


class Marks:
    """Named marks."""

    def __init__(self, marks: Mapping[str, str]) -> None:
        self.names = {mark.encode(): name for name, mark in marks.items()}

    def find(self, data: bytes) -> list[tuple[int, bytes]]:
        """Where the marks are in `data`, in order: (offset, mark). Found with `bytes.find`
        per mark, several times faster than one regular expression of them all."""
        found = []
        for mark in self.names:
            at = data.find(mark)
            while at != -1:
                found.append((at, mark))
                at = data.find(mark, at + len(mark))
        found.sort()
        return found


class Cut:
    """A text as UTF-8 bytes, cut at `marks`: literal pieces and the names of the marks."""

    __slots__ = ("pieces",)

    def __init__(self, text: str | bytes, marks: Marks) -> None:
        data = text.encode() if isinstance(text, str) else text
        pieces: list[bytes | str] = []
        start = 0
        for at, mark in marks.find(data):
            if at < start:
                continue  # inside the mark before (no mark holds another)
            pieces += [data[start:at], marks.names[mark]]
            start = at + len(mark)
        pieces.append(data[start:])
        self.pieces = tuple(piece for piece in pieces if piece != b"")

    def fill(self, values: Mapping[str, bytes | Cut], out: list[bytes]) -> list[bytes]:
        """Append to `out` the pieces, each mark replaced by its value (a Cut is filled
        with the same values)."""
        for piece in self.pieces:
            if type(piece) is bytes:
                out.append(piece)
            elif isinstance(value := values[piece], Cut):
                value.fill(values, out)
            else:
                out.append(value)
        return out

    def join(self, values: Mapping[str, bytes | Cut]) -> bytes:
        return b"".join(self.fill(values, []))


# Every stored page: the reader's CSRF token, the response's nonce (send_stored fills them).
RESPONSE = {"csrf": CSRF_SENTINEL, "nonce": f'nonce="{NONCE_SENTINEL}"'}
PAGE = Marks(RESPONSE)
# A question page's body also shows its view count.
THREAD_BODY = Marks(
    {**RESPONSE, **{f"view-count-{style}": mark for style, mark in VIEW_COUNT_MARKS.items()}}
)

_kept: OrderedDict[str, tuple[bytes, Any]] = OrderedDict()


def kept(key: str, stored: bytes, make: Callable[[bytes], T]) -> T:
    """`make(stored)`, where `stored` is what the cache holds under `key`: made once per
    process while the cache holds the same bytes there."""
    found = _kept.get(key)
    if found is not None and found[0] == stored:
        _kept.move_to_end(key)
        return found[1]
    made = make(stored)
    _kept[key] = (stored, made)
    _kept.move_to_end(key)
    while len(_kept) > KEPT:
        _kept.popitem(last=False)
    return made


def cut(key: str, stored: bytes, marks: Marks) -> Cut:
    """The page the cache holds under `key` (`stored`, pickled), cut at `marks`, made once
    while the cache holds the same bytes."""
    return kept(key, stored, lambda raw: Cut(pickle.loads(raw), marks))  # noqa: S301
