"""Admin helpers shared by the apps."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest


class SingletonAdmin(admin.ModelAdmin):
    """A `core.models.SingletonModel`: added once (the defaults apply until then), never
    deleted."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return super().has_add_permission(request) and not self.model._default_manager.exists()

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
