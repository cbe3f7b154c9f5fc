"""Community self-moderation in `/api/v1/`, the twins of the HTML pages
(`advocacy.community.views`): close/reopen votes and edit suggestions (suggest, list,
approve, reject). Same permissions and services as the pages; errors map through
`forum.api.exceptions`. Mounted from `config.api_urls` (namespace "api").
"""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from django.urls import path
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from advocacy.community import permissions as community_permissions
from advocacy.community import selectors
from advocacy.models import CloseVote, EditSuggestion
from advocacy.services import community as services
from forum import permissions
from forum import selectors as forum_selectors
from forum.api import schema
from forum.api.base import MAX_ID, ForumAPIView, Pagination, validated
from forum.api.fields import StrictCharField, StrictIntegerField
from forum.api.serializers import AuthorSerializer, CategorySlugField
from forum.models import CloseReason, Question

TAG = "community"


class CloseVoteRequestSerializer(serializers.Serializer):
    reason = serializers.ChoiceField(
        choices=CloseReason.choices,
        required=False,
        help_text="Why to close (required when the question is open; ignored to reopen).",
    )
    duplicate_of = StrictIntegerField(
        min_value=1, max_value=MAX_ID, required=False, help_text="With `duplicate`: its id."
    )
    note = StrictCharField(required=False, default="")


class CloseVoteSerializer(serializers.ModelSerializer):
    settled = serializers.SerializerMethodField(
        help_text="True when this vote decided: the question is now closed (or reopened)."
    )

    class Meta:
        model = CloseVote
        fields = ["id", "kind", "reason", "duplicate_of", "created_at", "settled"]
        read_only_fields = fields

    def get_settled(self, vote: CloseVote) -> bool:
        return vote.settled_at is not None


class SuggestQuestionEditSerializer(serializers.Serializer):
    title = StrictCharField(required=False)
    body = StrictCharField()
    tags = serializers.ListField(child=StrictCharField(), required=False)
    category = CategorySlugField(required=False, allow_null=True)
    summary = StrictCharField(required=False, default="")


class SuggestAnswerEditSerializer(serializers.Serializer):
    body = StrictCharField()
    summary = StrictCharField(required=False, default="")


class SuggestionSerializer(serializers.ModelSerializer):
    author = AuthorSerializer(read_only=True)
    question_id = serializers.IntegerField(source="thread.pk", read_only=True)
    answer_id = serializers.IntegerField(allow_null=True, read_only=True)
    tags = serializers.CharField(help_text="Space-separated (questions only).")

    class Meta:
        model = EditSuggestion
        fields = [
            "id",
            "question_id",
            "answer_id",
            "author",
            "title",
            "body",
            "tags",
            "summary",
            "status",
            "review_reason",
            "created_at",
            "reviewed_at",
        ]
        read_only_fields = fields


class ReviewRequestSerializer(serializers.Serializer):
    reason = StrictCharField(
        required=False, default="", help_text="Required to reject; optional to approve."
    )


class CloseVoteView(ForumAPIView):
    permission_classes = [IsAuthenticated]
    throttle_scope = "post"

    @extend_schema(
        tags=[TAG],
        summary="Vote to close (or reopen) a question",
        description="Members with the close privilege. On an open question the vote is to "
        "close (a `reason` is required; `duplicate_of` with `duplicate`), on a closed one to "
        "reopen. The vote that reaches the threshold closes or reopens it (`settled`).",
        request=CloseVoteRequestSerializer,
        responses={
            201: CloseVoteSerializer,
            **schema.write_errors(
                schema.field_errors("CloseVote", "kind", "reason", "duplicate_of", "note")
            ),
        },
    )
    def post(self, request: Request, pk: int) -> Response:
        question = forum_selectors.get_question(pk=pk, user=request.user)
        permissions.check_cast_close_vote(request.user, question)
        data = validated(CloseVoteRequestSerializer, request.data)
        duplicate_of = None
        if data.get("duplicate_of") is not None:
            duplicate_of = (
                permissions.visible_questions(Question.objects.all(), request.user)
                .filter(pk=data["duplicate_of"])
                .first()
            )
            if duplicate_of is None:
                return Response(
                    {"duplicate_of": ["No such question."]}, status=status.HTTP_400_BAD_REQUEST
                )
        tally = selectors.close_tally(question=question, user=request.user)
        vote = services.cast_close_vote(
            actor=request.user,
            question=question,
            kind=tally.kind,
            reason=data.get("reason", ""),
            note=data.get("note", ""),
            duplicate_of=duplicate_of,
        )
        return Response(CloseVoteSerializer(vote).data, status=status.HTTP_201_CREATED)


class _SuggestView(ForumAPIView):
    permission_classes = [IsAuthenticated]
    throttle_scope = "post"


