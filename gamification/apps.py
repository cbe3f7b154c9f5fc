from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GamificationConfig(AppConfig):
    name = "gamification"
    verbose_name = _("Gamification")

    def ready(self) -> None:
        from core import privileges
        from gamification import handlers, rules

        handlers.register()  # the ledger and badges answer the forum's domain events
        privileges.set_thresholds_source(lambda: rules.tuning().privileges)
