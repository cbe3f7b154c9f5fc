"""The escalation endpoints of `/api/v1/` (API.md): escalate a question (advocates and
staff) and the desk (staff): list, read, claim, assign, status, notes, the official
answer, resolve with verdicts, dismiss.

Thin, like `forum.api.views`: check the shape with a serializer, check the permission
(403 with the reason for non-staff, before anything is looked up), fetch, call one
service, serialize. Errors map through `forum.api.exceptions`; a claim lost to another
agent is a 409. Mounted from `config.api_urls` (namespace "api").

Internal notes are served only here, to staff (`GET /escalations/{id}/`,
`POST /escalations/{id}/notes/`); no public endpoint carries them.
"""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from django.urls import path
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.reverse import reverse

from advocacy.desk import permissions, selectors
from advocacy.desk.serializers import (
    AssignEscalationRequestSerializer,
    DeskBodyRequestSerializer,
    DismissEscalationRequestSerializer,
    EscalateRequestSerializer,
    EscalationDetailSerializer,
    EscalationFilterSerializer,
    EscalationSerializer,
    EscalationStatusRequestSerializer,
    NoteSerializer,
    ResolveEscalationRequestSerializer,
)
from advocacy.models import Escalation
from advocacy.services import escalations as services
from forum import selectors as forum_selectors
from forum.api import schema
from forum.api.base import ForumAPIView, Pagination, validated
from forum.api.exceptions import Conflict
from forum.api.serializers import AnswerSerializer
from forum.api.views import _answer_data
from forum.models import Category, User

TAG = "escalations"


# Views -------------------------------------------------------------------------------------


def _escalation_data(request: Request, pk: int, *, detail: bool = False) -> dict:
    escalation = selectors.get_escalation(pk=pk)
    serializer = EscalationDetailSerializer if detail else EscalationSerializer
    return serializer(escalation, context={"request": request}).data


class EscalateView(ForumAPIView):
    permission_classes = [IsAuthenticated]
    throttle_scope = "post"

    @extend_schema(
        tags=["questions"],
        summary="Escalate a question to staff",
        description="Advocates and staff. One open escalation per question: when the "
        "question already has one, the reason is added to its history (and a higher "
        "priority raises it) and the answer is 200 with that escalation instead of 201.",
        request=EscalateRequestSerializer,
        responses={
            201: EscalationSerializer,
            200: OpenApiResponse(
                response=EscalationSerializer,
                description="The question was already escalated; the reason joined its case.",
            ),
            **schema.write_errors(schema.field_errors("Escalate", "reason", "priority")),
        },
    )
    def post(self, request: Request, pk: int) -> Response:
        question = forum_selectors.get_question(pk=pk, user=request.user)
        data = validated(EscalateRequestSerializer, request.data)
        escalation = services.escalate_question(
            actor=request.user,
            question=question,
            reason=data["reason"],
            priority=data["priority"],
        )
        body = _escalation_data(request, escalation.pk)
        if not escalation.is_new:
            return Response(body)
        location = reverse("api:escalation-detail", kwargs={"pk": escalation.pk}, request=request)
        return Response(body, status=status.HTTP_201_CREATED, headers={"Location": location})


class EscalationListView(ForumAPIView):
    permission_classes = [IsAuthenticated]
    pagination_class = Pagination

    @extend_schema(
        tags=[TAG],
        summary="The desk's escalations",
        description="Staff. Ordered by SLA due time: open cases by the due time that matters "
        "now (waiting-on-customer cases, whose clocks are stopped, after the others), then "
        "closed ones.",
        parameters=[EscalationFilterSerializer],
        responses={
            200: EscalationSerializer(many=True),
            **schema.read_errors(
                not_found=True,  # `page` past the end, or not a page number
                bad_request=schema.field_errors(
                    "EscalationFilter", "status", "assignee", "priority", "category"
                ),
            ),
            403: schema.FORBIDDEN,
        },
    )
    def get(self, request: Request) -> Response:
        permissions.check_work_desk(request.user)
        filters = validated(EscalationFilterSerializer, request.query_params)
        assignee = filters.get("assignee", "")
        category = None
        if filters.get("category"):
            category = Category.objects.filter(slug=filters["category"]).first()
            if category is None:
                return Response(
                    {"category": ["No such category."]}, status=status.HTTP_400_BAD_REQUEST
                )
        qs = selectors.desk_queue(
            user=request.user,
            status=filters.get("status", "active"),
            mine=assignee == "me",
            unassigned=assignee == "none",
            assignee_id=int(assignee) if assignee.isdigit() else None,
            priority=filters.get("priority", ""),
            category=category,
        )
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(qs, request, view=self)
        data = EscalationSerializer(page, many=True, context={"request": request}).data
        return paginator.get_paginated_response(data)


