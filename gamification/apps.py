from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GamificationConfig(AppConfig):
    name = "gamification"
    verbose_name = _("Gamification")

    def ready(self) -> None:
        from django.contrib.auth import get_user_model
        from django.db.models.signals import pre_delete

        from core import privileges
        from gamification import handlers, leaderboards, rules, tasks

        handlers.register()  # the ledger and badges answer the forum's domain events
        privileges.set_thresholds_source(lambda: rules.tuning().privileges)
        tasks.register()  # the fair-play sweep, a periodic job
        # A member erased takes their counters along: out of the boards' score buckets.
        pre_delete.connect(
            leaderboards.forget_member,
            sender=get_user_model(),
            dispatch_uid="leaderboards.forget_member",
        )
