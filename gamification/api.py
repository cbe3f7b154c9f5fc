"""`GET /api/v1/leaderboard/` (API.md) and the rewards endpoints:
`GET /api/v1/rewards/`, `POST /api/v1/rewards/{id}/redeem/`, `GET /api/v1/rewards/redemptions/`.

Thin, like `forum.api.views`: check the query or body with a serializer, read through the
gamification selectors (the leaderboard from its denormalised counters, never the
ledger), write through one service. Mounted from `config.api_urls` with
`path("", include("gamification.api"))`.
"""

from __future__ import annotations

from django.urls import path
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound
from rest_framework.exceptions import ValidationError as DRFValidationError
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from taggit.models import Tag

from forum.api import schema
from forum.api.base import ForumAPIView, Pagination
from forum.api.serializers import AbsoluteURLField
from forum.models import User
from gamification import leaderboards
from gamification.models import Period
from gamification.ranks import rank_for
from gamification.rewards import selectors as reward_selectors
from gamification.rewards import services as reward_services
from gamification.rewards.models import Redemption, Reward

# Leaderboard ------------------------------------------------------------------------------


class LeaderboardQuerySerializer(serializers.Serializer):
    period = serializers.ChoiceField(
        choices=Period.values,
        required=False,
        default=Period.WEEK,
        help_text="`week`: the calendar week from Monday 00:00; `month`: the calendar month "
        "from the 1st at 00:00; both on the site's calendar, in its time zone (Europe/Rome, not "
        "UTC), not a sliding window; `all`: all time. Default: week.",
    )
    tag = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=100,
        help_text="Only points earned in questions with this tag (by slug or name).",
    )


class RankedMemberSerializer(serializers.ModelSerializer):
    display_name = serializers.CharField(source="name", read_only=True)
    rank = serializers.SerializerMethodField(help_text="The member's named rank.")
    url = AbsoluteURLField(help_text="The member's profile page.")

    class Meta:
        model = User
        fields = ["id", "username", "display_name", "reputation", "rank", "is_advocate", "url"]
        read_only_fields = fields

    def get_rank(self, obj: User) -> str:
        return rank_for(obj.reputation).name


class LeaderboardEntrySerializer(serializers.Serializer):
    position = serializers.IntegerField(help_text="1 for the first; ties go to the lower id.")
    points = serializers.IntegerField(help_text="Points earned in the period (and tag).")
    member = RankedMemberSerializer()


class LeaderboardPageSerializer(serializers.Serializer):
    count = serializers.IntegerField(help_text="Members on the board (with points > 0).")
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    period = serializers.ChoiceField(choices=Period.values)
    since = serializers.DateField(
        allow_null=True,
        help_text="The period's first day (it starts at 00:00 in the site's time zone, "
        "Europe/Rome); null for all time.",
    )
    tag = serializers.CharField(allow_null=True, help_text="The tag's slug, or null for all.")
    me = LeaderboardEntrySerializer(
        allow_null=True,
        help_text="The calling member's own place, wherever it is; null when anonymous or "
        "without points in the period.",
    )
    results = LeaderboardEntrySerializer(many=True)


class LeaderboardView(ForumAPIView):
    @extend_schema(
        tags=["gamification"],
        summary="The leaderboard: members ranked by points earned in a period",
        description="Staff and suspended members are not ranked. Read from denormalised "
        "counters: the number of queries does not grow with the board or the page.",
        parameters=[
            LeaderboardQuerySerializer,
            OpenApiParameter("page", int),
            OpenApiParameter("page_size", int, description="At most 100."),
        ],
        responses={
            200: LeaderboardPageSerializer,
            **schema.read_errors(
                not_found=True,
                bad_request=schema.field_errors("LeaderboardQuery", "period", "tag"),
            ),
        },
    )
    def get(self, request: Request) -> Response:
        query = LeaderboardQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        period = query.validated_data["period"]
        tag = None
        if name := query.validated_data.get("tag", "").strip():
            tag = (
                Tag.objects.filter(slug=name).first()
                or Tag.objects.filter(name__iexact=name).first()
            )
            if tag is None:  # a board that does not exist, like a page past the end
                raise NotFound(_("There is no such tag."))
        tag_id = tag.pk if tag else 0
        paginator = Pagination()
        board = leaderboards.ranked(period=period, tag_id=tag_id).select_related("user")
        page = paginator.paginate_queryset(board, request, view=self)
        offset = (paginator.page.number - 1) * paginator.page.paginator.per_page
        entries = [
            leaderboards.Entry(offset + i + 1, row.user, row.points) for i, row in enumerate(page)
        ]
        me = None
        if request.user.is_authenticated:
            me = next((e for e in entries if e.member.pk == request.user.pk), None)
            if me is None:
                me = leaderboards.position_of(request.user, period=period, tag_id=tag_id)
        since = leaderboards.current_start(period)
        context = {"request": request}
        return Response(
            {
                "count": paginator.page.paginator.count,
                "next": paginator.get_next_link(),
                "previous": paginator.get_previous_link(),
                "period": period,
                "since": since.isoformat() if since else None,
                "tag": tag.slug if tag else None,
                "me": LeaderboardEntrySerializer(me, context=context).data if me else None,
                "results": LeaderboardEntrySerializer(entries, many=True, context=context).data,
            }
        )


