from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IntegrationsConfig(AppConfig):
    """What leaves the site for other systems: Atom feeds and signed webhooks."""

    name = "integrations"
    verbose_name = _("Integrations")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from integrations import handlers, tasks

        handlers.register()  # webhooks announce the forum's domain events
        tasks.register()  # the periodic jobs: retry due deliveries, prune old ones
