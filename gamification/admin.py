"""The community manager's knobs: point rules, cap and floor, privilege thresholds.

The ledger is shown read-only: points change only through the services.
"""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from core.admin import SingletonAdmin
from gamification import rules, services
from gamification.models import (
    Badge,
    BadgeAward,
    PointEvent,
    PointRule,
    PointSettings,
    PrivilegeThreshold,
    Rank,
)


class TuningAdmin(admin.ModelAdmin):
    """Rows keyed by the code: editable, never added or deleted by hand."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:  # noqa: ANN001
        return False

    def save_model(self, request, obj, form, change) -> None:  # noqa: ANN001
        super().save_model(request, obj, form, change)
        rules.clear_cache()


@admin.register(PointRule)
class PointRuleAdmin(TuningAdmin):
    list_display = ("label", "key", "delta", "enabled", "capped")
    list_editable = ("delta", "enabled", "capped")
    readonly_fields = ("key",)
    fields = ("key", "delta", "enabled", "capped")

    def changelist_view(self, request, extra_context=None):  # noqa: ANN001, ANN201
        response = super().changelist_view(request, extra_context)
        if request.method == "POST":
            rules.clear_cache()  # list_editable saves go through the formset
        return response


@admin.register(PrivilegeThreshold)
class PrivilegeThresholdAdmin(TuningAdmin):
    list_display = ("label", "key", "reputation")
    list_editable = ("reputation",)
    readonly_fields = ("key",)
    fields = ("key", "reputation")

    def changelist_view(self, request, extra_context=None):  # noqa: ANN001, ANN201
        response = super().changelist_view(request, extra_context)
        if request.method == "POST":
            rules.clear_cache()
        return response


@admin.register(PointSettings)
class PointSettingsAdmin(SingletonAdmin):
    list_display = ("__str__", "daily_vote_cap", "reputation_floor", "serial_vote_limit")

    def save_model(self, request, obj, form, change) -> None:  # noqa: ANN001
        # Through the service: a new floor must recompute every cached reputation.
        services.update_point_settings(
            actor=request.user,
            daily_vote_cap=obj.daily_vote_cap,
            reputation_floor=obj.reputation_floor,
            serial_vote_limit=obj.serial_vote_limit,
        )


@admin.register(PointEvent)
class PointEventAdmin(admin.ModelAdmin):
    list_display = (
        "created_at",
        "recipient",
        "rule",
        "delta",
        "points",
        "actor",
        "note",
        "reversal_of",
    )
    list_filter = ("rule", "note")
    search_fields = ("recipient__username",)
    raw_id_fields = ("recipient", "actor", "question", "answer", "reversal_of")
    list_select_related = ("recipient", "actor")
    date_hierarchy = "created_at"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:  # noqa: ANN001
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:  # noqa: ANN001
        return False


@admin.register(Badge)
class BadgeAdmin(TuningAdmin):
    list_display = ("__str__", "key", "enabled", "threshold")
    list_editable = ("enabled", "threshold")
    readonly_fields = ("key",)
    fields = ("key", "enabled", "threshold")

    def changelist_view(self, request, extra_context=None):  # noqa: ANN001, ANN201
        response = super().changelist_view(request, extra_context)
        if request.method == "POST":
            rules.clear_cache()
        return response


@admin.register(Rank)
class RankAdmin(admin.ModelAdmin):
    list_display = ("name", "name_it", "reputation")
    ordering = ("reputation",)

    def save_model(self, request, obj, form, change) -> None:  # noqa: ANN001
        super().save_model(request, obj, form, change)
        rules.clear_cache()

    def delete_model(self, request, obj) -> None:  # noqa: ANN001
        super().delete_model(request, obj)
        rules.clear_cache()

    def delete_queryset(self, request, queryset) -> None:  # noqa: ANN001
        super().delete_queryset(request, queryset)
        rules.clear_cache()


@admin.register(BadgeAward)
class BadgeAwardAdmin(admin.ModelAdmin):
    list_display = ("awarded_at", "member", "badge", "scope", "tier")
    list_filter = ("badge", "tier")
    search_fields = ("member__username",)
    list_select_related = ("member",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:  # noqa: ANN001
        return False


# Fair play: the thresholds and the cases.
from gamification.fairplay import admin as _fairplay_admin  # noqa: E402, F401

# Rewards (payback): the catalogue, redemptions and the rewards ledger.
from gamification.rewards import admin as _rewards_admin  # noqa: E402, F401
