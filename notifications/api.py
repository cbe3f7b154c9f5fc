"""`GET /api/v1/notifications/` and `POST /api/v1/notifications/read/` (API.md).

The calling member's in-app notifications (`notifications.bell`), newest first, with
the unread count the bell shows; marking read goes through the service, which tells the
member's other tabs on the `user` stream.

Mounted from `config.api_urls` with `path("notifications/", include(notifications))`.
"""

from __future__ import annotations

from django.urls import path
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from forum.api import schema
from forum.api.base import MAX_ID, ForumAPIView, Pagination
from forum.api.fields import StrictIntegerField
from forum.api.serializers import AuthorSerializer
from forum.models import Notification
from notifications import bell as notifications

MAX_IDS = 200


class NotifiedQuestionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()


class NotificationSerializer(serializers.ModelSerializer):
    # Null for notifications without a member behind them (a badge) or not about a
    # question (a reward), and once the member or question is gone.
    actor = AuthorSerializer(read_only=True, allow_null=True)
    question = NotifiedQuestionSerializer(read_only=True, allow_null=True)
    answer_id = serializers.IntegerField(read_only=True, allow_null=True)
    comment_id = serializers.IntegerField(read_only=True, allow_null=True)
    url = serializers.SerializerMethodField(help_text="Where on the site the notification points.")

    class Meta:
        model = Notification
        fields = [
            "id",
            "kind",
            "actor",
            "question",
            "answer_id",
            "comment_id",
            "created_at",
            "read_at",
            "url",
        ]
        read_only_fields = fields

    def get_url(self, notification: Notification) -> str:
        if notification.link or notification.question_id is None:
            # Notifications beyond posts (a badge, a reward) carry their own link.
            url = notification.link or "/"
        else:
            url = notification.question.get_absolute_url()
            if notification.comment_id:
                url += f"#comment-{notification.comment_id}"
            elif notification.answer_id:
                url += f"#answer-{notification.answer_id}"
        request = self.context.get("request")
        return request.build_absolute_uri(url) if request is not None else url


class NotificationPageSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    unread = serializers.IntegerField(help_text="The member's unread notifications in all.")
    results = NotificationSerializer(many=True)


class MarkReadSerializer(serializers.Serializer):
    ids = serializers.ListField(
        child=StrictIntegerField(min_value=1, max_value=MAX_ID),
        max_length=MAX_IDS,
        required=False,
        help_text="The notifications to mark read; leave out to mark all of them read.",
    )


class MarkReadResultSerializer(serializers.Serializer):
    marked = serializers.IntegerField(help_text="How many were unread and are now read.")
    unread = serializers.IntegerField()


def _unread_filter(request: Request) -> bool:
    value = request.query_params.get("unread", "").lower()
    if value in ("", "0", "false"):
        return False
    if value in ("1", "true"):
        return True
    raise ValidationError({"unread": [_("Use unread=true or unread=false.")]})


class NotificationListView(ForumAPIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        tags=["notifications"],
        summary="The calling member's notifications, newest first",
        parameters=[
            OpenApiParameter("unread", bool, description="Only the unread ones."),
            OpenApiParameter("page", int),
            OpenApiParameter("page_size", int),
        ],
        responses={
            200: NotificationPageSerializer,
            400: OpenApiResponse(
                response=schema.field_errors("NotificationList", "unread"),
                description="Invalid parameters.",
            ),
            **schema.read_errors(not_found=True),
        },
    )
    def get(self, request: Request) -> Response:
        queryset = notifications.notifications_for(request.user)
        if _unread_filter(request):
            queryset = queryset.filter(read_at__isnull=True)
        paginator = Pagination()
        page = paginator.paginate_queryset(queryset, request, view=self)
        data = NotificationSerializer(page, many=True, context={"request": request}).data
        response = paginator.get_paginated_response(data)
        response.data["unread"] = notifications.unread_count(request.user)
        return response


class MarkReadView(ForumAPIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        tags=["notifications"],
        summary="Mark notifications read (all of them, or those listed)",
        request=MarkReadSerializer,
        responses={
            200: MarkReadResultSerializer,
            **schema.write_errors(schema.field_errors("MarkRead", "ids"), not_found=False),
        },
    )
    def post(self, request: Request) -> Response:
        if not isinstance(request.data, dict):
            raise ValidationError({"non_field_errors": [_("Expected a JSON object.")]})
        serializer = MarkReadSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        marked = notifications.mark_notifications_read(
            actor=request.user, ids=serializer.validated_data.get("ids")
        )
        return Response({"marked": marked, "unread": notifications.unread_count(request.user)})


urlpatterns = [
    path("", NotificationListView.as_view(), name="notification-list"),
    path("read/", MarkReadView.as_view(), name="notification-read"),
]
