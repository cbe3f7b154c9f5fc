"""Staff decisions in `/api/v1/`, the twins of the HTML pages: approving or refusing a
redemption (`gamification.rewards.views`) and the fair-play cases (list, read, mark
reviewed; `gamification.fairplay.views`). Same permissions and services as the pages.
Mounted from `config.api_urls` (namespace "api").
"""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from django.urls import path
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.exceptions import NotFound
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from forum.api import schema
from forum.api.base import ForumAPIView, Pagination, validated
from forum.api.exceptions import Conflict
from forum.api.fields import StrictCharField
from forum.api.serializers import AuthorSerializer
from gamification.api import RedemptionSerializer
from gamification.fairplay import selectors as fair_play_selectors
from gamification.fairplay import services as fair_play
from gamification.fairplay.legitimate import find_case_legitimate
from gamification.fairplay.models import FairPlayCase
from gamification.fairplay.permissions import check_review_fair_play
from gamification.rewards import services as reward_services
from gamification.rewards.models import Redemption
from gamification.rewards.permissions import check_decide_redemption


class StaffRedemptionSerializer(RedemptionSerializer):
    member = AuthorSerializer(read_only=True)

    class Meta(RedemptionSerializer.Meta):
        fields = [*RedemptionSerializer.Meta.fields, "member"]
        read_only_fields = fields


class ApproveRequestSerializer(serializers.Serializer):
    note = StrictCharField(required=False, default="", help_text="Optional, for the member.")


class RefuseRequestSerializer(serializers.Serializer):
    reason = StrictCharField(help_text="Why (the member reads it); the points go back.")


class _DecideView(ForumAPIView):
    permission_classes = [IsAuthenticated]
    throttle_scope = "post"

    def redemption(self, request: Request, pk: int) -> Redemption:
        check_decide_redemption(request.user)
        return get_object_or_404(Redemption.objects.select_related("reward", "member"), pk=pk)

    def decided(self, request: Request, redemption: Redemption) -> Response:
        return Response(StaffRedemptionSerializer(redemption, context={"request": request}).data)


class ApproveRedemptionView(_DecideView):
    @extend_schema(
        tags=["rewards"],
        summary="Approve a redemption",
        description="Staff; not your own. 409 when it was decided already.",
        request=ApproveRequestSerializer,
        responses={
            200: StaffRedemptionSerializer,
            **schema.write_errors(schema.field_errors("ApproveRedemption", "note")),
        },
    )
    def post(self, request: Request, pk: int) -> Response:
        redemption = self.redemption(request, pk)
        data = validated(ApproveRequestSerializer, request.data)
        try:
            decided = reward_services.approve_redemption(
                actor=request.user, redemption=redemption, note=data["note"]
            )
        except reward_services.AlreadyDecided as exc:
            raise Conflict(detail=str(exc)) from exc
        return self.decided(request, decided)


class RefuseRedemptionView(_DecideView):
    @extend_schema(
        tags=["rewards"],
        summary="Refuse a redemption",
        description="Staff; not your own. The points and the stock go back. 409 when it "
        "was decided already.",
        request=RefuseRequestSerializer,
        responses={
            200: StaffRedemptionSerializer,
            **schema.write_errors(schema.field_errors("RefuseRedemption", "reason")),
        },
    )
    def post(self, request: Request, pk: int) -> Response:
        redemption = self.redemption(request, pk)
        data = validated(RefuseRequestSerializer, request.data)
        try:
            decided = reward_services.refuse_redemption(
                actor=request.user, redemption=redemption, reason=data["reason"]
            )
        except reward_services.AlreadyDecided as exc:
            raise Conflict(detail=str(exc)) from exc
        return self.decided(request, decided)


class FairPlayCaseSerializer(serializers.ModelSerializer):
    reviewed_by = AuthorSerializer(read_only=True, allow_null=True)
    voters = serializers.SlugRelatedField(many=True, read_only=True, slug_field="username")
    targets = serializers.SlugRelatedField(many=True, read_only=True, slug_field="username")

    class Meta:
        model = FairPlayCase
        fields = [
            "id",
            "kind",
            "status",
            "voters",
            "targets",
            "vote_count",
            "points_reversed",
            "detected_at",
            "last_seen_at",
            "reviewed_by",
            "reviewed_at",
            "review_note",
        ]
        read_only_fields = fields


