"""Writes of the canned responses (community managers): the API's twin of the admin."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from advocacy.desk.permissions import check_edit_canned_responses
from advocacy.models import CannedResponse
from advocacy.models.desk import CANNED_BODY_MAX_LENGTH, CANNED_TITLE_MAX_LENGTH
from core.text import clean_line, clean_text
from forum.models import User

FIELDS = ("title", "body", "language", "position", "is_active")


def _clean(values: dict[str, object]) -> dict[str, object]:
    errors: dict[str, list[str]] = {}
    cleaned: dict[str, object] = {}
    for name, value in values.items():
        if name == "title":
            value = clean_line(str(value))
            if not value or len(value) > CANNED_TITLE_MAX_LENGTH:
                errors[name] = [
                    _("Give a title of 1 to %(max)s characters.") % {"max": CANNED_TITLE_MAX_LENGTH}
                ]
        elif name == "body":
            value = clean_text(str(value)).strip()
            if not value or len(value) > CANNED_BODY_MAX_LENGTH:
                errors[name] = [
                    _("Write a text of 1 to %(max)s characters.") % {"max": CANNED_BODY_MAX_LENGTH}
                ]
        elif name == "language":
            if value not in ("", *(code for code, _name in settings.LANGUAGES)):
                errors[name] = [_("Unknown language.")]
        elif name == "position":
            if type(value) is not int or not 0 <= value <= 32767:
                errors[name] = [_("A whole number from 0 to 32767.")]
        elif name == "is_active":
            value = bool(value)
        else:
            raise TypeError(f"Unexpected field {name!r}")
        cleaned[name] = value
    if errors:
        raise ValidationError(errors)
    return cleaned


def create_canned_response(*, actor: User, **values: object) -> CannedResponse:
    check_edit_canned_responses(actor)
    cleaned = _clean(values)
    missing = {
        name: [_("This field is required.")] for name in ("title", "body") if name not in cleaned
    }
    if missing:
        raise ValidationError(missing)
    return CannedResponse.objects.create(**cleaned, updated_at=timezone.now())


def update_canned_response(
    *, actor: User, response: CannedResponse, **values: object
) -> CannedResponse:
    check_edit_canned_responses(actor)
    cleaned = _clean(values)
    with transaction.atomic():
        response = CannedResponse.objects.select_for_update().get(pk=response.pk)
        for name, value in cleaned.items():
            setattr(response, name, value)
        response.updated_at = timezone.now()
        response.save()
    return response


def delete_canned_response(*, actor: User, response: CannedResponse) -> None:
    check_edit_canned_responses(actor)
    CannedResponse.objects.filter(pk=response.pk).delete()
