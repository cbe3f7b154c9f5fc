"""`/api/v1/comments/{id}/`: read and edit a comment (`forum.comment_edits`); its DELETE
is `advocacy.moderation.api_posts` (a moderator's delete is audited), which also registers the
route. And `/api/v1/questions/{id}/comments/`, `/api/v1/answers/{id}/comments/`: comment on a post."""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response

from forum import permissions, selectors, services
from forum.api import personal_data, schema
from forum.api.base import ForumAPIView, validated
from forum.api.serializers import BodySerializer, CommentSerializer
from forum.comment_edits import edit_comment
from forum.models import Answer, Comment, Question

TAG = "comments"


def visible_comment(request: Request, pk: int) -> Comment:
    """The comment, if the viewer may see it and the post it is on (404 otherwise)."""
    comment = get_object_or_404(
        permissions.visible_comments(Comment.objects.all(), request.user).select_related(
            "question", "answer__question", "author"
        ),
        pk=pk,
    )
    selectors.get_question(pk=comment.thread.pk, user=request.user)
    if comment.answer_id:
        selectors.get_answer(pk=comment.answer_id, user=request.user)
    return comment


class CommentDetailView(ForumAPIView):
    throttle_scope = "post"

    @extend_schema(
        tags=[TAG],
        summary="A comment",
        responses={200: CommentSerializer, **schema.read_errors()},
    )
    def get(self, request: Request, pk: int) -> Response:
        return Response(
            CommentSerializer(visible_comment(request, pk), context={"request": request}).data
        )

    @extend_schema(
        tags=[TAG],
        summary="Edit a comment",
        description="Its author within 5 minutes of posting it, moderators at any time.",
        request=BodySerializer,
        responses={
            200: CommentSerializer,
            **schema.write_errors(schema.field_errors("EditComment", "body")),
        },
    )
    def patch(self, request: Request, pk: int) -> Response:
        comment = visible_comment(request, pk)
        serializer = BodySerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        comment = edit_comment(
            actor=request.user, comment=comment, body=serializer.validated_data["body"]
        )
        return Response(CommentSerializer(comment, context={"request": request}).data)


class _CommentView(ForumAPIView):
    throttle_scope = "post"

    def _post(self, request: Request, pk: int) -> Question | Answer:
        raise NotImplementedError

    def post(self, request: Request, pk: int) -> Response:
        post = self._post(request, pk)
        data = validated(BodySerializer, request.data)
        comment = services.post_comment(
            actor=request.user, post=post, body=data["body"], personal_data=personal_data.mode(data)
        )
        data = CommentSerializer(comment, context={"request": request}).data
        return Response(data, status=status.HTTP_201_CREATED)


_COMMENT_RESPONSES = {
    201: CommentSerializer,
    **schema.write_errors(schema.field_errors("PostComment", "body")),
}


class QuestionCommentView(_CommentView):
    def _post(self, request: Request, pk: int) -> Question:
        return selectors.get_question(pk=pk, user=request.user)

    @extend_schema(
        tags=["questions"],
        summary="Comment on a question",
        request=BodySerializer,
        responses=_COMMENT_RESPONSES,
    )
    def post(self, request: Request, pk: int) -> Response:
        return super().post(request, pk)


class AnswerCommentView(_CommentView):
    def _post(self, request: Request, pk: int) -> Answer:
        return selectors.get_answer(pk=pk, user=request.user)

    @extend_schema(
        tags=["answers"],
        summary="Comment on an answer",
        request=BodySerializer,
        responses=_COMMENT_RESPONSES,
    )
    def post(self, request: Request, pk: int) -> Response:
        return super().post(request, pk)
