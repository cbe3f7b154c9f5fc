"""Canned responses in `/api/v1/`: staff read the ones offered (what the case view offers),
community managers create, change and delete them (the admin's twin)."""

from __future__ import annotations

from django.conf import settings
from django.shortcuts import get_object_or_404
from django.urls import path
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from advocacy.desk import canned, permissions
from advocacy.models import CannedResponse
from forum.api import schema
from forum.api.base import ForumAPIView, Pagination
from forum.api.fields import StrictCharField, StrictIntegerField

TAG = "canned responses"


class CannedResponseSerializer(serializers.ModelSerializer):
    class Meta:
        model = CannedResponse
        fields = ["id", "title", "body", "language", "position", "is_active", "updated_at"]
        read_only_fields = fields


class CannedResponseRequestSerializer(serializers.Serializer):
    title = StrictCharField(help_text="1 to 100 characters.")
    body = StrictCharField(
        help_text="1 to 5,000 characters; `{customer}`, `{agent}` and `{question}` are "
        "replaced when used."
    )
    language = serializers.ChoiceField(
        choices=[("", "any"), *settings.LANGUAGES], required=False, allow_blank=True
    )
    position = StrictIntegerField(min_value=0, max_value=32767, required=False)
    is_active = serializers.BooleanField(required=False)

    def to_internal_value(self, data: object) -> dict:
        if (
            isinstance(data, dict)
            and "is_active" in data
            and not isinstance(data["is_active"], bool)
        ):
            raise serializers.ValidationError({"is_active": ["Expected true or false."]})
        return super().to_internal_value(data)


def _valid(data: object, *, partial: bool = False) -> dict:
    serializer = CannedResponseRequestSerializer(data=data, partial=partial)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


ERRORS = schema.field_errors("CannedResponse", "title", "body", "language", "position", "is_active")


class CannedResponseListView(ForumAPIView):
    permission_classes = [IsAuthenticated]
    pagination_class = Pagination
    throttle_scope = "post"

    @extend_schema(
        tags=[TAG],
        summary="Canned responses",
        description="Staff: the offered ones; managers also see those switched off.",
        responses={
            200: CannedResponseSerializer(many=True),
            # 404: a page number past the end; 400: a page size that is not a whole number
            **schema.read_errors(
                bad_request=schema.field_errors("CannedResponseList", "page_size")
            ),
            403: schema.FORBIDDEN,
        },
    )
    def get(self, request: Request) -> Response:
        permissions.check_work_desk(request.user)
        qs = CannedResponse.objects.all()
        if not permissions.can_edit_canned_responses(request.user):
            qs = qs.filter(is_active=True)
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(qs, request, view=self)
        return paginator.get_paginated_response(CannedResponseSerializer(page, many=True).data)

    @extend_schema(
        tags=[TAG],
        summary="Create a canned response",
        description="Community managers.",
        request=CannedResponseRequestSerializer,
        responses={201: CannedResponseSerializer, **schema.write_errors(ERRORS, not_found=False)},
    )
    def post(self, request: Request) -> Response:
        permissions.check_edit_canned_responses(request.user)
        response = canned.create_canned_response(actor=request.user, **_valid(request.data))
        return Response(CannedResponseSerializer(response).data, status=status.HTTP_201_CREATED)


class CannedResponseDetailView(ForumAPIView):
    permission_classes = [IsAuthenticated]
    throttle_scope = "post"

    def _get(self, request: Request, pk: int, *, edit: bool) -> CannedResponse:
        if edit:
            permissions.check_edit_canned_responses(request.user)
        else:
            permissions.check_work_desk(request.user)
        qs = CannedResponse.objects.all()
        if not permissions.can_edit_canned_responses(request.user):
            qs = qs.filter(is_active=True)
        return get_object_or_404(qs, pk=pk)

    @extend_schema(
        tags=[TAG],
        summary="A canned response",
        responses={200: CannedResponseSerializer, **schema.read_errors(), 403: schema.FORBIDDEN},
    )
    def get(self, request: Request, pk: int) -> Response:
        return Response(CannedResponseSerializer(self._get(request, pk, edit=False)).data)

    @extend_schema(
        tags=[TAG],
        summary="Change a canned response",
        description="Community managers.",
        request=CannedResponseRequestSerializer(partial=True),
        responses={200: CannedResponseSerializer, **schema.write_errors(ERRORS)},
    )
    def patch(self, request: Request, pk: int) -> Response:
        response = self._get(request, pk, edit=True)
        response = canned.update_canned_response(
            actor=request.user, response=response, **_valid(request.data, partial=True)
        )
        return Response(CannedResponseSerializer(response).data)

    @extend_schema(
        tags=[TAG],
        summary="Delete a canned response",
        description="Community managers.",
        request=None,
        responses={204: OpenApiResponse(description="Deleted."), **schema.write_errors(None)},
    )
    def delete(self, request: Request, pk: int) -> Response:
        response = self._get(request, pk, edit=True)
        canned.delete_canned_response(actor=request.user, response=response)
        return Response(status=status.HTTP_204_NO_CONTENT)


urlpatterns = [
    path("canned-responses/", CannedResponseListView.as_view(), name="canned-response-list"),
    path(
        "canned-responses/<int:pk>/",
        CannedResponseDetailView.as_view(),
        name="canned-response-detail",
    ),
]
