from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "notifications"
    verbose_name = _("Notifications")

    def ready(self) -> None:
        from notifications import handlers, tasks

        handlers.register()  # the bell answers the forum's domain events
        tasks.register()  # the daily digest, a periodic job
