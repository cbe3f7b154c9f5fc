"""Strict JSON fields: the wrong JSON type is a 400, never silently coerced.

DRF's CharField turns 123 into "123" and IntegerField turns "1" or 1.0 into 1; an API
client that sends those has a bug we should tell it about. The content rules (lengths,
tag syntax, vote values) stay in `forum.validation` and the services.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers


class StrictCharField(serializers.CharField):
    """Only a JSON string (or a form field) is text; whitespace is kept for the services."""

    default_error_messages = {"invalid": _("Expected text (a JSON string).")}

    def __init__(self, **kwargs: object) -> None:
        kwargs.setdefault("trim_whitespace", False)
        kwargs.setdefault("allow_blank", True)
        super().__init__(**kwargs)

    def to_internal_value(self, data: object) -> str:
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


class StrictIntegerField(serializers.IntegerField):
    """Only a JSON integer (true/false, "1" and 1.0 are refused)."""

    default_error_messages = {"invalid": _("Expected a whole number (a JSON integer).")}

    def to_internal_value(self, data: object) -> int:
        if type(data) is not int:
            self.fail("invalid")
        return super().to_internal_value(data)
