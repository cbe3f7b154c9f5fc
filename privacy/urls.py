from django.urls import path

from privacy import views

app_name = "privacy"

urlpatterns = [
    path("settings/privacy/", views.privacy_settings, name="settings"),
    path("settings/privacy/export.json", views.download_export, name="export"),
]
