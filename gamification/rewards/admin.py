"""The community manager edits the catalogue; balances, redemptions and the rewards ledger
are shown read-only (they change only through the services: redeem, approve, refuse)."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from gamification.rewards.models import Redemption, Reward, RewardEntry


@admin.register(Reward)
class RewardAdmin(admin.ModelAdmin):
    list_display = ("name", "name_it", "cost", "stock", "active", "position")
    list_editable = ("cost", "stock", "active", "position")
    list_filter = ("active",)
    search_fields = ("name", "name_it")
    fields = (
        "name",
        "name_it",
        "description",
        "description_it",
        "cost",
        "stock",
        "active",
        "position",
    )

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:  # noqa: ANN001
        # A redeemed reward stays for the record (PROTECT); withdraw it with "offered".
        if obj is not None and obj.redemptions.exists():
            return False
        return super().has_delete_permission(request, obj)


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:  # noqa: ANN001
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:  # noqa: ANN001
        return False


@admin.register(Redemption)
class RedemptionAdmin(ReadOnlyAdmin):
    list_display = ("reward", "member", "cost", "status", "created_at", "decided_by", "reason")
    list_filter = ("status", "reward")
    list_select_related = ("reward", "member", "decided_by")
    search_fields = ("member__username", "reward__name")
    date_hierarchy = "created_at"


@admin.register(RewardEntry)
class RewardEntryAdmin(ReadOnlyAdmin):
    list_display = ("member", "kind", "points", "point_event", "redemption", "created_at")
    list_filter = ("kind",)
    list_select_related = ("member",)
    search_fields = ("member__username",)
    raw_id_fields = ("member", "point_event", "redemption")
