"""The Atom feeds (`/feeds/...`, namespace "feeds"); the paths are a contract (API.md)."""

from django.urls import path

from integrations import feeds

app_name = "feeds"

urlpatterns = [
    path("questions.atom", feeds.conditional(feeds.NewestQuestionsFeed()), name="questions"),
    path("tags/<str:name>.atom", feeds.conditional(feeds.TagFeed()), name="tag"),
    path("categories/<slug:slug>.atom", feeds.conditional(feeds.CategoryFeed()), name="category"),
    path(
        "questions/<int:pk>.atom",
        feeds.conditional(feeds.QuestionAnswersFeed()),
        name="question",
    ),
]
