"""Moderation acts in `/api/v1/`, the twins of the item page's buttons
(`advocacy.moderation.views.act`), of suspending members and of claiming queue items.
Same permission checks and the same audited services as the pages. Mounted from
`config.api_urls` (namespace "api").

    POST /api/v1/moderation/{question|answer|comment}/{id}/{action}/
         action: hide, unhide, lock, unlock, reopen, close, move, retag, approve
    POST /api/v1/moderation/claim/, /api/v1/moderation/release/   {"item"}
    POST /api/v1/members/{username}/suspend/ {"days", "reason"}, .../unsuspend/
"""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from django.urls import path
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import NotFound
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from advocacy import permissions
from advocacy.posts import visible_post
from advocacy.services import moderation as services
from advocacy.services.moderation import REASON_MAX_LENGTH, SUSPENSION_MAX_DAYS
from forum.api import schema
from forum.api.base import MAX_ID, ForumAPIView, validated
from forum.api.exceptions import Conflict
from forum.api.fields import StrictCharField, StrictIntegerField
from forum.api.serializers import CategorySlugField
from forum.models import CloseReason, Question, User
from forum.posts import thread_of

TAG = "moderation"
KINDS = ("question", "answer", "comment")
THREAD_ACTS = ("lock", "unlock", "reopen", "close", "move", "retag")
ACTIONS = ("hide", "unhide", *THREAD_ACTS, "approve")


class ActRequestSerializer(serializers.Serializer):
    reason = StrictCharField(
        required=False, default="", max_length=REASON_MAX_LENGTH, help_text="Why (audited)."
    )
    close_reason = serializers.ChoiceField(
        choices=CloseReason.choices, required=False, help_text="`close` only (required)."
    )
    duplicate_of = StrictIntegerField(
        min_value=1, max_value=MAX_ID, required=False, help_text="`close` as duplicate."
    )
    category = CategorySlugField(
        required=False, allow_null=True, help_text="`move` only: a slug, or null."
    )
    tags = serializers.ListField(
        child=StrictCharField(), required=False, help_text="`retag` only (required)."
    )


class ActResultSerializer(serializers.Serializer):
    kind = serializers.CharField()
    id = serializers.IntegerField()
    action = serializers.CharField()


class ItemRequestSerializer(serializers.Serializer):
    item = StrictCharField(
        max_length=60, help_text="A queue item, e.g. `flags:answer:12` or `first:question:3`."
    )


class SuspendRequestSerializer(serializers.Serializer):
    days = StrictIntegerField(min_value=1, max_value=SUSPENSION_MAX_DAYS)
    reason = StrictCharField(max_length=REASON_MAX_LENGTH)


class UnsuspendRequestSerializer(serializers.Serializer):
    reason = StrictCharField(required=False, default="", max_length=REASON_MAX_LENGTH)


class SuspensionSerializer(serializers.Serializer):
    username = serializers.CharField()
    suspended_until = serializers.DateTimeField(allow_null=True)


def _conflict_on_claim(act):  # noqa: ANN001, ANN202
    try:
        return act()
    except services.ClaimedByAnother as exc:
        raise Conflict(detail=str(exc)) from exc


class ActView(ForumAPIView):
    permission_classes = [IsAuthenticated]
    throttle_scope = "post"

    @extend_schema(
        tags=[TAG],
        summary="A moderation act on a post or its thread",
        description="Moderators (advocates and staff); `approve` (a first post) also "
        "members with the review privilege. Thread acts (lock, unlock, reopen, close, "
        "move, retag) apply to the post's question. Every act is in the audit log. 409 "
        "when another moderator has claimed the item.",
        request=ActRequestSerializer,
        responses={
            200: ActResultSerializer,
            **schema.write_errors(
                schema.field_errors(
                    "ModerationAct", "reason", "close_reason", "duplicate_of", "category", "tags"
                )
            ),
        },
    )
    def post(self, request: Request, kind: str, pk: int, action: str) -> Response:
        if kind not in KINDS or action not in ACTIONS or pk > MAX_ID:
            raise NotFound()
        if action == "approve":
            permissions.check_review_first_posts(request.user)
        else:
            permissions.check_moderate(request.user)
        post = visible_post(kind, pk, request.user)
        data = validated(ActRequestSerializer, request.data)
        reason = data["reason"]
        user = request.user
        if action == "approve":
            if kind == "comment":
                raise NotFound()
            act = lambda: services.approve_first_post(actor=user, post=post)  # noqa: E731
        elif action == "hide":
            act = lambda: services.hide_post(actor=user, post=post, reason=reason)  # noqa: E731
        elif action == "unhide":
            act = lambda: services.unhide_post(actor=user, post=post, reason=reason)  # noqa: E731
        else:
            act = self._thread_act(user, thread_of(post), action, data)
        _conflict_on_claim(act)
        return Response({"kind": kind, "id": pk, "action": action})

    @staticmethod
    def _thread_act(user: User, question: Question, action: str, data: dict):  # noqa: ANN205
        reason = data["reason"]
        if action in ("lock", "unlock"):
            return lambda: services.set_question_lock(
                actor=user, question=question, locked=action == "lock", reason=reason
            )
        if action == "reopen":
            return lambda: services.reopen_question(actor=user, question=question, reason=reason)
        if action == "close":
            if "close_reason" not in data:
                raise serializers.ValidationError({"close_reason": ["This field is required."]})
            duplicate = None
            if data.get("duplicate_of"):
                duplicate = Question.objects.filter(pk=data["duplicate_of"]).first()
                if duplicate is None:
                    raise serializers.ValidationError({"duplicate_of": ["No such question."]})
            return lambda: services.close_question(
                actor=user,
                question=question,
                reason=data["close_reason"],
                note=reason,
                duplicate_of=duplicate,
            )
        if action == "move":
            if "category" not in data:
                raise serializers.ValidationError({"category": ["This field is required."]})
            return lambda: services.move_question(
                actor=user, question=question, category=data["category"], reason=reason
            )
        if "tags" not in data:
            raise serializers.ValidationError({"tags": ["This field is required."]})
        return lambda: services.retag_question(
            actor=user, question=question, tags=data["tags"], reason=reason
        )


