"""Admin helpers shared by the apps, and the periodic jobs (read-only; a manager may pause
one)."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from core.models import PeriodicJob


class SingletonAdmin(admin.ModelAdmin):
    """A `core.models.SingletonModel`: added once (the defaults apply until then), never
    deleted."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return super().has_add_permission(request) and not self.model._default_manager.exists()

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(PeriodicJob)
class PeriodicJobAdmin(admin.ModelAdmin):
    list_display = ("name", "schedule", "next_run_at", "last_enqueued_at", "enabled")
    list_editable = ("enabled",)
    readonly_fields = ("name", "schedule", "next_run_at", "last_enqueued_at", "last_task_id")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # jobs are registered by the code (core.periodic)
