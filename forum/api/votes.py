"""`/api/v1/questions/{id}/vote/`, `/api/v1/answers/{id}/vote/` and
`/api/v1/answers/{id}/accept/`: votes and acceptance (API.md)."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.response import Response

from forum import selectors, services
from forum.api import schema
from forum.api.base import ForumAPIView, validated
from forum.api.serializers import (
    AcceptResultSerializer,
    VoteRequestSerializer,
    VoteResultSerializer,
)
from forum.models import Answer, Question


class _VoteView(ForumAPIView):
    throttle_scope = "vote"

    def _post(self, request: Request, pk: int) -> Question | Answer:
        raise NotImplementedError

    def post(self, request: Request, pk: int) -> Response:
        post = self._post(request, pk)
        data = validated(VoteRequestSerializer, request.data)
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
        tags=["questions"],
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
