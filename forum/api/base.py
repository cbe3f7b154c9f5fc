"""What every forum API view shares: JSON in, throttles that honour settings, pagination."""

from __future__ import annotations

import json

from django.conf import settings
from django.utils.translation import gettext as _
from rest_framework import parsers, serializers, throttling
from rest_framework.exceptions import NotFound, ParseError, ValidationError
from rest_framework.pagination import PageNumberPagination
from rest_framework.settings import api_settings
from rest_framework.views import APIView

from forum.api.exceptions import RequestTooLarge


class JSONParser(parsers.JSONParser):
    """DRF hands JSON straight from the socket to the parser, past Django's upload limit;
    this reads at most DATA_UPLOAD_MAX_MEMORY_SIZE bytes and refuses more with a 413."""

    def parse(self, stream, media_type=None, parser_context=None):  # noqa: ANN001, ANN201
        if stream is None:
            return {}
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        raw = stream.read(limit + 1) if limit is not None else stream.read()
        if limit is not None and len(raw) > limit:
            raise RequestTooLarge()
        encoding = (parser_context or {}).get("encoding", settings.DEFAULT_CHARSET)
        try:
            return json.loads(raw.decode(encoding), parse_constant=_refuse_constant)
        except (ValueError, UnicodeDecodeError) as exc:
            raise ParseError(_("The body is not valid JSON: %(error)s") % {"error": exc}) from exc


def _refuse_constant(name: str) -> None:
    raise ValueError(f"{name} is not a JSON number")


class _LiveRatesMixin:
    """DRF copies DEFAULT_THROTTLE_RATES once at import; read them on each request instead,
    so a changed setting (an override in a test, a reloaded config) takes effect."""

    def get_rate(self) -> str | None:
        if not getattr(self, "scope", None):
            return None
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)


class AnonRateThrottle(_LiveRatesMixin, throttling.AnonRateThrottle):
    pass


class UserRateThrottle(_LiveRatesMixin, throttling.UserRateThrottle):
    pass


class WriteRateThrottle(_LiveRatesMixin, throttling.ScopedRateThrottle):
    """The view's `throttle_scope` ("post", "vote", "token") budgets its writes only:
    reading a list must not spend the budget for posting to it."""

    def allow_request(self, request, view) -> bool:  # noqa: ANN001
        if request.method in ("GET", "HEAD", "OPTIONS"):
            return True
        return super().allow_request(request, view)


class Pagination(PageNumberPagination):
    """`page` from 1 (a page that does not exist is 404, "Invalid page."); `page_size` a
    whole number from 1 (more than 100 gives 100); anything else is a 400 rather than
    silently the default."""

    page_size_query_param = "page_size"
    max_page_size = 100

    def get_page_size(self, request) -> int:  # noqa: ANN001
        raw = request.query_params.get(self.page_size_query_param)
        if raw is not None and not (raw.isascii() and raw.isdigit() and int(raw) >= 1):
            raise ValidationError(
                {self.page_size_query_param: [_("The page size must be a whole number from 1.")]}
            )
        return super().get_page_size(request)


# Ids are 64-bit: a longer one in the path can name nothing, and handing it to the database
# would fail there (an overflow on SQLite, "bigint out of range" on PostgreSQL).
MAX_ID = 2**63 - 1


class ForumAPIView(APIView):
    parser_classes = [JSONParser]
    throttle_classes = [AnonRateThrottle, UserRateThrottle, WriteRateThrottle]

    def initial(self, request, *args, **kwargs) -> None:  # noqa: ANN001, ANN002, ANN003
        super().initial(request, *args, **kwargs)
        if kwargs.get("pk", 0) > MAX_ID:
            raise NotFound()


def validated(serializer_class: type[serializers.Serializer], data: object) -> dict:
    """`data` checked by `serializer_class`: its validated data, or a 400 with the field
    errors (raised; `forum.api.exceptions` answers it)."""
    serializer = serializer_class(data=data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data
