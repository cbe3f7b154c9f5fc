"""The community manager tunes the fair-play thresholds; cases are read here too, but
reviewed on the staff page (`gamification:fair_play`), through the service."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from core.admin import SingletonAdmin
from gamification.fairplay import detection
from gamification.fairplay.models import FairPlayCase, FairPlaySettings


@admin.register(FairPlaySettings)
class FairPlaySettingsAdmin(SingletonAdmin):
    list_display = (
        "__str__",
        "ring_vote_limit",
        "ring_window_hours",
        "detect_rings_of_three",
        "new_account_hours",
        "require_verified_email",
    )

    def save_model(self, request, obj, form, change) -> None:  # noqa: ANN001
        super().save_model(request, obj, form, change)
        detection.clear_cache()


@admin.register(FairPlayCase)
class FairPlayCaseAdmin(admin.ModelAdmin):
    list_display = (
        "detected_at",
        "kind",
        "signature",
        "vote_count",
        "points_reversed",
        "status",
        "reviewed_by",
    )
    list_filter = ("kind", "status")
    readonly_fields = [f.name for f in FairPlayCase._meta.fields] + ["voters", "targets"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:  # noqa: ANN001
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:  # noqa: ANN001
        return False
