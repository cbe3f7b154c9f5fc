"""`/api/v1/` (app_name "api"): every app's API routes, composed here because `config`
sits above the layered packages (an app's URL module includes no app above it). The
paths are a contract (API.md); each app's module lists its own.
"""

from django.urls import include, path

app_name = "api"

urlpatterns = [
    path("", include("forum.api.urls")),  # token, questions, answers, votes, comments, follows
    path("", include("advocacy.moderation.api_posts")),  # question/answer/comment detail + DELETE
    path("", include("privacy.api")),  # GET and DELETE users/me/, users/me/export/
    path("", include("gamification.api_members")),  # users/{id}/ (rank and badges)
    path("notifications/", include("notifications.api")),
    path("", include("advocacy.health.api")),  # community health figures
    path("", include("advocacy.automation.api")),  # automation rules, members' switches
    path("", include("advocacy.moderation.api")),  # flags and the moderation queue
    path("", include("gamification.api")),  # the leaderboard and rewards
    path("", include("advocacy.desk.api")),  # escalations and the staff desk
    path("", include("integrations.api")),  # webhooks
    path("", include("advocacy.community.api")),  # close votes, edit suggestions
    path("", include("advocacy.desk.api_canned")),  # canned responses
    path("", include("gamification.api_decisions")),  # redemption decisions, fair play
    path("", include("advocacy.moderation.api_acts")),  # moderation acts, suspensions
    path("", include("advocacy.desk.api_more")),  # priority, bulk assign
    path("", include("advocacy.programme.api")),  # approve and revoke advocates
    path("", include("notifications.settings_api")),  # own profile, e-mail preferences
]