class SuggestQuestionEditView(_SuggestView):
    @extend_schema(
        tags=[TAG],
        summary="Suggest an edit of a question",
        description="Members below the edit privilege; an editor approves or rejects it. "
        "Left-out fields keep their current value.",
        request=SuggestQuestionEditSerializer,
        responses={
            201: SuggestionSerializer,
            **schema.write_errors(
                schema.field_errors(
                    "SuggestQuestionEdit", "title", "body", "tags", "category", "summary"
                )
            ),
        },
    )
    def post(self, request: Request, pk: int) -> Response:
        question = forum_selectors.get_question(pk=pk, user=request.user)
        permissions.check_suggest_edit(request.user, question)
        data = validated(SuggestQuestionEditSerializer, request.data)
        suggestion = services.suggest_edit(
            actor=request.user,
            post=question,
            title=data.get("title", question.title),
            body=data["body"],
            tags=data.get("tags", [tag.name for tag in question.tags.all()]),
            category=data.get("category", question.category),
            summary=data["summary"],
        )
        return Response(
            SuggestionSerializer(suggestion, context={"request": request}).data,
            status=status.HTTP_201_CREATED,
        )


class SuggestAnswerEditView(_SuggestView):
    @extend_schema(
        tags=[TAG],
        summary="Suggest an edit of an answer",
        description="Members below the edit privilege; an editor approves or rejects it.",
        request=SuggestAnswerEditSerializer,
        responses={
            201: SuggestionSerializer,
            **schema.write_errors(schema.field_errors("SuggestAnswerEdit", "body", "summary")),
        },
    )
    def post(self, request: Request, pk: int) -> Response:
        answer = forum_selectors.get_answer(pk=pk, user=request.user)
        permissions.check_suggest_edit(request.user, answer)
        data = validated(SuggestAnswerEditSerializer, request.data)
        suggestion = services.suggest_edit(
            actor=request.user, post=answer, body=data["body"], summary=data["summary"]
        )
        return Response(
            SuggestionSerializer(suggestion, context={"request": request}).data,
            status=status.HTTP_201_CREATED,
        )


class SuggestionListView(ForumAPIView):
    permission_classes = [IsAuthenticated]
    pagination_class = Pagination

    @extend_schema(
        tags=[TAG],
        summary="Pending edit suggestions",
        description="Members who may review them (the edit privilege), oldest first.",
        responses={
            200: SuggestionSerializer(many=True),
            # 404: a page number past the end; 400: a page size that is not a whole number
            **schema.read_errors(bad_request=schema.field_errors("SuggestionList", "page_size")),
            403: schema.FORBIDDEN,
        },
    )
    def get(self, request: Request) -> Response:
        community_permissions.check_review_suggestions(request.user)
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(
            selectors.pending_suggestions(user=request.user), request, view=self
        )
        return paginator.get_paginated_response(
            SuggestionSerializer(page, many=True, context={"request": request}).data
        )


class _ReviewView(ForumAPIView):
    permission_classes = [IsAuthenticated]
    throttle_scope = "post"
    approve = True

    def post(self, request: Request, pk: int) -> Response:
        suggestion = get_object_or_404(
            EditSuggestion.objects.select_related("question", "answer__question", "author"),
            pk=pk,
        )
        # Only suggestions on posts the reviewer can see; others look missing.
        forum_selectors.get_question(pk=suggestion.thread.pk, user=request.user)
        community_permissions.check_review_suggestion(request.user, suggestion)
        data = validated(ReviewRequestSerializer, request.data)
        service = services.approve_suggestion if self.approve else services.reject_suggestion
        suggestion = service(actor=request.user, suggestion=suggestion, reason=data["reason"])
        return Response(SuggestionSerializer(suggestion, context={"request": request}).data)


_REVIEW_SCHEMA = {
    "tags": [TAG],
    "request": ReviewRequestSerializer,
    "responses": {
        200: SuggestionSerializer,
        **schema.write_errors(schema.field_errors("ReviewSuggestion", "reason")),
    },
}


class ApproveSuggestionView(_ReviewView):
    approve = True

    @extend_schema(
        summary="Approve an edit suggestion",
        description="Editors. Applies it as a new revision credited to its author.",
        **_REVIEW_SCHEMA,
    )
    def post(self, request: Request, pk: int) -> Response:
        return super().post(request, pk)


class RejectSuggestionView(_ReviewView):
    approve = False

    @extend_schema(
        summary="Reject an edit suggestion",
        description="Editors, with a reason the author reads.",
        **_REVIEW_SCHEMA,
    )
    def post(self, request: Request, pk: int) -> Response:
        return super().post(request, pk)


urlpatterns = [
    path("questions/<int:pk>/close-votes/", CloseVoteView.as_view(), name="question-close-vote"),
    path(
        "questions/<int:pk>/suggested-edits/",
        SuggestQuestionEditView.as_view(),
        name="question-suggest-edit",
    ),
    path(
        "answers/<int:pk>/suggested-edits/",
        SuggestAnswerEditView.as_view(),
        name="answer-suggest-edit",
    ),
    path("suggested-edits/", SuggestionListView.as_view(), name="suggestion-list"),
    path(
        "suggested-edits/<int:pk>/approve/",
        ApproveSuggestionView.as_view(),
        name="suggestion-approve",
    ),
    path(
        "suggested-edits/<int:pk>/reject/", RejectSuggestionView.as_view(), name="suggestion-reject"
    ),
]
