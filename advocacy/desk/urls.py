"""The desk's pages under `/desk/`, the escalate form and "my escalations" (app "desk")."""

from django.urls import path

from advocacy.desk.views import case, escalating, queue

app_name = "desk"

urlpatterns = [
    path("desk/", queue.queue, name="queue"),
    path("desk/assign/", queue.bulk_assign, name="bulk_assign"),
    path("desk/<int:pk>/", case.case, name="case"),
    path("desk/<int:pk>/claim/", case.claim, name="claim"),
    path("desk/<int:pk>/assign/", case.assign, name="assign"),
    path("desk/<int:pk>/update/", case.update_case, name="update"),
    path("desk/<int:pk>/status/", case.set_status, name="status"),
    path("desk/<int:pk>/priority/", case.set_priority, name="priority"),
    path("desk/<int:pk>/notes/", case.note, name="note"),
    path("desk/<int:pk>/answer/", case.answer, name="answer"),
    path("desk/<int:pk>/resolve/", case.resolve, name="resolve"),
    path("desk/<int:pk>/dismiss/", case.dismiss, name="dismiss"),
    path("questions/<int:pk>/escalate/", escalating.escalate, name="escalate"),
    path("escalations/mine/", escalating.mine, name="mine"),
]
