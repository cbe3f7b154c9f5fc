"""The bell page: the member's notifications and "mark read" (namespace `notifications`)."""

from django.urls import path

from notifications.views import mark_read, notification_list

app_name = "notifications"

urlpatterns = [
    path("notifications/", notification_list, name="list"),
    path("notifications/read/", mark_read, name="read"),
]
