"""The desk's pages under `/desk/`, the escalate form and "my escalations" (app "desk")."""

from django.urls import path

from advocacy.desk import views

app_name = "desk"

urlpatterns = [
    path("desk/", views.queue, name="queue"),
    path("desk/assign/", views.bulk_assign, name="bulk_assign"),
    path("desk/<int:pk>/", views.case, name="case"),
    path("desk/<int:pk>/claim/", views.claim, name="claim"),
    path("desk/<int:pk>/assign/", views.assign, name="assign"),
    path("desk/<int:pk>/update/", views.update_case, name="update"),
    path("desk/<int:pk>/status/", views.set_status, name="status"),
    path("desk/<int:pk>/priority/", views.set_priority, name="priority"),
    path("desk/<int:pk>/notes/", views.note, name="note"),
    path("desk/<int:pk>/answer/", views.answer, name="answer"),
    path("desk/<int:pk>/resolve/", views.resolve, name="resolve"),
    path("desk/<int:pk>/dismiss/", views.dismiss, name="dismiss"),
    path("questions/<int:pk>/escalate/", views.escalate, name="escalate"),
    path("escalations/mine/", views.mine, name="mine"),
]
