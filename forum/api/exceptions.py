"""Map the services' exceptions to the API's error contract (API.md, `forum.api.schema`).

ValidationError -> 400 with field errors; PermissionDenied -> 403 with a `detail`
reason; Http404 -> 404; IntegrityError (a unique constraint lost a race) -> 409;
RateLimited -> 429 with Retry-After; everything else as DRF does it. Every non-400 body
is `{"detail", "code"}`.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from core.ratelimit import RateLimited
from forum.api.personal_data import refusal
from forum.personal_data import PersonalDataFound


class BadRequest(exceptions.APIException):
    """A 400 whose reason is not tied to one field: `{"detail": "..."}`."""

    status_code = status.HTTP_400_BAD_REQUEST
    default_detail = _("Invalid request.")
    default_code = "invalid"


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = _("This conflicts with a change made at the same moment. Please retry.")
    default_code = "conflict"


class RequestTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = _("The request body is too large.")
    default_code = "too_large"


def exception_handler(exc: Exception, context: dict) -> Response | None:
    if isinstance(exc, PersonalDataFound):
        return refusal(exc)
    if isinstance(exc, DjangoValidationError):
        if hasattr(exc, "error_dict"):
            return Response(exc.message_dict, status=status.HTTP_400_BAD_REQUEST)
        return Response({"detail": " ".join(exc.messages)}, status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied(detail=str(exc) or None)
    elif isinstance(exc, RateLimited):
        throttled = exceptions.Throttled(wait=exc.retry_after)
        # The service's message already says how long to wait; don't say it twice.
        throttled.detail = exceptions.ErrorDetail(str(exc), code=getattr(exc, "code", "throttled"))
        exc = throttled
    elif isinstance(exc, IntegrityError):
        exc = Conflict()
    elif isinstance(exc, RequestDataTooBig):
        exc = RequestTooLarge()
    response = drf_exception_handler(exc, context)
    if response is not None and response.status_code == status.HTTP_400_BAD_REQUEST:
        if isinstance(response.data, dict):
            response.data = {
                field: value if field == "detail" and isinstance(value, str) else _messages(value)
                for field, value in response.data.items()
            }
    elif response is not None:
        detail = response.data.get("detail") if isinstance(response.data, dict) else None
        if isinstance(detail, exceptions.ErrorDetail):
            response.data = {"detail": str(detail), "code": detail.code}
    return response


def _messages(errors: object, prefix: str = "") -> list[str]:
    """Field errors as a flat list of sentences, as the schema promises: DRF nests the
    errors of list items in a dict keyed by index ({"tags": {0: [...]}})."""
    if isinstance(errors, dict):
        messages: list[str] = []
        for key, value in errors.items():
            label = (
                _("Item %(number)d") % {"number": int(key) + 1} if str(key).isdigit() else str(key)
            )
            messages.extend(_messages(value, f"{prefix}{label}: "))
        return messages
    if isinstance(errors, list | tuple):
        return [message for item in errors for message in _messages(item, prefix)]
    return [f"{prefix}{errors}"]
