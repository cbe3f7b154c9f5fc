"""Following (API.md, "Community health, follow"):

`POST`/`DELETE /api/v1/questions/{id}/follow/`, `/tags/{name}/follow/`,
`/categories/{slug}/follow/` -> 200 `{"following": bool}`; `GET /api/v1/users/me/following/`.
What the member may not read is 404, as its page. Mounted from `forum.api.urls` (in `config.api_urls`).
"""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import path
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from forum.api import schema
from forum.api.base import MAX_ID, ForumAPIView
from forum.follows import selectors, services
from forum.models import Category, Question


class FollowStateSerializer(serializers.Serializer):
    following = serializers.BooleanField()


class FollowedQuestionSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    title = serializers.CharField()
    url = serializers.SerializerMethodField()

    def get_url(self, question: Question) -> str:
        return self.context["request"].build_absolute_uri(question.get_absolute_url())


class FollowedTagSerializer(serializers.Serializer):
    name = serializers.CharField()
    url = serializers.SerializerMethodField()

    def get_url(self, tag) -> str:  # noqa: ANN001
        from django.urls import reverse

        return self.context["request"].build_absolute_uri(reverse("forum:tag", args=[tag.slug]))


class FollowedCategorySerializer(serializers.Serializer):
    slug = serializers.CharField()
    name = serializers.CharField()
    url = serializers.SerializerMethodField()

    def get_url(self, category: Category) -> str:
        return self.context["request"].build_absolute_uri(category.get_absolute_url())


class FollowingSerializer(serializers.Serializer):
    questions = FollowedQuestionSerializer(many=True)
    tags = FollowedTagSerializer(many=True)
    categories = FollowedCategorySerializer(many=True)


_RESPONSES = {
    200: FollowStateSerializer,
    401: schema.UNAUTHENTICATED,
    403: schema.FORBIDDEN,
    404: schema.NOT_FOUND,
    429: schema.THROTTLED,
}


class _FollowView(ForumAPIView):
    permission_classes = [IsAuthenticated]
    throttle_scope = "vote"

    def target(self, key):  # noqa: ANN001, ANN201
        raise NotImplementedError

    def _set(self, request: Request, key: object, following: bool) -> Response:
        target = self.target(key)
        state = services.set_following(actor=request.user, target=target, following=following)
        return Response({"following": state})


def _methods(noun: str):  # noqa: ANN202
    @extend_schema(tags=["follow"], summary=f"Follow a {noun}", request=None, responses=_RESPONSES)
    def post(self: _FollowView, request: Request, key: object) -> Response:
        return self._set(request, key, True)

    @extend_schema(
        tags=["follow"], summary=f"Stop following a {noun}", request=None, responses=_RESPONSES
    )
    def delete(self: _FollowView, request: Request, key: object) -> Response:
        return self._set(request, key, False)

    return post, delete


class QuestionFollowView(_FollowView):
    post, delete = _methods("question")

    def target(self, key: int) -> Question:
        if key > MAX_ID:
            raise Http404("No such question.")
        return get_object_or_404(Question.objects.select_related("category"), pk=key)


class TagFollowView(_FollowView):
    post, delete = _methods("tag")

    def target(self, key: str):  # noqa: ANN201
        tag = selectors.tag_named(key)
        if tag is None:
            raise Http404("No such tag.")
        return tag


class CategoryFollowView(_FollowView):
    post, delete = _methods("category")

    def target(self, key: str) -> Category:
        return get_object_or_404(Category, slug=key)


class FollowingView(ForumAPIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        tags=["follow"],
        summary="What the calling member follows",
        responses={200: FollowingSerializer, 401: schema.UNAUTHENTICATED, 429: schema.THROTTLED},
    )
    def get(self, request: Request) -> Response:
        following = selectors.following_for(request.user)
        data = FollowingSerializer(following, context={"request": request}).data
        return Response(data)


urlpatterns = [
    path("questions/<int:key>/follow/", QuestionFollowView.as_view(), name="question-follow"),
    path("tags/<str:key>/follow/", TagFollowView.as_view(), name="tag-follow"),
    path("categories/<slug:key>/follow/", CategoryFollowView.as_view(), name="category-follow"),
    path("users/me/following/", FollowingView.as_view(), name="me-following"),
]
