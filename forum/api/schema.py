"""The error bodies of the API, as serializers, so /api/schema/ documents every one.

Every error except a 400 is `{"detail": <a sentence a person can read>, "code": <a
stable machine code>}`. A 400 carries the field errors: `{"<field>": ["message", ...]}`,
plus `detail` when the problem is not tied to one field (malformed JSON, say).
"""

from __future__ import annotations

from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers


class ErrorSerializer(serializers.Serializer):
    detail = serializers.CharField(help_text="What went wrong, translated for the member.")
    code = serializers.CharField(
        help_text=(
            "A stable code: not_authenticated, authentication_failed, permission_denied, "
            "not_found, conflict, throttled, unsupported_media_type, ..."
        )
    )


_errors_cache: dict[str, type[serializers.Serializer]] = {}


def field_errors(name: str, *fields: str) -> type[serializers.Serializer]:
    """A serializer documenting a 400 body that may name any of `fields`."""
    if name in _errors_cache:
        return _errors_cache[name]
    attrs: dict[str, object] = {
        field: serializers.ListField(child=serializers.CharField(), required=False)
        for field in fields
    }
    attrs["non_field_errors"] = serializers.ListField(
        child=serializers.CharField(),
        required=False,
        help_text="Problems with the body as a whole (not a JSON object, say).",
    )
    attrs["detail"] = serializers.CharField(
        required=False, help_text="A problem not tied to one field (malformed JSON, ...)."
    )
    if "body" in fields:  # a post's text: refused when it holds personal data
        from forum.api.personal_data import FindingSerializer

        attrs["code"] = serializers.CharField(
            required=False, help_text="personal_data: the text holds personal data."
        )
        attrs["findings"] = FindingSerializer(
            many=True, required=False, help_text="With code personal_data: what was found."
        )
    attrs["__doc__"] = f"Field errors: each named field lists what is wrong with it ({name})."
    serializer = type(f"{name}ErrorsSerializer", (serializers.Serializer,), attrs)
    _errors_cache[name] = serializer
    return serializer


def _error(description: str) -> OpenApiResponse:
    return OpenApiResponse(response=ErrorSerializer, description=description)


UNAUTHENTICATED = _error(
    "No credentials, or a wrong token (the `WWW-Authenticate: Token` header says how)."
)
FORBIDDEN = _error(
    "Authenticated, but this member may not do this; `detail` says why. Also a session "
    "request without its CSRF token."
)
NOT_FOUND = _error(
    "No such object, or not one this member may see; for a list, a page that does not exist."
)
CONFLICT = _error("The change conflicted with another made at the same moment; retry.")
THROTTLED = _error("Too many requests; the `Retry-After` header says how many seconds to wait.")
UNSUPPORTED = _error("The request body must be JSON (`Content-Type: application/json`).")
TOO_LARGE = _error("The request body is larger than the server accepts.")


def read_errors(*, not_found: bool = True, bad_request: type | None = None) -> dict:
    """Error responses of a read."""
    responses: dict = {401: UNAUTHENTICATED, 429: THROTTLED}
    if not_found:
        responses[404] = NOT_FOUND
    if bad_request is not None:
        responses[400] = OpenApiResponse(response=bad_request, description="Invalid parameters.")
    return dict(sorted(responses.items()))


def write_errors(bad_request: type | None, *, not_found: bool = True) -> dict:
    """Error responses of a write: every write may be refused, conflict or be throttled."""
    responses: dict = {
        401: UNAUTHENTICATED,
        403: FORBIDDEN,
        409: CONFLICT,
        429: THROTTLED,
    }
    if bad_request is not None:
        responses[413] = TOO_LARGE
        responses[415] = UNSUPPORTED
        responses[400] = OpenApiResponse(
            response=bad_request, description="Invalid input; the body lists the field errors."
        )
    if not_found:
        responses[404] = NOT_FOUND
    return dict(sorted(responses.items()))


def page_parameters_hook(result: dict, generator, request, public) -> dict:  # noqa: ANN001, ARG001
    """drf-spectacular postprocessing: `page` and `page_size` are whole numbers from 1
    (forum.api.base.Pagination refuses anything else), wherever a list declares them."""
    for operations in result.get("paths", {}).values():
        for operation in operations.values():
            for parameter in operation.get("parameters", []) if isinstance(operation, dict) else []:
                if parameter.get("in") == "query" and parameter.get("name") in (
                    "page",
                    "page_size",
                ):
                    parameter.setdefault("schema", {"type": "integer"})["minimum"] = 1
    return result
