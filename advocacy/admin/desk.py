"""Admin of the escalation desk: canned responses (managers edit them), and read-only
views of escalations, their history and the verdicts (the desk's services write them)."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest
from django.utils import timezone

from advocacy.models import AnswerVerdict, CannedResponse, Escalation, EscalationEvent
from core import roles


@admin.register(CannedResponse)
class CannedResponseAdmin(admin.ModelAdmin):
    """Managers (superusers) edit the replies agents start official answers from."""

    list_display = ("title", "language", "position", "is_active", "updated_at")
    list_editable = ("position", "is_active")
    list_filter = ("language", "is_active")
    search_fields = ("title", "body")
    fields = ("title", "body", "language", "position", "is_active")

    def _is_manager(self, request: HttpRequest) -> bool:
        return bool(request.user.is_active and roles.is_manager(request.user))

    def has_view_permission(self, request: HttpRequest, obj: CannedResponse | None = None) -> bool:
        return self._is_manager(request)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self._is_manager(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return self._is_manager(request)

    def has_change_permission(
        self, request: HttpRequest, obj: CannedResponse | None = None
    ) -> bool:
        return self._is_manager(request)

    def has_delete_permission(
        self, request: HttpRequest, obj: CannedResponse | None = None
    ) -> bool:
        return self._is_manager(request)

    def save_model(self, request: HttpRequest, obj: CannedResponse, form, change: bool) -> None:  # noqa: ANN001
        obj.updated_at = timezone.now()
        super().save_model(request, obj, form, change)


class _ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


class EscalationEventInline(admin.TabularInline):
    model = EscalationEvent
    fields = ("created_at", "kind", "actor", "data")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(Escalation)
class EscalationAdmin(_ReadOnly):
    """Read-only: work cases on the desk (/desk/), where every act is audited."""

    list_display = ("pk", "question", "status", "priority", "source", "assignee", "resolve_due_at")
    list_filter = ("status", "priority", "source")
    search_fields = ("question__title", "reason", "resolution")
    date_hierarchy = "created_at"
    raw_id_fields = ("question", "created_by", "assignee")
    inlines = [EscalationEventInline]


@admin.register(AnswerVerdict)
class AnswerVerdictAdmin(_ReadOnly):
    list_display = ("answer", "author", "verdict", "judged_by", "judged_at")
    list_filter = ("verdict",)
    raw_id_fields = ("answer", "author", "escalation", "judged_by")
