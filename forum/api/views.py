"""The forum's REST endpoints (API.md). Thin: check the shape of the input with a
serializer, fetch through the selectors (which apply the visibility rules), call ONE
service (which checks the permission on the locked row), serialize the result.
Errors become responses in `forum.api.exceptions`.
"""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.reverse import reverse

from forum import selectors, services
from forum.api import personal_data, schema
from forum.api.base import ForumAPIView, Pagination, validated
from forum.api.selectors import answer_detail, tag_slug
from forum.api.serializers import (
    AnswerSerializer,
    AskQuestionSerializer,
    BodySerializer,
    EditAnswerSerializer,
    EditQuestionSerializer,
    QuestionDetailSerializer,
    QuestionFilterSerializer,
    QuestionSummarySerializer,
)


def _question_data(request: Request, pk: int) -> dict:
    question = selectors.get_question(pk=pk, user=request.user)
    thread = selectors.question_thread(question=question, user=request.user)
    context = {"request": request, "thread": thread, "my_votes": thread.my_votes}
    return QuestionDetailSerializer(question, context=context).data


def _answer_data(request: Request, pk: int) -> dict:
    answer, my_votes = answer_detail(pk=pk, user=request.user)
    return AnswerSerializer(answer, context={"request": request, "my_votes": my_votes}).data


def _created(data: dict, url_name: str, pk: int, request: Request) -> Response:
    location = reverse(url_name, kwargs={"pk": pk}, request=request)
    return Response(data, status=status.HTTP_201_CREATED, headers={"Location": location})


QUESTION_FIELDS = ("title", "body", "tags", "category")
TAG = "questions"


class QuestionListView(ForumAPIView):
    pagination_class = Pagination
    throttle_scope = "post"

    @extend_schema(
        tags=[TAG],
        summary="List questions",
        description="Questions the caller may see, newest first unless `ordering` says "
        "otherwise; with `q`, the best matches first.",
        parameters=[QuestionFilterSerializer],
        responses={
            200: QuestionSummarySerializer(many=True),
            **schema.read_errors(
                bad_request=schema.field_errors(
                    "QuestionFilter", "tag", "category", "status", "q", "ordering"
                )
            ),
        },
    )
    def get(self, request: Request) -> Response:
        filters = validated(QuestionFilterSerializer, request.query_params)
        ordering = filters.get("ordering", "")
        text = filters.get("q", "").strip()
        questions = selectors.question_list(
            user=request.user,
            ordering=ordering or "newest",
            status=filters.get("status", ""),
            tag=tag_slug(tag) if (tag := filters.get("tag", "").strip()) else "",
            category=filters.get("category"),
            q=text,
        )
        if text and ordering:
            # A search is ranked by relevance unless the caller asked for an order.
            questions = questions.order_by(*selectors.ORDERINGS[ordering])
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(questions, request, view=self)
        data = QuestionSummarySerializer(page, many=True, context={"request": request}).data
        return paginator.get_paginated_response(data)

    @extend_schema(
        tags=[TAG],
        summary="Ask a question",
        request=AskQuestionSerializer,
        responses={
            201: QuestionDetailSerializer,
            **schema.write_errors(
                schema.field_errors("AskQuestion", *QUESTION_FIELDS), not_found=False
            ),
        },
    )
    def post(self, request: Request) -> Response:
        data = validated(AskQuestionSerializer, request.data)
        question = services.ask_question(
            actor=request.user,
            title=data["title"],
            body=data["body"],
            tags=data["tags"],
            category=data.get("category"),
            personal_data=personal_data.mode(data),
        )
        return _created(
            _question_data(request, question.pk), "api:question-detail", question.pk, request
        )


class QuestionDetailView(ForumAPIView):
    throttle_scope = "post"

    @extend_schema(
        tags=[TAG],
        summary="A question with its answers and comments",
        description="The accepted answer comes first, then the others by score. Deleted "
        "questions and answers are shown only to their author and to moderators "
        "(`is_deleted`); to everyone else they are 404.",
        responses={200: QuestionDetailSerializer, **schema.read_errors()},
    )
    def get(self, request: Request, pk: int) -> Response:
        return Response(_question_data(request, pk))

    @extend_schema(
        tags=[TAG],
        summary="Edit a question",
        description="By its author or a moderator. Fields left out keep their value; a new "
        "revision is saved when something changed.",
        request=EditQuestionSerializer,
        responses={
            200: QuestionDetailSerializer,
            **schema.write_errors(schema.field_errors("EditQuestion", *QUESTION_FIELDS, "summary")),
        },
    )
    def patch(self, request: Request, pk: int) -> Response:
        question = selectors.get_question(pk=pk, user=request.user)
        data = validated(EditQuestionSerializer, request.data)
        services.edit_question(
            actor=request.user,
            question=question,
            title=data.get("title", question.title),
            body=data.get("body", question.body),
            tags=data.get("tags", [tag.name for tag in question.tags.all()]),
            category=data.get("category", question.category),
            summary=data.get("summary", ""),
            personal_data=personal_data.mode(data),
        )
        return Response(_question_data(request, pk))


class AnswerCreateView(ForumAPIView):
    throttle_scope = "post"

    @extend_schema(
        tags=["answers"],
        summary="Answer a question",
        request=BodySerializer,
        responses={
            201: AnswerSerializer,
            **schema.write_errors(schema.field_errors("PostAnswer", "body")),
        },
    )
    def post(self, request: Request, pk: int) -> Response:
        question = selectors.get_question(pk=pk, user=request.user)
        data = validated(BodySerializer, request.data)
        answer = services.post_answer(
            actor=request.user,
            question=question,
            body=data["body"],
            personal_data=personal_data.mode(data),
        )
        return _created(_answer_data(request, answer.pk), "api:answer-detail", answer.pk, request)


class AnswerDetailView(ForumAPIView):
    throttle_scope = "post"

    @extend_schema(
        tags=["answers"],
        summary="An answer with its comments",
        responses={200: AnswerSerializer, **schema.read_errors()},
    )
    def get(self, request: Request, pk: int) -> Response:
        return Response(_answer_data(request, pk))

    @extend_schema(
        tags=["answers"],
        summary="Edit an answer",
        description="By its author or a moderator; a new revision is saved when the text changed.",
        request=EditAnswerSerializer,
        responses={
            200: AnswerSerializer,
            **schema.write_errors(schema.field_errors("EditAnswer", "body", "summary")),
        },
    )
    def patch(self, request: Request, pk: int) -> Response:
        answer = selectors.get_answer(pk=pk, user=request.user)
        data = validated(EditAnswerSerializer, request.data)
        services.edit_answer(
            actor=request.user,
            answer=answer,
            body=data["body"],
            summary=data.get("summary", ""),
            personal_data=personal_data.mode(data),
        )
        return Response(_answer_data(request, pk))
