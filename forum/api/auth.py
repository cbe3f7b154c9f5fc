"""`/api/v1/auth/token/`: trade a username (or e-mail) and password for an API token."""

from __future__ import annotations

from allauth.account.models import EmailAddress
from django.contrib.auth import authenticate
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from forum import lockout
from forum.api import schema
from forum.api.base import ForumAPIView
from forum.api.exceptions import BadRequest
from forum.api.serializers import TokenRequestSerializer, TokenSerializer
from forum.api.services import issue_token, revoke_token


class TokenView(ForumAPIView):
    """POST logs in (no other authentication is read, so a stale token header or a
    session without CSRF token cannot get in the way); DELETE revokes the caller's token."""

    throttle_scope = "token"

    def get_authenticators(self) -> list:
        if self.request is not None and self.request.method == "POST":
            return []
        return super().get_authenticators()

    def get_permissions(self) -> list:
        if self.request is not None and self.request.method == "POST":
            return [AllowAny()]
        return [IsAuthenticated()]

    @extend_schema(
        tags=["auth"],
        summary="Get an API token",
        description="Log in with a username or e-mail address and the password. Returns the "
        "member's token (the same one on every call until it is revoked). Members must have "
        "verified their e-mail address, as on the site. Throttled per client address; "
        "failed attempts count towards the same lockout as the site's log-in form (per "
        "account and per client address): a locked account or address gets 429 with "
        "`Retry-After` and the code `account_locked` or `address_locked`.",
        request=TokenRequestSerializer,
        responses={
            200: TokenSerializer,
            400: OpenApiResponse(
                response=schema.field_errors("TokenRequest", "username", "password"),
                description="Missing fields, wrong credentials (`detail`), or an e-mail "
                "address not yet verified.",
            ),
            415: schema.UNSUPPORTED,
            429: schema.THROTTLED,
        },
        auth=[],
    )
    def post(self, request: Request) -> Response:
        form = TokenRequestSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        login = form.validated_data["username"].strip()
        lockout.check(request._request, login)  # 429 with Retry-After when locked
        user = authenticate(
            request._request, username=login, password=form.validated_data["password"]
        )
        if user is None:
            lockout.record_failure(request._request, login)
            raise BadRequest(_("Wrong username, e-mail address or password."))
        if not EmailAddress.objects.filter(user=user, verified=True).exists():
            raise BadRequest(
                _(
                    "Verify your e-mail address first: follow the link in the message we "
                    "sent you when you signed up."
                )
            )
        token = issue_token(actor=user)
        return Response(TokenSerializer({"token": token.key}).data)

    @extend_schema(
        tags=["auth"],
        summary="Revoke your API token",
        description="Deletes the caller's token: every client using it is logged out.",
        request=None,
        responses={204: None, 401: schema.UNAUTHENTICATED, 429: schema.THROTTLED},
    )
    def delete(self, request: Request) -> Response:
        revoke_token(actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)
