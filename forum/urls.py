"""The forum's pages. Each view module owns its own `urlpatterns`; this joins them.

URL names are a contract used by models (get_absolute_url), the Markdown renderer
(@mentions -> "profile") and templates: question_list, ask, question_detail (pk),
category (slug), tag (slug), tag_list, search, profile (username), profile_edit.
"""

from forum.views import follows, lists, profiles, questions

app_name = "forum"

urlpatterns = [
    *lists.urlpatterns,
    *questions.urlpatterns,
    *profiles.urlpatterns,
    *follows.urlpatterns,
]
