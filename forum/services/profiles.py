"""A member's own profile."""

from __future__ import annotations

from django.conf import settings
from django.utils.translation import gettext as _

from core.text import clean_line, clean_text
from forum import permissions
from forum.models import (
    User,
)
from forum.services._common import (
    _raise_if,
)

# Members --------------------------------------------------------------------------------


def update_profile(
    *,
    actor: User,
    member: User,
    display_name: str,
    bio: str,
    locale: str,
    avatar=None,  # noqa: ANN001 - an UploadedFile, False to clear, None to keep
) -> User:
    permissions.check_edit_profile(actor, member)
    errors: dict[str, list[str]] = {}
    display_name = clean_line(display_name)
    if len(display_name) > 50:
        errors["display_name"] = [_("A display name has at most 50 characters.")]
    bio = clean_text(bio).strip()
    if len(bio) > 2000:
        errors["bio"] = [_("“About me” has at most 2000 characters.")]
    if locale and locale not in dict(settings.LANGUAGES):
        errors["locale"] = [_("Choose one of the languages offered.")]
    _raise_if(errors)
    member.display_name = display_name
    member.bio = bio
    member.locale = locale
    update_fields = ["display_name", "bio", "locale"]
    if avatar is False:
        member.avatar = ""
        update_fields.append("avatar")
    elif avatar is not None:
        member.avatar = avatar
        update_fields.append("avatar")
    member.save(update_fields=update_fields)
    return member
