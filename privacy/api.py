"""`GET /api/v1/users/me/export/` and `DELETE /api/v1/users/me/` (API.md), mounted from `config.api_urls`."""

from __future__ import annotations

from django.urls import path
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from forum.api import schema
from forum.api.base import ForumAPIView
from forum.api.fields import StrictCharField
from gamification.api_members import MeView as BaseMeView
from privacy import erasure, export


class EraseRequestSerializer(serializers.Serializer):
    password = StrictCharField(help_text="The member's current password.", allow_blank=False)


class MeView(BaseMeView):
    throttle_scope = "token"

    @extend_schema(
        tags=["members"],
        summary="Erase the calling member's account",
        description="Irreversible: the member can no longer log in, their token stops "
        "working, their name, e-mail addresses, bio, avatar, notifications and e-mail "
        "preferences are deleted; their posts stay under a neutral name (`deleted-<id>`, "
        "shown as “Deleted member”).",
        request=EraseRequestSerializer,
        responses={
            204: None,
            **schema.write_errors(schema.field_errors("EraseAccount", "password"), not_found=False),
        },
    )
    def delete(self, request: Request) -> Response:
        serializer = EraseRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        member = request.user
        erasure.check_password(member, serializer.validated_data["password"])
        erasure.erase_member(actor=member, member=member)
        return Response(status=status.HTTP_204_NO_CONTENT)


class ExportView(ForumAPIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        tags=["members"],
        summary="Download everything the site holds about the calling member",
        description="A JSON attachment: " + ", ".join(f"`{key}`" for key in export.SECTIONS) + ".",
        responses={
            (200, "application/json"): OpenApiResponse(
                response=dict, description="The export (Content-Disposition: attachment)."
            ),
            **schema.read_errors(not_found=False),
        },
    )
    def get(self, request: Request) -> Response:
        response = Response(export.member_export(member=request.user))
        response["Content-Disposition"] = f'attachment; filename="{export.filename(request.user)}"'
        response["Cache-Control"] = "no-store"
        return response


urlpatterns = [
    path("users/me/export/", ExportView.as_view(), name="me-export"),
    path("users/me/", MeView.as_view(), name="me"),  # GET, and DELETE (erasure)
]
