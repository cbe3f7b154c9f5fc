"""The moderation endpoints of `/api/v1/` (API.md): flag a post, read the queue, resolve
flags. Thin, like `forum.api.views`: check the input's shape, fetch what the caller may
see (404 otherwise), call one service, serialize. Errors map through
`forum.api.exceptions` (ValidationError 400, PermissionDenied 403, RateLimited 429).
"""

from __future__ import annotations

from django.urls import path
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from advocacy import permissions
from advocacy.models import Flag, FlagReason
from advocacy.models.flags import FLAG_NOTE_MAX_LENGTH
from advocacy.moderation import selectors
from advocacy.moderation.selectors import QueueItem
from advocacy.posts import visible_post
from advocacy.services import flags as flag_services
from advocacy.services.flags import ResolveAction
from advocacy.services.moderation import REASON_MAX_LENGTH
from forum.api import schema
from forum.api.base import ForumAPIView, validated

TAG = "moderation"


class FlagRequestSerializer(serializers.Serializer):
    reason = serializers.ChoiceField(choices=FlagReason.choices)
    note = serializers.CharField(
        required=False, allow_blank=True, max_length=FLAG_NOTE_MAX_LENGTH, trim_whitespace=True
    )


class FlagSerializer(serializers.ModelSerializer):
    post = serializers.CharField(source="post_key", help_text='"question:12", "answer:40", ...')
    question = serializers.IntegerField(source="question_id")
    flagger = serializers.CharField(source="flagger.username")

    class Meta:
        model = Flag
        fields = [
            "id",
            "post",
            "question",
            "flagger",
            "reason",
            "note",
            "status",
            "created_at",
            "resolved_at",
            "resolution",
        ]


class QueueItemSerializer(serializers.Serializer):
    item = serializers.CharField(help_text='The claimable item: "flags:answer:40", ...')
    post = serializers.CharField(source="post_key")
    post_type = serializers.CharField(source="kind")
    post_id = serializers.IntegerField(source="post.pk")
    question = serializers.IntegerField(source="question.pk")
    title = serializers.CharField(source="question.title")
    author = serializers.CharField(source="post.author.username")
    hidden = serializers.SerializerMethodField()
    claimed_by = serializers.SerializerMethodField()
    flags = FlagSerializer(many=True)

    def get_hidden(self, item: QueueItem) -> bool:
        return item.post.hidden_at is not None

    def get_claimed_by(self, item: QueueItem) -> str | None:
        return item.claim.moderator.username if item.claim else None


class QueueSerializer(serializers.Serializer):
    flags = QueueItemSerializer(many=True, help_text="Posts with open flags, most flagged first.")
    first_posts = QueueItemSerializer(many=True, help_text="First posts waiting for review.")


class ResolveRequestSerializer(serializers.Serializer):
    action = serializers.ChoiceField(choices=ResolveAction.ALL)
    note = serializers.CharField(
        required=False, allow_blank=True, max_length=REASON_MAX_LENGTH, trim_whitespace=True
    )


class ResolveResultSerializer(serializers.Serializer):
    action = serializers.CharField()
    status = serializers.CharField()
    flags = FlagSerializer(many=True)


class _FlagView(ForumAPIView):
    permission_classes = [IsAuthenticated]
    throttle_scope = "post"
    kind = ""

    def post(self, request: Request, pk: int) -> Response:
        post = visible_post(self.kind, pk, request.user)
        data = validated(FlagRequestSerializer, request.data)
        flag = flag_services.raise_flag(
            actor=request.user, post=post, reason=data["reason"], note=data.get("note", "")
        )
        return Response(FlagSerializer(flag).data, status=status.HTTP_201_CREATED)


def _flag_schema(kind: str, tag: str) -> dict:
    return {
        "tags": [tag],
        "summary": f"Flag a {kind} for the moderators",
        "description": "Members with the flag privilege; one open flag per member per post. "
        "Spam and rude flags from enough members hide the post until it is reviewed.",
        "request": FlagRequestSerializer,
        "responses": {
            201: FlagSerializer,
            **schema.write_errors(schema.field_errors(f"Flag{kind.title()}", "reason", "note")),
        },
    }


class QuestionFlagView(_FlagView):
    kind = "question"

    @extend_schema(**_flag_schema("question", "questions"))
    def post(self, request: Request, pk: int) -> Response:
        return super().post(request, pk)


class AnswerFlagView(_FlagView):
    kind = "answer"

    @extend_schema(**_flag_schema("answer", "answers"))
    def post(self, request: Request, pk: int) -> Response:
        return super().post(request, pk)


class CommentFlagView(_FlagView):
    kind = "comment"

    @extend_schema(**_flag_schema("comment", "comments"))
    def post(self, request: Request, pk: int) -> Response:
        return super().post(request, pk)


class ModerationQueueView(ForumAPIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        tags=[TAG],
        summary="The moderation queue",
        description="Advocates and staff: posts with open flags (grouped by post) and the "
        "first posts of new members waiting for review.",
        responses={
            200: QueueSerializer,
            **schema.read_errors(not_found=False),
            403: schema.FORBIDDEN,
        },
    )
    def get(self, request: Request) -> Response:
        permissions.check_moderate(request.user)
        data = {
            "flags": selectors.flag_queue(),
            "first_posts": selectors.first_posts_queue(user=request.user),
        }
        return Response(QueueSerializer(data).data)


class ResolveFlagView(ForumAPIView):
    permission_classes = [IsAuthenticated]
    throttle_scope = "post"

    @extend_schema(
        tags=[TAG],
        summary="Resolve a post's flags",
        description="Advocates and staff. Resolves every open flag of the flag's post: "
        "`hide` hides the post, `close` / `lock` close or lock its question (each upholds "
        "the flags: their flaggers earn points), `dismiss` dismisses them and shows a post "
        "the flags had hidden.",
        request=ResolveRequestSerializer,
        responses={
            200: ResolveResultSerializer,
            **schema.write_errors(schema.field_errors("ResolveFlags", "action", "note", "flag")),
        },
    )
    def post(self, request: Request, pk: int) -> Response:
        permissions.check_moderate(request.user)
        flag = selectors.get_flag(pk)
        if flag is None:
            raise NotFound()
        data = validated(ResolveRequestSerializer, request.data)
        flags = flag_services.resolve_flags(
            actor=request.user, flag=flag, action=data["action"], note=data.get("note", "")
        )
        result = {"action": data["action"], "status": flags[0].status, "flags": flags}
        return Response(ResolveResultSerializer(result).data)


urlpatterns = [
    path("questions/<int:pk>/flags/", QuestionFlagView.as_view(), name="question-flags"),
    path("answers/<int:pk>/flags/", AnswerFlagView.as_view(), name="answer-flags"),
    path("comments/<int:pk>/flags/", CommentFlagView.as_view(), name="comment-flags"),
    path("moderation/queue/", ModerationQueueView.as_view(), name="moderation-queue"),
    path(
        "moderation/flags/<int:pk>/resolve/",
        ResolveFlagView.as_view(),
        name="moderation-resolve",
    ),
]