# Rewards ----------------------------------------------------------------------------------


class RewardSerializer(serializers.ModelSerializer):
    name = serializers.CharField(source="display_name", help_text="In the request's language.")
    description = serializers.CharField(source="display_description")
    stock = serializers.IntegerField(allow_null=True, help_text="Left to redeem; null: no limit.")

    class Meta:
        model = Reward
        fields = ["id", "name", "description", "cost", "stock"]
        read_only_fields = fields


class RewardCatalogueSerializer(serializers.Serializer):
    balance = serializers.IntegerField(
        allow_null=True, help_text="The caller's spendable points (null when anonymous)."
    )
    results = RewardSerializer(many=True)


class RedemptionSerializer(serializers.ModelSerializer):
    reward = RewardSerializer(read_only=True)
    reason = serializers.CharField(help_text="Staff's note or reason for refusing.")

    class Meta:
        model = Redemption
        fields = ["id", "reward", "cost", "status", "reason", "created_at", "decided_at"]
        read_only_fields = fields


class RedeemRequestSerializer(serializers.Serializer):
    key = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=reward_services.REQUEST_KEY_MAX,
        help_text="A one-time key of your choosing: the same key redeems once (a retried "
        "request returns the first redemption with 200 instead of 201).",
    )


class RewardListView(ForumAPIView):
    @extend_schema(
        tags=["rewards"],
        summary="The rewards catalogue and the caller's balance",
        responses={200: RewardCatalogueSerializer, **schema.read_errors(not_found=False)},
    )
    def get(self, request: Request) -> Response:
        balance = (
            reward_selectors.balance(member=request.user) if request.user.is_authenticated else None
        )
        rewards = RewardSerializer(reward_selectors.offered_rewards(), many=True).data
        return Response({"balance": balance, "results": rewards})


class RedeemView(ForumAPIView):
    permission_classes = [IsAuthenticated]
    throttle_scope = "post"

    @extend_schema(
        tags=["rewards"],
        summary="Redeem a reward (staff then approve or refuse it)",
        description="Spends the reward's cost from the caller's balance and takes one from "
        "its stock, atomically. 400 when the balance is too low or the stock is out; 403 "
        "for suspended members.",
        request=RedeemRequestSerializer,
        responses={
            201: RedemptionSerializer,
            200: OpenApiResponse(
                response=RedemptionSerializer, description="The key was used already."
            ),
            **schema.write_errors(schema.field_errors("Redeem", "key")),
        },
    )
    def post(self, request: Request, pk: int) -> Response:
        if not isinstance(request.data, dict):
            raise DRFValidationError({"non_field_errors": [_("Expected a JSON object.")]})
        body = RedeemRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        reward = reward_selectors.get_offered_reward(pk=pk)
        if reward is None:
            raise NotFound()
        key = body.validated_data.get("key", "")
        before = bool(key) and (
            Redemption.objects.filter(member=request.user, request_key=key).exists()
        )
        # Not enough points, out of stock: the service's ValidationError is a 400.
        redemption = reward_services.redeem_reward(
            actor=request.user, reward=reward, request_key=key
        )
        data = RedemptionSerializer(redemption, context={"request": request}).data
        return Response(data, status=status.HTTP_200_OK if before else status.HTTP_201_CREATED)


class RedemptionPageSerializer(serializers.Serializer):
    """One page of the caller's redemptions (the answer is paginated)."""

    count = serializers.IntegerField()
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = RedemptionSerializer(many=True)


class MyRedemptionsView(ForumAPIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        tags=["rewards"],
        summary="The caller's redemptions, newest first",
        parameters=[
            OpenApiParameter("page", int, description="From 1."),
            OpenApiParameter("page_size", int, description="At most 100."),
        ],
        responses={
            200: RedemptionPageSerializer,
            **schema.read_errors(
                not_found=True, bad_request=schema.field_errors("RedemptionList", "page_size")
            ),
        },
    )
    def get(self, request: Request) -> Response:
        paginator = Pagination()
        page = paginator.paginate_queryset(
            reward_selectors.redemptions_of(member=request.user), request, view=self
        )
        return paginator.get_paginated_response(RedemptionSerializer(page, many=True).data)


urlpatterns = [
    path("leaderboard/", LeaderboardView.as_view(), name="leaderboard"),
    path("rewards/", RewardListView.as_view(), name="reward-list"),
    path("rewards/<int:pk>/redeem/", RedeemView.as_view(), name="reward-redeem"),
    path("rewards/redemptions/", MyRedemptionsView.as_view(), name="redemption-list"),
]
