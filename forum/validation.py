"""Input rules shared by the forms, the API serializers and the services.

Each `clean_*` returns the normalised value or raises ValidationError with a message a
person can act on. Services call them too, so no entry point can skip them.
"""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from core.text import INVISIBLE, clean_line, clean_text
from forum.models import (
    ANSWER_MIN_LENGTH,
    BODY_MAX_LENGTH,
    BODY_MIN_LENGTH,
    COMMENT_MAX_LENGTH,
    COMMENT_MIN_LENGTH,
    TAG_MAX_LENGTH,
    TAGS_MAX,
    TAGS_MIN,
    TITLE_MAX_LENGTH,
    TITLE_MIN_LENGTH,
)

# A tag starts with a letter or digit: one made of "_" and "." only would get an empty
# slug from taggit, and an empty slug has no URL.
TAG_RE = re.compile(r"^[^\W_][\w+#.-]*$", re.UNICODE)


def _visible_length(text: str) -> int:
    return len(text.translate(INVISIBLE).strip())


def _check_length(value: str, *, minimum: int, maximum: int, what: str) -> None:
    length = _visible_length(value)
    if length < minimum:
        raise ValidationError(
            ngettext(
                "%(what)s must be at least %(n)d character long.",
                "%(what)s must be at least %(n)d characters long.",
                minimum,
            )
            % {"what": what, "n": minimum},
            code="too_short",
        )
    if len(value) > maximum:
        raise ValidationError(
            _("%(what)s must be at most %(n)d characters long (it has %(length)d).")
            % {"what": what, "n": maximum, "length": len(value)},
            code="too_long",
        )


def clean_title(title: str) -> str:
    title = clean_line(title)
    _check_length(title, minimum=TITLE_MIN_LENGTH, maximum=TITLE_MAX_LENGTH, what=_("The title"))
    return title


def clean_body(body: str, *, minimum: int = BODY_MIN_LENGTH) -> str:
    body = clean_text(body).strip("\n")
    _check_length(body, minimum=minimum, maximum=BODY_MAX_LENGTH, what=_("The text"))
    return body


def clean_answer_body(body: str) -> str:
    return clean_body(body, minimum=ANSWER_MIN_LENGTH)


def clean_comment(body: str) -> str:
    body = clean_text(body).strip()
    _check_length(
        body, minimum=COMMENT_MIN_LENGTH, maximum=COMMENT_MAX_LENGTH, what=_("The comment")
    )
    return body


def clean_tags(tags: list[str] | str) -> list[str]:
    """Tags are lower-case words joined by hyphens: "Fatturazione Mensile" -> "fatturazione-mensile"."""
    if isinstance(tags, str):
        tags = re.split(r"[,\s]+", tags) if "," not in tags else tags.split(",")
    if not isinstance(tags, list | tuple):
        raise ValidationError(_("Tags must be a list of words."), code="invalid")
    names: list[str] = []
    for raw in tags:
        if not isinstance(raw, str):
            raise ValidationError(_("Each tag must be text."), code="invalid")
        name = "-".join(clean_line(raw).lower().split())
        if not name:
            continue
        if len(name) > TAG_MAX_LENGTH:
            raise ValidationError(
                _("The tag “%(tag)s…” is longer than %(n)d characters.")
                % {"tag": name[:20], "n": TAG_MAX_LENGTH},
                code="tag_too_long",
            )
        if not TAG_RE.match(name):
            raise ValidationError(
                _("The tag “%(tag)s” may only contain letters, digits and + # . -")
                % {"tag": name[:40]},
                code="tag_invalid",
            )
        if name not in names:
            names.append(name)
    if len(names) < TAGS_MIN:
        raise ValidationError(_("Add at least one tag."), code="tags_missing")
    if len(names) > TAGS_MAX:
        raise ValidationError(
            _("Use at most %(n)d tags (you gave %(count)d).")
            % {"n": TAGS_MAX, "count": len(names)},
            code="too_many_tags",
        )
    return names
