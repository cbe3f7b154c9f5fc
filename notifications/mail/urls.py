from django.urls import path

from notifications.mail import views

app_name = "mail"

urlpatterns = [
    path("settings/email/", views.email_settings, name="settings"),
    path("email/unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
]
