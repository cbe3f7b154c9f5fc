"""DELETE of `/api/v1/questions/{id}/`, `/api/v1/answers/{id}/` and `/api/v1/comments/{id}/`
(API.md): the API's twins of the thread page's delete buttons (`advocacy.moderation.thread`).

An author deletes their own post; a moderator deletes anyone's, and that act is audited
(`advocacy.services.moderation.delete_post` wraps the forum's delete and the audit row in
one transaction). The forum's API serves GET and PATCH of the same paths; these views
extend its views with DELETE, and these routes are the ones the API root
(`config.api_urls`) registers for the three paths.
"""

from __future__ import annotations

from django.urls import path
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response

from advocacy.services import moderation
from forum import selectors
from forum.api import comments, schema, views


class QuestionDetailView(views.QuestionDetailView):
    @extend_schema(
        tags=[views.TAG],
        summary="Delete a question",
        description="A soft delete by its author or a moderator: it leaves the lists; "
        "its author and moderators still see it.",
        request=None,
        responses={204: None, **schema.write_errors(None)},
    )
    def delete(self, request: Request, pk: int) -> Response:
        question = selectors.get_question(pk=pk, user=request.user)
        moderation.delete_post(actor=request.user, post=question)
        return Response(status=status.HTTP_204_NO_CONTENT)


class AnswerDetailView(views.AnswerDetailView):
    @extend_schema(
        tags=["answers"],
        summary="Delete an answer",
        description="A soft delete by its author or a moderator; an accepted answer stops "
        "being accepted.",
        request=None,
        responses={204: None, **schema.write_errors(None)},
    )
    def delete(self, request: Request, pk: int) -> Response:
        answer = selectors.get_answer(pk=pk, user=request.user)
        moderation.delete_post(actor=request.user, post=answer)
        return Response(status=status.HTTP_204_NO_CONTENT)


class CommentDetailView(comments.CommentDetailView):
    @extend_schema(
        tags=[comments.TAG],
        summary="Delete a comment",
        description="Its author or a moderator (a moderator's delete is in the audit log).",
        request=None,
        responses={204: OpenApiResponse(description="Deleted."), **schema.write_errors(None)},
    )
    def delete(self, request: Request, pk: int) -> Response:
        comment = comments.visible_comment(request, pk)
        moderation.delete_post(actor=request.user, post=comment)
        return Response(status=status.HTTP_204_NO_CONTENT)


urlpatterns = [
    path("questions/<int:pk>/", QuestionDetailView.as_view(), name="question-detail"),
    path("answers/<int:pk>/", AnswerDetailView.as_view(), name="answer-detail"),
    path("comments/<int:pk>/", CommentDetailView.as_view(), name="comment-detail"),
]
