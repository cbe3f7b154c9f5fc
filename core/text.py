"""Free text from people: the normalisers, and the one cleaner of reasons and notes.

`clean_text` and `clean_line` normalise any text (the forum's posts, titles and tags build
their rules on them in `forum.validation`). `clean_note` is the rule for the free-text
reasons and notes that acts carry (moderation, flags, the programme, suggested edits,
escalations, redemptions, fair-play reviews): text or nothing, normalised, required or
not, at most `max_length` characters. Each caller keeps its own wording of the refusals;
they are formatted with `n` (the limit) and `length` (what was given), plus `params`.
"""

from __future__ import annotations

import re
import unicodedata

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy

# Bidirectional overrides and isolates can make a title read backwards or spoof another
# post; zero-width characters make "empty" text look non-empty. Neither belongs in a
# one-line title or a tag. Bodies keep them (they are escaped and harmless there).
INVISIBLE = dict.fromkeys(
    [0x200B, 0x200C, 0x200D, 0x2060, 0xFEFF, 0x00AD]
    + list(range(0x202A, 0x202F))
    + list(range(0x2066, 0x206A))
)
# Lone surrogates (JSON may carry "\ud800") cannot be encoded as UTF-8: the database
# driver would fail on them, so they go with the control characters.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")


def clean_text(text: str) -> str:
    """Normalise to NFC, drop control characters (NUL included) and lone surrogates,
    unify newlines."""
    text = unicodedata.normalize("NFC", str(text))
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return _CONTROL.sub("", text)


def clean_line(text: str) -> str:
    """A one-line text: clean_text, no invisible characters, whitespace collapsed."""
    text = clean_text(text).translate(INVISIBLE)
    return " ".join(text.split())


def clean_note(
    value: object,
    *,
    field: str,
    max_length: int,
    too_long: str,
    required: bool = False,
    min_length: int = 1,
    empty: str = gettext_lazy("This field is required."),
    not_text: str = gettext_lazy("Enter a valid value."),
    one_line: bool = False,
    params: dict[str, object] | None = None,
) -> str:
    """`value` cleaned (`clean_line` when `one_line`, else `clean_text` stripped), or
    ValidationError({field: [message]}).

    None is no note. Anything else that is not text is refused with `not_text`. When
    `required`, fewer than `min_length` visible characters (invisible ones alone are
    empty) are refused with `empty`; more than `max_length` with `too_long`.
    """
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise ValidationError({field: [not_text % (params or {})]})
    text = clean_line(value) if one_line else clean_text(value).strip()
    if required and len(clean_line(text)) < min_length:
        raise ValidationError({field: [empty % {"n": min_length, **(params or {})}]})
    if len(text) > max_length:
        message = too_long % {"n": max_length, "length": len(text), **(params or {})}
        raise ValidationError({field: [message]})
    return text
