"""`GET /api/v1/community/health/?days=N` (staff and managers; API.md): the dashboard's
figures for the period and the one before it. Mounted from `config.api_urls`."""

from __future__ import annotations

from django.urls import path
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from advocacy.health.figures import health_report
from advocacy.health.forms import PeriodForm
from advocacy.health.permissions import can_view_health
from forum.api import schema
from forum.api.base import ForumAPIView

_percentiles = inline_serializer(
    "HealthPercentiles",
    {
        "p50": serializers.FloatField(allow_null=True, help_text="Median, minutes."),
        "p90": serializers.FloatField(
            allow_null=True, help_text="Nearest-rank 90th percentile, minutes."
        ),
    },
)
_group = {
    "questions": serializers.IntegerField(),
    "answered_share": serializers.FloatField(allow_null=True),
    "first_answer_minutes": _percentiles,
    "solved_share": serializers.FloatField(allow_null=True),
}
_period = inline_serializer(
    "HealthPeriod",
    {
        "start": serializers.DateTimeField(),
        "end": serializers.DateTimeField(),
        **_group,
        "community_first_answer_minutes": _percentiles,
        "community_solved_share": serializers.FloatField(allow_null=True),
        "escalated_share": serializers.FloatField(allow_null=True),
        "sla_met_share": serializers.FloatField(
            allow_null=True, help_text="Of escalations opened whose outcome is known."
        ),
        "deflection_estimate": serializers.IntegerField(
            help_text="Views of solved threads by signed-out readers in the period."
        ),
        "top1_share": serializers.FloatField(allow_null=True),
        "top10_share": serializers.FloatField(allow_null=True),
        "active_helpers": serializers.IntegerField(),
        "new_helpers": serializers.IntegerField(),
        "helpers_at_risk": serializers.IntegerField(),
        "advocates": inline_serializer(
            "HealthAdvocates",
            {
                "accuracy": serializers.FloatField(allow_null=True),
                "escalations_raised": serializers.IntegerField(),
                "flags_upheld": serializers.IntegerField(),
                "flags_decided": serializers.IntegerField(),
            },
        ),
        "by_tag": inline_serializer(
            "HealthTag",
            {"tag": serializers.CharField(), "slug": serializers.CharField(), **_group},
            many=True,
        ),
        "by_category": inline_serializer(
            "HealthCategory", {"category": serializers.CharField(), **_group}, many=True
        ),
    },
)
HealthSerializer = inline_serializer(
    "CommunityHealth",
    {
        "days": serializers.IntegerField(),
        "current": _period,
        "previous": _period,
        "trend": inline_serializer(
            "HealthDay",
            {
                "day": serializers.DateField(),
                "questions": serializers.IntegerField(),
                "answered": serializers.IntegerField(),
                "solved": serializers.IntegerField(),
            },
            many=True,
        ),
    },
)


class CommunityHealthView(ForumAPIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        tags=["community"],
        summary="Community health figures (staff and managers)",
        parameters=[
            OpenApiParameter(
                "days",
                {"type": "integer", "minimum": 1, "maximum": 365, "default": 30},
                description="The period in days, 1-365 (default 30).",
            )
        ],
        responses={
            200: HealthSerializer,
            400: schema.field_errors("Health", "days"),
            401: schema.UNAUTHENTICATED,
            403: schema.FORBIDDEN,
            429: schema.THROTTLED,
        },
    )
    def get(self, request: Request) -> Response:
        if not can_view_health(request.user):
            raise PermissionDenied()
        form = PeriodForm(request.query_params)
        if not form.is_valid():
            raise ValidationError({"days": form.errors["days"]})
        return Response(health_report(form.cleaned_data["days"]))


urlpatterns = [
    path("community/health/", CommunityHealthView.as_view(), name="community-health"),
]
