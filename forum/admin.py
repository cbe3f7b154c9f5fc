from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from forum.models import Answer, Category, Comment, Question, Revision, TagInfo, User
from forum.views import list_cache


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    # privacy.admin replaces this registration with ErasingUserAdmin (delete erases).
    fieldsets = (
        *BaseUserAdmin.fieldsets,
        (_("Profile"), {"fields": ("display_name", "bio", "locale", "avatar", "reputation")}),
    )
    readonly_fields = ("reputation",)
    list_display = ("username", "email", "display_name", "reputation", "is_staff", "date_joined")


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ("name", "name_it", "slug", "position")
    prepopulated_fields = {"slug": ("name",)}

    # Anonymous list pages show each question's category and leave out private ones; a
    # change here publishes no event, so every stored list page is made due at once.
    def save_model(self, request, obj, form, change) -> None:  # noqa: ANN001
        super().save_model(request, obj, form, change)
        list_cache.bump_list_version()

    def delete_model(self, request, obj) -> None:  # noqa: ANN001
        super().delete_model(request, obj)
        list_cache.bump_list_version()

    def delete_queryset(self, request, queryset) -> None:  # noqa: ANN001
        super().delete_queryset(request, queryset)
        list_cache.bump_list_version()


class RevisionInline(admin.TabularInline):
    model = Revision
    extra = 0
    can_delete = False
    readonly_fields = ("number", "author", "title", "body", "tags", "summary", "created_at")
    fk_name = "question"


@admin.register(Question)
class QuestionAdmin(admin.ModelAdmin):
    list_display = ("title", "author", "category", "score", "answer_count", "created_at")
    list_filter = ("category", "closed_at", "deleted_at")
    search_fields = ("title",)
    raw_id_fields = ("author", "accepted_answer", "duplicate_of", "closed_by")
    readonly_fields = ("score", "answer_count", "comment_count", "body_html")
    inlines = [RevisionInline]

    def has_add_permission(self, request) -> bool:  # noqa: ANN001 - posts go through the site
        return False


@admin.register(Answer)
class AnswerAdmin(admin.ModelAdmin):
    list_display = ("pk", "question", "author", "score", "created_at")
    raw_id_fields = ("question", "author")
    readonly_fields = ("score", "comment_count", "body_html")

    def has_add_permission(self, request) -> bool:  # noqa: ANN001
        return False


@admin.register(Comment)
class CommentAdmin(admin.ModelAdmin):
    list_display = ("pk", "author", "created_at")
    raw_id_fields = ("question", "answer", "author")
    readonly_fields = ("body_html",)

    def has_add_permission(self, request) -> bool:  # noqa: ANN001
        return False


@admin.register(TagInfo)
class TagInfoAdmin(admin.ModelAdmin):
    list_display = ("tag", "description", "description_it")
    search_fields = ("tag__name", "description", "description_it")
    autocomplete_fields = ("tag",)