class CaseFilterSerializer(serializers.Serializer):
    status = serializers.ChoiceField(
        choices=FairPlayCase.Status.choices, required=False, default=FairPlayCase.Status.OPEN
    )


class ReviewCaseRequestSerializer(serializers.Serializer):
    note = StrictCharField(required=False, default="", help_text="At most 2,000 characters.")
    legitimate = serializers.BooleanField(
        required=False,
        default=False,
        help_text="The votes were legitimate: pay back what the sweep took (for votes "
        "that still stand). Otherwise the reversal stands.",
    )

    def to_internal_value(self, data: object) -> dict:
        if (
            isinstance(data, dict)
            and "legitimate" in data
            and not isinstance(data["legitimate"], bool)
        ):
            raise serializers.ValidationError({"legitimate": ["Expected true or false."]})
        return super().to_internal_value(data)


class ReviewedCaseSerializer(FairPlayCaseSerializer):
    reawarded_points = serializers.IntegerField(
        help_text="Points paid back now (0 unless `legitimate`)."
    )

    class Meta(FairPlayCaseSerializer.Meta):
        fields = [*FairPlayCaseSerializer.Meta.fields, "reawarded_points"]
        read_only_fields = fields


class FairPlayCaseListView(ForumAPIView):
    permission_classes = [IsAuthenticated]
    pagination_class = Pagination

    @extend_schema(
        tags=["fair-play"],
        summary="Fair-play cases",
        description="Staff. Open cases by default (`?status=reviewed` for the others).",
        parameters=[CaseFilterSerializer],
        responses={
            200: FairPlayCaseSerializer(many=True),
            **schema.read_errors(bad_request=schema.field_errors("CaseFilter", "status")),
            403: schema.FORBIDDEN,
        },
    )
    def get(self, request: Request) -> Response:
        check_review_fair_play(request.user)
        filters = validated(CaseFilterSerializer, request.query_params)
        qs = fair_play_selectors.cases(status=filters["status"]).prefetch_related(
            "voters", "targets"
        )
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(qs, request, view=self)
        data = FairPlayCaseSerializer(page, many=True, context={"request": request}).data
        return paginator.get_paginated_response(data)


class ReviewCaseView(ForumAPIView):
    permission_classes = [IsAuthenticated]
    throttle_scope = "post"

    @extend_schema(
        tags=["fair-play"],
        summary="Mark a fair-play case reviewed",
        description="Staff. The points the sweep took back stay taken back, unless "
        "`legitimate`: then they are paid back (idempotent: once per case). 409 when the "
        "case was reviewed already.",
        request=ReviewCaseRequestSerializer,
        responses={
            200: ReviewedCaseSerializer,
            **schema.write_errors(schema.field_errors("ReviewCase", "note", "legitimate")),
        },
    )
    def post(self, request: Request, pk: int) -> Response:
        check_review_fair_play(request.user)
        case = FairPlayCase.objects.filter(pk=pk).first()
        if case is None:
            raise NotFound()
        data = validated(ReviewCaseRequestSerializer, request.data)
        if case.status != FairPlayCase.Status.OPEN:
            raise Conflict(detail=_("This case has already been reviewed."))
        reawarded = 0
        if data["legitimate"]:
            case, events = find_case_legitimate(actor=request.user, case=case, note=data["note"])
            reawarded = sum(event.points for event in events)
        else:
            case = fair_play.review_case(actor=request.user, case=case, note=data["note"])
        case = FairPlayCase.objects.prefetch_related("voters", "targets").get(pk=case.pk)
        case.reawarded_points = reawarded
        return Response(ReviewedCaseSerializer(case, context={"request": request}).data)


urlpatterns = [
    path(
        "rewards/redemptions/<int:pk>/approve/",
        ApproveRedemptionView.as_view(),
        name="redemption-approve",
    ),
    path(
        "rewards/redemptions/<int:pk>/refuse/",
        RefuseRedemptionView.as_view(),
        name="redemption-refuse",
    ),
    path("fair-play/cases/", FairPlayCaseListView.as_view(), name="fair-play-case-list"),
    path("fair-play/cases/<int:pk>/review/", ReviewCaseView.as_view(), name="fair-play-review"),
]
