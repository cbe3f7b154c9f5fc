"""The advocate programme in `/api/v1/` (twins of `programme:approve` and
`programme:revoke`): the community manager approves or revokes advocates."""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from django.urls import path
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from advocacy.programme import permissions
from advocacy.services import programme as services
from forum.api import schema
from forum.api.base import ForumAPIView, validated
from forum.api.fields import StrictCharField
from forum.models import User

TAG = "advocates"


class ApproveAdvocateRequestSerializer(serializers.Serializer):
    note = StrictCharField(required=False, default="", help_text="Audited; required to override.")
    override = serializers.BooleanField(
        required=False,
        default=False,
        help_text="Approve although the member does not meet every rule (say why in `note`).",
    )

    def to_internal_value(self, data: object) -> dict:
        if isinstance(data, dict) and "override" in data and not isinstance(data["override"], bool):
            raise serializers.ValidationError({"override": ["Expected true or false."]})
        return super().to_internal_value(data)


class RevokeAdvocateRequestSerializer(serializers.Serializer):
    reason = StrictCharField(help_text="The member reads it.")


class AdvocateStatusSerializer(serializers.Serializer):
    username = serializers.CharField()
    is_advocate = serializers.BooleanField()


def _member(request: Request, username: str) -> User:
    permissions.check_manage_advocates(request.user)
    return get_object_or_404(User, username=username, is_active=True)


class ApproveAdvocateView(ForumAPIView):
    permission_classes = [IsAuthenticated]
    throttle_scope = "post"

    @extend_schema(
        tags=[TAG],
        summary="Approve an advocate",
        description="Community managers. The member must meet the programme's rules "
        "unless `override`.",
        request=ApproveAdvocateRequestSerializer,
        responses={
            200: AdvocateStatusSerializer,
            **schema.write_errors(
                schema.field_errors("ApproveAdvocate", "member", "note", "override")
            ),
        },
    )
    def post(self, request: Request, username: str) -> Response:
        member = _member(request, username)
        data = validated(ApproveAdvocateRequestSerializer, request.data)
        member = services.approve_advocate(
            actor=request.user, member=member, note=data["note"], override=data["override"]
        )
        return Response({"username": member.username, "is_advocate": member.is_advocate})


class RevokeAdvocateView(ForumAPIView):
    permission_classes = [IsAuthenticated]
    throttle_scope = "post"

    @extend_schema(
        tags=[TAG],
        summary="Revoke an advocate",
        description="Community managers, with a reason the member reads.",
        request=RevokeAdvocateRequestSerializer,
        responses={
            200: AdvocateStatusSerializer,
            **schema.write_errors(schema.field_errors("RevokeAdvocate", "member", "reason")),
        },
    )
    def post(self, request: Request, username: str) -> Response:
        member = _member(request, username)
        data = validated(RevokeAdvocateRequestSerializer, request.data)
        member = services.revoke_advocate(actor=request.user, member=member, reason=data["reason"])
        return Response({"username": member.username, "is_advocate": member.is_advocate})


urlpatterns = [
    path(
        "advocates/<str:username>/approve/", ApproveAdvocateView.as_view(), name="advocate-approve"
    ),
    path("advocates/<str:username>/revoke/", RevokeAdvocateView.as_view(), name="advocate-revoke"),
]
