"""The desk's remaining acts in `/api/v1/` (twins of `desk:priority` and
`desk:bulk_assign`), beside `advocacy.desk.api`."""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from django.urls import path
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from advocacy.desk import permissions
from advocacy.desk.api import _escalation_data
from advocacy.desk.serializers import EscalationSerializer
from advocacy.models import Escalation
from advocacy.models.desk import EscalationPriority
from advocacy.services import escalations as services
from forum.api import schema
from forum.api.base import MAX_ID, ForumAPIView, validated
from forum.api.fields import StrictIntegerField
from forum.models import User

TAG = "escalations"


class PriorityRequestSerializer(serializers.Serializer):
    priority = serializers.ChoiceField(choices=EscalationPriority.choices)


class BulkAssignRequestSerializer(serializers.Serializer):
    escalations = serializers.ListField(
        child=StrictIntegerField(min_value=1, max_value=MAX_ID), min_length=1, max_length=100
    )
    assignee = StrictIntegerField(
        min_value=1, max_value=MAX_ID, allow_null=True, help_text="A staff member's id, or null."
    )


class PriorityView(ForumAPIView):
    permission_classes = [IsAuthenticated]
    throttle_scope = "post"

    @extend_schema(
        tags=[TAG],
        summary="Change an escalation's priority",
        description="Staff. The SLA due times follow the new priority's policy.",
        request=PriorityRequestSerializer,
        responses={
            200: EscalationSerializer,
            **schema.write_errors(schema.field_errors("EscalationPriority", "priority")),
        },
    )
    def post(self, request: Request, pk: int) -> Response:
        permissions.check_work_desk(request.user)
        escalation = get_object_or_404(Escalation.objects.select_related("question"), pk=pk)
        data = validated(PriorityRequestSerializer, request.data)
        services.set_escalation_priority(
            actor=request.user, escalation=escalation, priority=data["priority"]
        )
        return Response(_escalation_data(request, pk))


class BulkAssignView(ForumAPIView):
    permission_classes = [IsAuthenticated]
    throttle_scope = "post"

    @extend_schema(
        tags=[TAG],
        summary="Assign several escalations at once",
        description="Staff. All or none: an unknown id or a closed case refuses the batch.",
        request=BulkAssignRequestSerializer,
        responses={
            200: EscalationSerializer(many=True),
            **schema.write_errors(
                schema.field_errors("BulkAssign", "escalations", "assignee"), not_found=False
            ),
        },
    )
    def post(self, request: Request) -> Response:
        permissions.check_work_desk(request.user)
        data = validated(BulkAssignRequestSerializer, request.data)
        assignee = None
        if data["assignee"] is not None:
            assignee = User.objects.filter(pk=data["assignee"]).first()
            if assignee is None:
                raise serializers.ValidationError({"assignee": ["No such member."]})
        done = services.bulk_assign_escalations(
            actor=request.user, escalation_ids=data["escalations"], assignee=assignee
        )
        return Response([_escalation_data(request, e.pk) for e in done])


urlpatterns = [
    path("escalations/<int:pk>/priority/", PriorityView.as_view(), name="escalation-priority"),
    path("escalations/bulk-assign/", BulkAssignView.as_view(), name="escalation-bulk-assign"),
]