class EscalationDetailView(ForumAPIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        tags=[TAG],
        summary="An escalation with its history and internal notes",
        description="Staff only; the notes never appear anywhere public.",
        responses={200: EscalationDetailSerializer, **schema.read_errors(), 403: schema.FORBIDDEN},
    )
    def get(self, request: Request, pk: int) -> Response:
        permissions.check_work_desk(request.user)
        return Response(_escalation_data(request, pk, detail=True))


class _CaseAct(ForumAPIView):
    """A staff act on one case: permission first (403 for non-staff, before the case is
    looked up), then the case (404), then the service."""

    permission_classes = [IsAuthenticated]
    throttle_scope = "post"

    def case(self, request: Request, pk: int) -> Escalation:
        permissions.check_work_desk(request.user)
        return get_object_or_404(Escalation.objects.select_related("question"), pk=pk)


def _conflict(exc: services.EscalationConflict) -> Conflict:
    return Conflict(detail=str(exc))


class ClaimView(_CaseAct):
    @extend_schema(
        tags=[TAG],
        summary="Claim an escalation",
        description="Staff. Takes an unassigned case (an open one becomes in progress); "
        "claiming your own case again changes nothing; 409 when another agent has it.",
        request=None,
        responses={200: EscalationSerializer, **schema.write_errors(None)},
    )
    def post(self, request: Request, pk: int) -> Response:
        escalation = self.case(request, pk)
        try:
            services.claim_escalation(actor=request.user, escalation=escalation)
        except services.EscalationConflict as exc:
            raise _conflict(exc) from exc
        return Response(_escalation_data(request, pk))


class AssignView(_CaseAct):
    @extend_schema(
        tags=[TAG],
        summary="Assign an escalation",
        description="Staff. Hands the case to a staff member (who is notified), or to "
        "nobody with null.",
        request=AssignEscalationRequestSerializer,
        responses={
            200: EscalationSerializer,
            **schema.write_errors(schema.field_errors("AssignEscalation", "assignee")),
        },
    )
    def post(self, request: Request, pk: int) -> Response:
        escalation = self.case(request, pk)
        data = validated(AssignEscalationRequestSerializer, request.data)
        assignee = None
        if data["assignee"] is not None:
            assignee = User.objects.filter(pk=data["assignee"]).first()
            if assignee is None:
                return Response(
                    {"assignee": ["No such member."]}, status=status.HTTP_400_BAD_REQUEST
                )
        services.assign_escalation(actor=request.user, escalation=escalation, assignee=assignee)
        return Response(_escalation_data(request, pk))


class StatusView(_CaseAct):
    @extend_schema(
        tags=[TAG],
        summary="Change an escalation's status",
        description="Staff: `in_progress` or `waiting_on_customer` (resolve and dismiss "
        "have their own endpoints).",
        request=EscalationStatusRequestSerializer,
        responses={
            200: EscalationSerializer,
            **schema.write_errors(schema.field_errors("EscalationStatus", "status")),
        },
    )
    def post(self, request: Request, pk: int) -> Response:
        escalation = self.case(request, pk)
        data = validated(EscalationStatusRequestSerializer, request.data)
        services.set_escalation_status(
            actor=request.user, escalation=escalation, status=data["status"]
        )
        return Response(_escalation_data(request, pk))


