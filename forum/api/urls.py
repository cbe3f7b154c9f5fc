"""The forum's routes of `/api/v1/` (the paths are a contract, API.md). The API root,
with its namespace "api" and every app's routes, is `config.api_urls`.

The detail routes of questions, answers and comments (GET, PATCH and DELETE) are
registered by `advocacy.moderation.api_posts`, whose views extend `views.QuestionDetailView`,
`views.AnswerDetailView` and `comments.CommentDetailView` with the (audited) DELETE.
"""

from django.urls import include, path

from forum.api import auth, comments, views, votes

urlpatterns = [
    path("auth/token/", auth.TokenView.as_view(), name="token"),
    path("questions/", views.QuestionListView.as_view(), name="question-list"),
    path("questions/<int:pk>/answers/", views.AnswerCreateView.as_view(), name="answer-create"),
    path("questions/<int:pk>/vote/", votes.QuestionVoteView.as_view(), name="question-vote"),
    path(
        "questions/<int:pk>/comments/",
        comments.QuestionCommentView.as_view(),
        name="question-comments",
    ),
    path("answers/<int:pk>/vote/", votes.AnswerVoteView.as_view(), name="answer-vote"),
    path("answers/<int:pk>/accept/", votes.AcceptView.as_view(), name="answer-accept"),
    path(
        "answers/<int:pk>/comments/", comments.AnswerCommentView.as_view(), name="answer-comments"
    ),
    path("", include("forum.api.follows")),  # following questions, tags and categories
]
