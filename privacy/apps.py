from django.apps import AppConfig


class PrivacyConfig(AppConfig):
    """No models: an app so that the admin finds `privacy/admin.py` (the member admin
    whose delete erases)."""

    name = "privacy"
