"""`/api/v1/users/{id}/` and `/api/v1/users/me/`: members' profiles (API.md)."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from forum import selectors
from forum.api import schema
from forum.api.base import ForumAPIView
from forum.api.selectors import get_member
from forum.api.serializers import (
    MemberSerializer,
)
from forum.models import User


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
