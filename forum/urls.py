from django.urls import path  # noqa: F401

app_name = "forum"

# URL names are a contract used by models (get_absolute_url), the Markdown renderer
# (@mentions -> "profile") and templates: question_list, ask, question_detail (pk),
# category (slug), tag (slug), search, profile (username), profile_edit.
urlpatterns: list = []