class _ItemView(ForumAPIView):
    permission_classes = [IsAuthenticated]
    throttle_scope = "post"
    service = None

    def post(self, request: Request) -> Response:
        permissions.check_review_first_posts(request.user)
        item = validated(ItemRequestSerializer, request.data)["item"]
        _queue, _colon, key = item.partition(":")
        kind, _colon, pk = key.partition(":")
        if kind not in KINDS or not pk.isdigit() or int(pk) > MAX_ID:
            raise serializers.ValidationError({"item": ["Unknown queue item."]})
        visible_post(kind, int(pk), request.user)
        _conflict_on_claim(lambda: type(self).service(actor=request.user, item=item))
        return Response({"item": item})


_ITEM_SCHEMA = {
    "tags": [TAG],
    "request": ItemRequestSerializer,
    "responses": {
        200: OpenApiResponse(response=ItemRequestSerializer, description="Done."),
        **schema.write_errors(schema.field_errors("QueueItem", "item")),
    },
}


class ClaimView(_ItemView):
    service = staticmethod(services.claim_item)

    @extend_schema(
        summary="Claim a queue item", description="409 when claimed by another.", **_ITEM_SCHEMA
    )
    def post(self, request: Request) -> Response:
        return super().post(request)


class ReleaseView(_ItemView):
    service = staticmethod(services.release_item)

    @extend_schema(summary="Release a claimed queue item", **_ITEM_SCHEMA)
    def post(self, request: Request) -> Response:
        return super().post(request)


class _MemberView(ForumAPIView):
    permission_classes = [IsAuthenticated]
    throttle_scope = "post"

    def member(self, request: Request, username: str) -> User:
        permissions.check_moderate(request.user)
        return get_object_or_404(User, username=username)

    @staticmethod
    def result(member: User) -> Response:
        member.refresh_from_db(fields=["suspended_until"])
        return Response({"username": member.username, "suspended_until": member.suspended_until})


class SuspendView(_MemberView):
    @extend_schema(
        tags=[TAG],
        summary="Suspend a member",
        description="Moderators; audited; the member is told the reason.",
        request=SuspendRequestSerializer,
        responses={
            200: SuspensionSerializer,
            **schema.write_errors(schema.field_errors("Suspend", "days", "reason")),
        },
    )
    def post(self, request: Request, username: str) -> Response:
        member = self.member(request, username)
        permissions.check_suspend_member(request.user, member)
        data = validated(SuspendRequestSerializer, request.data)
        services.suspend_member(
            actor=request.user, member=member, days=data["days"], reason=data["reason"]
        )
        return self.result(member)


class UnsuspendView(_MemberView):
    @extend_schema(
        tags=[TAG],
        summary="Lift a member's suspension",
        description="Moderators; audited.",
        request=UnsuspendRequestSerializer,
        responses={
            200: SuspensionSerializer,
            **schema.write_errors(schema.field_errors("Unsuspend", "reason")),
        },
    )
    def post(self, request: Request, username: str) -> Response:
        member = self.member(request, username)
        data = validated(UnsuspendRequestSerializer, request.data)
        services.unsuspend_member(actor=request.user, member=member, reason=data["reason"])
        return self.result(member)


urlpatterns = [
    path("moderation/claim/", ClaimView.as_view(), name="moderation-claim"),
    path("moderation/release/", ReleaseView.as_view(), name="moderation-release"),
    path("moderation/<str:kind>/<int:pk>/<str:action>/", ActView.as_view(), name="moderation-act"),
    path("members/<str:username>/suspend/", SuspendView.as_view(), name="member-suspend"),
    path("members/<str:username>/unsuspend/", UnsuspendView.as_view(), name="member-unsuspend"),
]
