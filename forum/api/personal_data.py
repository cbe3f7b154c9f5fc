"""Personal data in posts, for the API (API.md "Personal data in posts").

A post whose text holds personal data is refused with 400 `{"code": "personal_data",
"detail", "findings": [{"kind", "start", "end", "field"}]}` unless the body carries
`"personal_data": "mask"`; the services do the finding and the masking
(`forum.personal_data.guard`), this module only speaks JSON.
"""

from __future__ import annotations

from rest_framework import serializers
from rest_framework.response import Response

from forum.personal_data import MASK, REFUSE, PersonalDataFound, message


def personal_data_field() -> serializers.ChoiceField:
    return serializers.ChoiceField(
        choices=[MASK],
        required=False,
        help_text='"mask": post the text with its personal data masked (the last 4 '
        "characters kept). Without it, text with a phone number, IBAN, card number, e-mail "
        "address or Italian tax code is refused with 400 and `code` personal_data.",
    )


def mode(data: dict) -> str:
    """The services' `personal_data` argument for a validated request body."""
    return data.get("personal_data") or REFUSE


def refusal(exc: PersonalDataFound) -> Response:
    """The 400 body; offsets are in the text as the server normalises it (it trims
    surrounding blanks and drops invisible characters first)."""
    findings = [
        {**finding.as_dict(), "field": field}
        for field, items in exc.findings.items()
        for finding in items
    ]
    every = [finding for items in exc.findings.values() for finding in items]
    body = {"code": PersonalDataFound.code, "detail": message(every), "findings": findings}
    return Response(body, status=400)


class FindingSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=["phone", "iban", "card", "email", "tax_code"])
    start = serializers.IntegerField()
    end = serializers.IntegerField(help_text="Exclusive.")
    field = serializers.CharField(help_text="Which field of the request: title or body.")
