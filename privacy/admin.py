"""The admin's "delete member" erases instead (the authors of posts are PROTECTed, so a
real delete failed with ProtectedError): same service as the member's own erasure.

The forum registers the member admin (`forum.admin.UserAdmin`); this module replaces that
registration with `ErasingUserAdmin`, the same admin whose delete erases."""

from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from forum.admin import UserAdmin
from forum.models import User
from privacy.erasure import erase_member


class ErasingUserAdminMixin:
    """For the member admin: delete (one, or "delete selected") erases the accounts, and
    an "Erase selected members" action does the same without the confirmation page."""

    actions = ["erase_members"]

    def get_deleted_objects(self, objs, request):  # noqa: ANN001, ANN201
        # Nothing is deleted and nothing protected blocks it: list what is erased.
        names = [
            _("%(name)s (erased; posts kept under “Deleted member”)") % {"name": o} for o in objs
        ]
        return names, {User._meta.verbose_name_plural: len(names)}, set(), []

    def delete_model(self, request: HttpRequest, obj: User) -> None:
        erase_member(actor=request.user, member=obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        for member in queryset:
            erase_member(actor=request.user, member=member)

    @admin.action(
        description=gettext_lazy("Erase selected members (posts kept under a neutral name)"),
        permissions=["delete"],
    )
    def erase_members(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        count = 0
        for member in queryset:
            if not member.is_erased:
                erase_member(actor=request.user, member=member)
                count += 1
        self.message_user(
            request,
            ngettext("%(count)d member erased.", "%(count)d members erased.", count)
            % {"count": count},
            messages.SUCCESS,
        )


# forum.admin (imported above) registered the member admin first: take it over.
admin.site.unregister(User)


@admin.register(User)
class ErasingUserAdmin(ErasingUserAdminMixin, UserAdmin):
    """The forum's member admin, whose delete erases (see ErasingUserAdminMixin)."""
