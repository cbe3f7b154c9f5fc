"""`/api/v1/` (app_name "api"); the paths are a contract (API.md)."""

from django.urls import include, path

from forum.api import auth, comments, members, views, votes
from privacy import api as privacy_api

app_name = "api"

urlpatterns = [
    path("auth/token/", auth.TokenView.as_view(), name="token"),
    path("questions/", views.QuestionListView.as_view(), name="question-list"),
    path("questions/<int:pk>/", views.QuestionDetailView.as_view(), name="question-detail"),
    path("questions/<int:pk>/answers/", views.AnswerCreateView.as_view(), name="answer-create"),
    path("questions/<int:pk>/vote/", votes.QuestionVoteView.as_view(), name="question-vote"),
    path(
        "questions/<int:pk>/comments/",
        comments.QuestionCommentView.as_view(),
        name="question-comments",
    ),
    path("answers/<int:pk>/", views.AnswerDetailView.as_view(), name="answer-detail"),
    path("answers/<int:pk>/vote/", votes.AnswerVoteView.as_view(), name="answer-vote"),
    path("answers/<int:pk>/accept/", votes.AcceptView.as_view(), name="answer-accept"),
    path(
        "answers/<int:pk>/comments/", comments.AnswerCommentView.as_view(), name="answer-comments"
    ),
    path("users/me/export/", privacy_api.ExportView.as_view(), name="me-export"),
    path("users/me/", privacy_api.MeView.as_view(), name="me"),  # GET, and DELETE (erasure)
    path("users/<int:pk>/", members.MemberView.as_view(), name="member"),
    path("notifications/", include("notifications.api")),
    path("", include("forum.api.follows")),  # following questions, tags and categories
    path("", include("advocacy.health.api")),  # community health figures
    path("", include("advocacy.automation.api")),  # automation rules, members' switches
    path("", include("advocacy.moderation.api")),  # flags and the moderation queue
    path("", include("gamification.api")),  # the leaderboard and rewards
    path("", include("advocacy.desk.api")),  # escalations and the staff desk
    path("", include("integrations.api")),  # webhooks
    path("", include("forum.api.comments")),  # comment read, edit, delete
    path("", include("advocacy.community.api")),  # close votes, edit suggestions
    path("", include("advocacy.desk.api_canned")),  # canned responses
    path("", include("gamification.api_decisions")),  # redemption decisions, fair play
    path("", include("advocacy.moderation.api_acts")),  # moderation acts, suspensions
    path("", include("advocacy.desk.api_more")),  # priority, bulk assign
    path("", include("advocacy.programme.api")),  # approve and revoke advocates
    path("", include("notifications.settings_api")),  # own profile, e-mail preferences
]
