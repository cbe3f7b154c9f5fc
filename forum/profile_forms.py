"""The profile settings form: display name, about me, language and avatar.

The form checks what a browser can get wrong (lengths, a real image of an accepted type
and size); `services.update_profile` normalises and checks again and has the last word.
"""

from __future__ import annotations

import uuid

from django import forms
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

AVATAR_MAX_BYTES = 2 * 1024 * 1024
AVATAR_MAX_PIXELS = 4096
# Pillow format name -> file extension. No SVG (it can carry script), no TIFF/BMP.
AVATAR_FORMATS = {"JPEG": "jpg", "PNG": "png", "GIF": "gif", "WEBP": "webp"}


class ProfileForm(forms.Form):
    display_name = forms.CharField(
        label=_("Display name"),
        max_length=50,
        required=False,
        help_text=_("How others see you. Leave empty to show your username."),
        widget=forms.TextInput(attrs={"autocomplete": "nickname"}),
    )
    bio = forms.CharField(
        label=_("About me"),
        max_length=2000,
        required=False,
        help_text=_("Plain text, up to 2000 characters."),
        widget=forms.Textarea(attrs={"rows": 6}),
    )
    locale = forms.ChoiceField(
        label=_("Language"),
        required=False,
        choices=[("", _("Same as my browser")), *settings.LANGUAGES],
        help_text=_("The language Circolo uses for you after you log in."),
    )
    avatar = forms.ImageField(
        label=_("Profile picture"),
        required=False,
        help_text=_("JPEG, PNG, GIF or WebP, at most 2 MB."),
        widget=forms.FileInput(attrs={"accept": "image/jpeg,image/png,image/gif,image/webp"}),
        error_messages={
            "invalid_image": _(
                "This file is not an image we can read. Upload a JPEG, PNG, GIF or WebP picture."
            )
        },
    )
    remove_avatar = forms.BooleanField(label=_("Remove my picture"), required=False)

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("label_suffix", "")  # labels stand above their fields
        super().__init__(*args, **kwargs)

    def clean_avatar(self) -> UploadedFile | None:
        avatar = self.cleaned_data.get("avatar")
        if not avatar:
            return None
        if avatar.size > AVATAR_MAX_BYTES:
            raise forms.ValidationError(
                _("The picture is %(size)s; the limit is %(limit)s.")
                % {
                    "size": filesizeformat(avatar.size),
                    "limit": filesizeformat(AVATAR_MAX_BYTES),
                },
                code="too_large",
            )
        # forms.ImageField has opened the file with Pillow and kept the image on it.
        image = avatar.image
        extension = AVATAR_FORMATS.get(image.format or "")
        if extension is None:
            raise forms.ValidationError(
                _("Upload a JPEG, PNG, GIF or WebP picture."), code="invalid_type"
            )
        if max(image.size) > AVATAR_MAX_PIXELS:
            raise forms.ValidationError(
                _("The picture is too large: at most %(n)d pixels on each side.")
                % {"n": AVATAR_MAX_PIXELS},
                code="too_many_pixels",
            )
        # Never keep the uploader's file name: it is theirs, not ours to publish.
        avatar.name = f"{uuid.uuid4().hex}.{extension}"
        return avatar

    def avatar_change(self) -> UploadedFile | bool | None:
        """What update_profile expects: a new file, False to clear, None to keep."""
        if self.cleaned_data.get("avatar"):
            return self.cleaned_data["avatar"]
        if self.cleaned_data.get("remove_avatar"):
            return False
        return None