class NoteView(_CaseAct):
    @extend_schema(
        tags=[TAG],
        summary="Add an internal note",
        description="Staff. Internal: never shown in public, in notifications or on any "
        "socket stream but the staff-only desk (which hears only that a note was added).",
        request=DeskBodyRequestSerializer,
        responses={
            201: NoteSerializer,
            **schema.write_errors(schema.field_errors("EscalationNote", "body")),
        },
    )
    def post(self, request: Request, pk: int) -> Response:
        escalation = self.case(request, pk)
        data = validated(DeskBodyRequestSerializer, request.data)
        note = services.add_note(actor=request.user, escalation=escalation, body=data["body"])
        return Response(
            NoteSerializer(note, context={"request": request}).data,
            status=status.HTTP_201_CREATED,
        )


class OfficialAnswerView(_CaseAct):
    @extend_schema(
        tags=[TAG],
        summary="Post the official answer",
        description="Staff. Posted in the public thread, marked as staff's and pinned "
        "below the question; the asker is notified as for any answer.",
        request=DeskBodyRequestSerializer,
        responses={
            201: AnswerSerializer,
            **schema.write_errors(schema.field_errors("OfficialAnswer", "body")),
        },
    )
    def post(self, request: Request, pk: int) -> Response:
        escalation = self.case(request, pk)
        data = validated(DeskBodyRequestSerializer, request.data)
        answer = services.post_official_answer(
            actor=request.user, escalation=escalation, body=data["body"]
        )
        location = reverse("api:answer-detail", kwargs={"pk": answer.pk}, request=request)
        return Response(
            _answer_data(request, answer.pk),
            status=status.HTTP_201_CREATED,
            headers={"Location": location},
        )


class ResolveView(_CaseAct):
    @extend_schema(
        tags=[TAG],
        summary="Resolve an escalation",
        description="Staff. Closes the case with a summary and judges the community's "
        "answers: `correct` earns the author the staff-verified points, `unsafe` hides the "
        "answer pending review, `incorrect` counts against the author's accuracy. All or "
        "nothing. The asker and the member who escalated are notified.",
        request=ResolveEscalationRequestSerializer,
        responses={
            200: EscalationSerializer,
            **schema.write_errors(
                schema.field_errors("ResolveEscalation", "resolution", "verdicts")
            ),
        },
    )
    def post(self, request: Request, pk: int) -> Response:
        escalation = self.case(request, pk)
        data = validated(ResolveEscalationRequestSerializer, request.data)
        services.resolve_escalation(
            actor=request.user,
            escalation=escalation,
            resolution=data["resolution"],
            verdicts=[(v["answer_id"], v["verdict"]) for v in data.get("verdicts", [])],
        )
        return Response(_escalation_data(request, pk))


class DismissView(_CaseAct):
    @extend_schema(
        tags=[TAG],
        summary="Dismiss an escalation",
        description="Staff. Closes the case without staff action; the member who escalated "
        "reads the reason.",
        request=DismissEscalationRequestSerializer,
        responses={
            200: EscalationSerializer,
            **schema.write_errors(schema.field_errors("DismissEscalation", "reason")),
        },
    )
    def post(self, request: Request, pk: int) -> Response:
        escalation = self.case(request, pk)
        data = validated(DismissEscalationRequestSerializer, request.data)
        services.dismiss_escalation(
            actor=request.user, escalation=escalation, reason=data["reason"]
        )
        return Response(_escalation_data(request, pk))


urlpatterns = [
    path("questions/<int:pk>/escalate/", EscalateView.as_view(), name="question-escalate"),
    path("escalations/", EscalationListView.as_view(), name="escalation-list"),
    path("escalations/<int:pk>/", EscalationDetailView.as_view(), name="escalation-detail"),
    path("escalations/<int:pk>/claim/", ClaimView.as_view(), name="escalation-claim"),
    path("escalations/<int:pk>/assign/", AssignView.as_view(), name="escalation-assign"),
    path("escalations/<int:pk>/status/", StatusView.as_view(), name="escalation-status"),
    path("escalations/<int:pk>/notes/", NoteView.as_view(), name="escalation-notes"),
    path("escalations/<int:pk>/answer/", OfficialAnswerView.as_view(), name="escalation-answer"),
    path("escalations/<int:pk>/resolve/", ResolveView.as_view(), name="escalation-resolve"),
    path("escalations/<int:pk>/dismiss/", DismissView.as_view(), name="escalation-dismiss"),
]
