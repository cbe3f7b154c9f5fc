from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AdvocacyConfig(AppConfig):
    name = "advocacy"
    verbose_name = _("Advocacy")

    def ready(self) -> None:
        from advocacy import audit_actions  # noqa: F401 - registers the moderation acts
        from advocacy.models import AuditEntry
        from core import audit

        audit.set_model(AuditEntry)  # the rows of core.audit's log
        from advocacy.desk import live as desk_live
        from advocacy.services import escalations  # noqa: F401 - registers its audit actions

        desk_live.register()  # the staff-only `desk` stream
        from advocacy.moderation import live as moderation_live

        moderation_live.register()  # the `moderation` stream: advocates and staff
        from advocacy.sla import acceptance

        acceptance.register()  # acceptance stops an escalation's SLA clocks
        from advocacy import tasks

        tasks.register()  # the periodic jobs: SLA sweep, digests, automation, pruning
        from advocacy.automation import acceptance as community_acceptance

        community_acceptance.register()  # the community's acceptance in the audit log
        from advocacy.health import facts as health_facts

        health_facts.register()  # the health dashboard's per-question row follows the forum
