"""Admin of the advocate programme and community self-moderation: the manager tunes the
eligibility rules and the close/reopen vote counts (one row each); votes and suggestions
are read-only records (the services write them)."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from advocacy.models import AdvocateRules, CloseVote, CommunityRules, EditSuggestion
from core.admin import SingletonAdmin


@admin.register(AdvocateRules)
class AdvocateRulesAdmin(SingletonAdmin):
    list_display = (
        "__str__",
        "min_reputation",
        "min_accepted_answers",
        "min_account_age_days",
        "clean_record_days",
        "min_verdict_accuracy",
        "updated_at",
    )
    readonly_fields = ("updated_at",)


@admin.register(CommunityRules)
class CommunityRulesAdmin(SingletonAdmin):
    list_display = ("__str__", "close_votes_needed", "reopen_votes_needed")


class _ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(CloseVote)
class CloseVoteAdmin(_ReadOnlyAdmin):
    list_display = ("question", "voter", "kind", "reason", "created_at", "settled_at")
    list_filter = ("kind", "reason")
    raw_id_fields = ("question", "voter", "duplicate_of")


@admin.register(EditSuggestion)
class EditSuggestionAdmin(_ReadOnlyAdmin):
    list_display = ("__str__", "author", "status", "reviewer", "created_at", "reviewed_at")
    list_filter = ("status",)
    raw_id_fields = ("question", "answer", "author", "reviewer", "category")
