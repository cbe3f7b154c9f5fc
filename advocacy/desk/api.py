"""The escalation endpoints of `/api/v1/` (API.md): escalate a question (advocates and
staff) and the desk (staff): list, read, claim, assign, status, notes, the official
answer, resolve with verdicts, dismiss.

Thin, like `forum.api.views`: check the shape with a serializer, check the permission
(403 with the reason for non-staff, before anything is looked up), fetch, call one
service, serialize. Errors map through `forum.api.exceptions`; a claim lost to another
agent is a 409. Mounted from `forum.api.urls` (namespace "api").

Internal notes are served only here, to staff (`GET /escalations/{id}/`,
`POST /escalations/{id}/notes/`); no public endpoint carries them.
"""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from django.urls import path
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.reverse import reverse

from advocacy.desk import permissions, selectors
from advocacy.models import DeskNote, Escalation, EscalationEvent
from advocacy.models.desk import EscalationPriority, EscalationStatus, Verdict
from advocacy.services import escalations as services
from forum import selectors as forum_selectors
from forum.api import schema
from forum.api.base import MAX_ID, ForumAPIView, Pagination
from forum.api.exceptions import Conflict
from forum.api.fields import StrictCharField, StrictIntegerField
from forum.api.serializers import AnswerSerializer, AuthorSerializer
from forum.api.views import _answer_data
from forum.models import Category, User

TAG = "escalations"
MAX_VERDICTS = 100


# Serializers -------------------------------------------------------------------------------


class EscalatedQuestionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    url = serializers.SerializerMethodField()

    def get_url(self, question) -> str:  # noqa: ANN001
        request = self.context.get("request")
        url = question.get_absolute_url()
        return request.build_absolute_uri(url) if request is not None else url


class EscalationSerializer(serializers.ModelSerializer):
    question = EscalatedQuestionSerializer(read_only=True)
    created_by = AuthorSerializer(read_only=True, allow_null=True)
    assignee = AuthorSerializer(read_only=True, allow_null=True)
    next_due_at = serializers.DateTimeField(
        read_only=True,
        help_text="The due time that matters now: first response until there is one, then "
        "resolution. Both move later by the time spent waiting on the customer.",
    )

    class Meta:
        model = Escalation
        fields = [
            "id",
            "question",
            "status",
            "priority",
            "source",
            "reason",
            "created_by",
            "assignee",
            "created_at",
            "updated_at",
            "first_response_due_at",
            "resolve_due_at",
            "next_due_at",
            "first_response_at",
            "resolved_at",
            "paused_at",
            "paused_seconds",
            "first_response_breached",
            "resolve_breached",
            "resolution",
        ]
        read_only_fields = fields


class EscalationEventSerializer(serializers.ModelSerializer):
    actor = serializers.CharField(source="actor.username", allow_null=True, default=None)
    data = serializers.DictField(
        help_text="What changed: from/to, assignee, answer, verdict, reason, note (an id)."
    )

    class Meta:
        model = EscalationEvent
        fields = ["id", "kind", "actor", "data", "created_at"]
        read_only_fields = fields


class NoteSerializer(serializers.ModelSerializer):
    author = AuthorSerializer(read_only=True)

    class Meta:
        model = DeskNote
        fields = ["id", "author", "body", "created_at"]
        read_only_fields = fields


class EscalationDetailSerializer(EscalationSerializer):
    events = EscalationEventSerializer(many=True, read_only=True)
    notes = NoteSerializer(many=True, read_only=True, help_text="Internal: staff only.")

    class Meta(EscalationSerializer.Meta):
        fields = [*EscalationSerializer.Meta.fields, "events", "notes"]
        read_only_fields = fields


class EscalateRequestSerializer(serializers.Serializer):
    reason = StrictCharField(help_text="Why staff are needed (1 to 1000 characters).")
    priority = serializers.ChoiceField(
        choices=EscalationPriority.choices, default=EscalationPriority.NORMAL
    )


# Named choice sets, so the schema's enums get stable names (SPECTACULAR_SETTINGS).
QUEUE_STATUS_CHOICES = [("active", "active"), *EscalationStatus.choices, ("all", "all")]
SETTABLE_STATUS_CHOICES = [
    (EscalationStatus.IN_PROGRESS.value, EscalationStatus.IN_PROGRESS.label),
    (EscalationStatus.WAITING.value, EscalationStatus.WAITING.label),
]


class EscalationFilterSerializer(serializers.Serializer):
    status = serializers.ChoiceField(
        choices=QUEUE_STATUS_CHOICES,
        required=False,
        help_text="`active` (the default: open, in progress, waiting on customer), one "
        "status, or `all`.",
    )
    assignee = serializers.RegexField(
        r"^(me|none|[0-9]{1,18})$",
        required=False,
        help_text="`me`, `none` (unassigned) or a member's id.",
    )
    priority = serializers.ChoiceField(choices=EscalationPriority.choices, required=False)
    category = serializers.SlugField(required=False, help_text="A category's slug.")


class DeskBodyRequestSerializer(serializers.Serializer):
    body = StrictCharField()


class AssignEscalationRequestSerializer(serializers.Serializer):
    assignee = StrictIntegerField(
        min_value=1, max_value=MAX_ID, allow_null=True, help_text="A staff member's id, or null."
    )


class EscalationStatusRequestSerializer(serializers.Serializer):
    status = serializers.ChoiceField(
        choices=SETTABLE_STATUS_CHOICES,
        help_text="`waiting_on_customer` stops the SLA clocks; `in_progress` restarts them.",
    )


class AnswerVerdictSerializer(serializers.Serializer):
    answer_id = StrictIntegerField(min_value=1, max_value=MAX_ID)
    verdict = serializers.ChoiceField(choices=Verdict.choices)


class ResolveEscalationRequestSerializer(serializers.Serializer):
    resolution = StrictCharField(help_text="The summary (1 to 2000 characters).")
    verdicts = AnswerVerdictSerializer(many=True, required=False, max_length=MAX_VERDICTS)


class DismissEscalationRequestSerializer(serializers.Serializer):
    reason = StrictCharField(help_text="Why there is nothing for staff to do.")


# Views -------------------------------------------------------------------------------------


def _valid(serializer_class: type[serializers.Serializer], data: object) -> dict:
    serializer = serializer_class(data=data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


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
        data = _valid(EscalateRequestSerializer, request.data)
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
        filters = _valid(EscalationFilterSerializer, request.query_params)
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
        data = _valid(AssignEscalationRequestSerializer, request.data)
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
        data = _valid(EscalationStatusRequestSerializer, request.data)
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
        data = _valid(DeskBodyRequestSerializer, request.data)
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
        data = _valid(DeskBodyRequestSerializer, request.data)
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
        data = _valid(ResolveEscalationRequestSerializer, request.data)
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
        data = _valid(DismissEscalationRequestSerializer, request.data)
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
