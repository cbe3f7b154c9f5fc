"""The moderation pages under `/moderation/`, the flag form and the thread page's
moderation buttons (`thread`: close, reopen, lock, delete), app "moderation"."""

from django.urls import path

from advocacy.moderation import thread, views

app_name = "moderation"

urlpatterns = [
    path("flag/<str:kind>/<int:pk>/", views.flag, name="flag"),
    path("moderation/", views.queue, name="queue"),
    path("moderation/items/", views.queue_items, name="queue_items"),
    path("moderation/claim/", views.claim, name="claim"),
    path("moderation/release/", views.release, name="release"),
    path("moderation/flags/<int:pk>/resolve/", views.resolve, name="resolve"),
    path("moderation/members/<str:username>/suspend/", views.suspend, name="suspend"),
    path("moderation/members/<str:username>/unsuspend/", views.unsuspend, name="unsuspend"),
    path("moderation/audit/", views.audit, name="audit"),
    path("moderation/<str:kind>/<int:pk>/", views.item, name="item"),
    path("moderation/<str:kind>/<int:pk>/<str:action>/", views.act, name="act"),
    *thread.urlpatterns,
]
