"""`/api/v1/users/{id}/` and `GET /api/v1/users/me/`: members' public profiles (API.md).

A member's profile shows their rank and badges, so it is gamification's face (above the
forum, whose API it builds on); `privacy.api` extends `MeView` with the erasure (DELETE).
Mounted from the API root, `config.api_urls`.
"""

from __future__ import annotations

from django.urls import path
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from forum import selectors
from forum.api import schema
from forum.api.base import ForumAPIView
from forum.api.selectors import get_member
from forum.api.serializers import AbsoluteURLField
from forum.models import User
from gamification.ranks import rank_for
from gamification.selectors import badge_summary


class MemberBadgeSerializer(serializers.Serializer):
    key = serializers.CharField(help_text="The badge's stable key (`first-answer`, ...).")
    name = serializers.CharField(help_text="The badge's name in the request's language.")
    tier = serializers.ChoiceField(choices=["bronze", "silver", "gold"])
    count = serializers.IntegerField(help_text="How many times the member earned it.")


class MemberSerializer(serializers.ModelSerializer):
    """A member's public profile; the counts come from `selectors.member_stats`."""

    display_name = serializers.CharField(
        source="name", read_only=True, help_text="The display name, or the username if none."
    )
    rank = serializers.SerializerMethodField()
    badges = serializers.SerializerMethodField()
    is_advocate = serializers.SerializerMethodField()
    question_count = serializers.SerializerMethodField()
    answer_count = serializers.SerializerMethodField()
    accepted_answer_count = serializers.SerializerMethodField()
    url = AbsoluteURLField(help_text="The member's profile page.")

    class Meta:
        model = User
        fields = [
            "id",
            "username",
            "display_name",
            "reputation",
            "rank",
            "badges",
            "is_advocate",
            "is_staff",
            "date_joined",
            "question_count",
            "answer_count",
            "accepted_answer_count",
            "url",
        ]
        read_only_fields = fields

    @extend_schema_field(
        serializers.CharField(
            help_text="The member's named rank for their reputation (gamification.ranks), "
            "in the request's language."
        )
    )
    def get_rank(self, obj: User) -> str:
        return rank_for(obj.reputation).name

    @extend_schema_field(MemberBadgeSerializer(many=True))
    def get_badges(self, obj: User) -> list[dict]:
        """The member's badges, gold first: one object per badge, with how many times it
        was earned (repeatable badges are earned once per answer, question or tag)."""
        return [
            {"key": key, "name": name, "tier": tier, "count": count}
            for key, name, tier, count in badge_summary(member=obj)["held"]
        ]

    @extend_schema_field(
        serializers.BooleanField(
            help_text="Whether the community manager approved this member as an advocate."
        )
    )
    def get_is_advocate(self, obj: User) -> bool:
        return obj.is_advocate

    def _stats(self) -> dict[str, int]:
        return self.context["stats"]

    def get_question_count(self, obj: User) -> int:
        """Questions asked and not deleted."""
        return self._stats()["questions"]

    def get_answer_count(self, obj: User) -> int:
        """Answers posted and not deleted."""
        return self._stats()["answers"]

    def get_accepted_answer_count(self, obj: User) -> int:
        """Answers of this member that were accepted."""
        return self._stats()["accepted"]


def _member_data(request: Request, member: User) -> dict:
    context = {"request": request, "stats": selectors.member_stats(member, request.user)}
    return MemberSerializer(member, context=context).data


class MemberView(ForumAPIView):
    @extend_schema(
        tags=["members"],
        summary="A member's public profile",
        responses={200: MemberSerializer, **schema.read_errors()},
    )
    def get(self, request: Request, pk: int) -> Response:
        return Response(_member_data(request, get_member(pk=pk)))


class MeView(ForumAPIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        tags=["members"],
        summary="The calling member's profile",
        responses={
            200: MemberSerializer,
            401: OpenApiResponse(
                response=schema.ErrorSerializer, description="Not logged in, or a wrong token."
            ),
            429: schema.THROTTLED,
        },
    )
    def get(self, request: Request) -> Response:
        return Response(_member_data(request, request.user))


urlpatterns = [
    path("users/<int:pk>/", MemberView.as_view(), name="member"),
]
