"""core.text.clean_note: the one rule for free-text reasons and notes."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from core.text import clean_note

pytestmark = pytest.mark.django_db  # the suite's autouse fixtures read the tuning

TOO_LONG = "At most %(n)d (it has %(length)d), %(what)s."


def _clean(value, **kwargs):  # noqa: ANN001, ANN202
    options = {"field": "reason", "max_length": 10, "too_long": TOO_LONG, "params": {"what": "x"}}
    return clean_note(value, **{**options, **kwargs})


def _refusal(value, **kwargs) -> dict:  # noqa: ANN001
    with pytest.raises(ValidationError) as caught:
        _clean(value, **kwargs)
    return caught.value.message_dict


def test_text_is_normalised_and_stripped():
    assert _clean("  a\r\nb\x00 ") == "a\nb"


def test_one_line_collapses_whitespace_and_drops_invisible_characters():
    assert _clean(" a \n\u200b b ", one_line=True) == "a b"


def test_none_is_no_note():
    assert _clean(None) == ""


def test_what_is_not_text_is_refused_with_the_callers_message():
    assert _refusal(12, not_text="%(what)s must be text") == {"reason": ["x must be text"]}


@pytest.mark.parametrize("value", [None, "", "  ", "\u200b\u202e"])
def test_a_required_note_refuses_empty_and_invisible_text(value):
    assert _refusal(value, required=True, empty="Say why") == {"reason": ["Say why"]}


def test_a_minimum_length_counts_visible_characters():
    refusal = _refusal("ab\u200bc", required=True, min_length=4, empty="At least %(n)d")
    assert refusal == {"reason": ["At least 4"]}
    assert _clean("abcd", required=True, min_length=4, empty="At least %(n)d") == "abcd"


def test_too_long_says_the_limit_and_the_length():
    assert _clean("x" * 10) == "x" * 10
    assert _refusal("x" * 11) == {"reason": ["At most 10 (it has 11), x."]}
