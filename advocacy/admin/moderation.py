"""Admin of the moderation area: the manager tunes the auto-hide threshold and the canned
reasons; flags are read here (they are resolved in the queue, which audits and pays)."""

from __future__ import annotations

from django.contrib import admin
from django.db import transaction
from django.http import HttpRequest

from advocacy import audit_actions as acts
from advocacy.models import CannedReason, Flag, ModerationSettings
from core import audit, roles
from core.admin import SingletonAdmin


def _is_manager(request: HttpRequest) -> bool:
    return bool(request.user.is_active and roles.is_manager(request.user))


@admin.register(ModerationSettings)
class ModerationSettingsAdmin(SingletonAdmin):
    list_display = ("__str__", "auto_hide_threshold", "first_posts_days")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return _is_manager(request) and super().has_add_permission(request)

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return _is_manager(request)


@admin.register(CannedReason)
class CannedReasonAdmin(admin.ModelAdmin):
    list_display = ("title", "use", "position", "is_active")
    list_editable = ("position", "is_active")
    list_filter = ("use", "is_active")
    search_fields = ("title", "text", "text_it")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return _is_manager(request)

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return _is_manager(request)

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False  # switch it off instead ("offered"): audit rows keep their text

    def save_model(self, request: HttpRequest, obj: CannedReason, form, change: bool) -> None:  # noqa: ANN001
        """Saved with an audit row (the manager, the text before and after)."""
        fields = ("title", "text", "text_it", "use", "position", "is_active")
        before = CannedReason.objects.filter(pk=obj.pk).values(*fields).first() if obj.pk else None
        with transaction.atomic():
            super().save_model(request, obj, form, change)
            audit.record(
                actor=request.user,
                action=acts.CANNED_REASON_SAVE,
                target=obj,
                label=obj.title,
                before=before or {},
                after={f: getattr(obj, f) for f in fields},
            )


@admin.register(Flag)
class FlagAdmin(admin.ModelAdmin):
    """Read-only: resolving goes through the queue (audit row, points, live event)."""

    list_display = ("created_at", "post_key", "reason", "flagger", "status", "resolution")
    list_filter = ("status", "reason")
    search_fields = ("post_key", "flagger__username", "note")
    readonly_fields = [f.name for f in Flag._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
