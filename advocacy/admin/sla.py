"""Admin for the SLA area: the manager edits the per-priority policies, the tiered rules
and the team lead; rule firings are shown read-only."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest
from django.utils import timezone

from advocacy.models import SlaPolicy, SlaRule, SlaRuleFiring, SlaSettings
from core.admin import SingletonAdmin


class _ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(SlaPolicy)
class SlaPolicyAdmin(admin.ModelAdmin):
    list_display = ("priority", "first_response_minutes", "resolution_minutes", "updated_at")
    list_editable = ("first_response_minutes", "resolution_minutes")
    ordering = ("first_response_minutes",)

    def has_delete_permission(self, request: HttpRequest, obj: SlaPolicy | None = None) -> bool:
        return False  # every priority keeps a policy


@admin.register(SlaRule)
class SlaRuleAdmin(admin.ModelAdmin):
    list_display = ("action", "category", "after_minutes", "priority", "enabled", "active_since")
    list_filter = ("action", "enabled")
    list_editable = ("after_minutes", "enabled")
    autocomplete_fields = ()

    def save_model(self, request: HttpRequest, obj: SlaRule, form, change: bool) -> None:  # noqa: ANN001
        # Turning a rule on applies it from now on, not to the whole back catalogue.
        if "enabled" in form.changed_data and obj.enabled:
            obj.active_since = timezone.now()
        super().save_model(request, obj, form, change)


@admin.register(SlaSettings)
class SlaSettingsAdmin(SingletonAdmin):
    list_display = ("__str__", "team_lead")
    raw_id_fields = ("team_lead",)


@admin.register(SlaRuleFiring)
class SlaRuleFiringAdmin(_ReadOnly):
    list_display = ("fired_at", "action", "question")
    list_filter = ("action",)
    raw_id_fields = ("question",)
    date_hierarchy = "fired_at"
