"""The forum's REST endpoints (API.md). Thin: check the shape of the input with a
serializer, fetch through the selectors (which apply the visibility rules), call ONE
service (which checks the permission on the locked row), serialize the result.
Errors become responses in `forum.api.exceptions`.
"""

from __future__ import annotations

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.reverse import reverse

from forum import selectors, services
from forum.api import personal_data, schema
from forum.api.base import ForumAPIView, Pagination
from forum.api.selectors import answer_detail, get_member, tag_slug
from forum.api.serializers import (
    AcceptResultSerializer,
    AnswerSerializer,
    AskQuestionSerializer,
    BodySerializer,
    CommentSerializer,
    EditAnswerSerializer,
    EditQuestionSerializer,
    MemberSerializer,
    QuestionDetailSerializer,
    QuestionFilterSerializer,
    QuestionSummarySerializer,
    VoteRequestSerializer,
    VoteResultSerializer,
)
from forum.models import Answer, Question, User


def _moderation():  # noqa: ANN202 - the advocacy.services.moderation module
    """A moderator's delete of another member's post is audited by the moderation services
    (advocacy), which wrap the forum's own delete in one transaction with the audit row."""
    from advocacy.services import moderation

    return moderation


def _valid(serializer_class: type, data: object) -> dict:
    serializer = serializer_class(data=data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


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
        filters = _valid(QuestionFilterSerializer, request.query_params)
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
        data = _valid(AskQuestionSerializer, request.data)
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
        data = _valid(EditQuestionSerializer, request.data)
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

    @extend_schema(
        tags=[TAG],
        summary="Delete a question",
        description="A soft delete by its author or a moderator: it leaves the lists; "
        "its author and moderators still see it.",
        request=None,
        responses={204: None, **schema.write_errors(None)},
    )
    def delete(self, request: Request, pk: int) -> Response:
        question = selectors.get_question(pk=pk, user=request.user)
        _moderation().delete_post(actor=request.user, post=question)
        return Response(status=status.HTTP_204_NO_CONTENT)


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
        data = _valid(BodySerializer, request.data)
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
        data = _valid(EditAnswerSerializer, request.data)
        services.edit_answer(
            actor=request.user,
            answer=answer,
            body=data["body"],
            summary=data.get("summary", ""),
            personal_data=personal_data.mode(data),
        )
        return Response(_answer_data(request, pk))

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
        _moderation().delete_post(actor=request.user, post=answer)
        return Response(status=status.HTTP_204_NO_CONTENT)


class _VoteView(ForumAPIView):
    throttle_scope = "vote"

    def _post(self, request: Request, pk: int) -> Question | Answer:
        raise NotImplementedError

    def post(self, request: Request, pk: int) -> Response:
        post = self._post(request, pk)
        data = _valid(VoteRequestSerializer, request.data)
        score, my_vote = services.cast_vote(actor=request.user, post=post, value=data["value"])
        return Response(VoteResultSerializer({"score": score, "my_vote": my_vote}).data)


_VOTE_DESCRIPTION = (
    "1 votes up, -1 down, 0 withdraws your vote. Voting the same value again changes "
    "nothing. You cannot vote on your own posts."
)


class QuestionVoteView(_VoteView):
    def _post(self, request: Request, pk: int) -> Question:
        return selectors.get_question(pk=pk, user=request.user)

    @extend_schema(
        tags=[TAG],
        summary="Vote on a question",
        description=_VOTE_DESCRIPTION,
        request=VoteRequestSerializer,
        responses={
            200: VoteResultSerializer,
            **schema.write_errors(schema.field_errors("Vote", "value")),
        },
    )
    def post(self, request: Request, pk: int) -> Response:
        return super().post(request, pk)


class AnswerVoteView(_VoteView):
    def _post(self, request: Request, pk: int) -> Answer:
        return selectors.get_answer(pk=pk, user=request.user)

    @extend_schema(
        tags=["answers"],
        summary="Vote on an answer",
        description=_VOTE_DESCRIPTION,
        request=VoteRequestSerializer,
        responses={
            200: VoteResultSerializer,
            **schema.write_errors(schema.field_errors("Vote", "value")),
        },
    )
    def post(self, request: Request, pk: int) -> Response:
        return super().post(request, pk)


class AcceptView(ForumAPIView):
    throttle_scope = "vote"

    @extend_schema(
        tags=["answers"],
        summary="Accept an answer",
        description="By the member who asked: replaces an answer accepted before; accepting "
        "the accepted answer again changes nothing (if the community had accepted it, it "
        "becomes the asker's own acceptance). An advocate or staff member may accept for the "
        "asker (the community's acceptance, `accepted_on_behalf_by` in the result) once the "
        "asker has been away 14 days (no acceptance, no answer or comment of theirs in the "
        "thread); before that, or by anyone else, 403 with the reason. The answerer is paid "
        "as for any acceptance; the asker's bonus only comes with their own.",
        request=None,
        responses={200: AcceptResultSerializer, **schema.write_errors(None)},
    )
    def post(self, request: Request, pk: int) -> Response:
        answer = selectors.get_answer(pk=pk, user=request.user)
        question = services.accept_answer(actor=request.user, answer=answer)
        return self._result(question)

    @extend_schema(
        tags=["answers"],
        summary="Withdraw an acceptance",
        description="By the member who asked, or staff (who may also undo the community's "
        "acceptance): the answer stops being the accepted one and its points are reversed "
        "(nothing changes if it was not accepted).",
        request=None,
        responses={200: AcceptResultSerializer, **schema.write_errors(None)},
    )
    def delete(self, request: Request, pk: int) -> Response:
        answer = selectors.get_answer(pk=pk, user=request.user)
        question = services.unaccept_answer(actor=request.user, answer=answer)
        return self._result(question)

    def _result(self, question: Question) -> Response:
        by = question.accepted_on_behalf_by
        data = {
            "question_id": question.pk,
            "accepted_answer_id": question.accepted_answer_id,
            "accepted_on_behalf_by": by.username if by else None,
        }
        return Response(AcceptResultSerializer(data).data)


class _CommentView(ForumAPIView):
    throttle_scope = "post"

    def _post(self, request: Request, pk: int) -> Question | Answer:
        raise NotImplementedError

    def post(self, request: Request, pk: int) -> Response:
        post = self._post(request, pk)
        data = _valid(BodySerializer, request.data)
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
        tags=[TAG],
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
