"""Admin for CRM records, with the CSV import page (Import CSV on the list)."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from advocacy.crm import ENCODINGS, MAX_FILE_BYTES, CrmImportError
from advocacy.models import CrmRecord
from advocacy.services.crm import import_crm_csv


class CrmImportForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("CSV file"))
    encoding = forms.ChoiceField(
        label=gettext_lazy("Encoding"), choices=list(ENCODINGS.items()), initial="utf-8"
    )
    dry_run = forms.BooleanField(
        label=gettext_lazy("Only check the file (import nothing)"), required=False
    )

    def clean_file(self):  # noqa: ANN201
        upload = self.cleaned_data["file"]
        if upload.size > MAX_FILE_BYTES:
            raise forms.ValidationError(
                _("The file is larger than 5 MB; split it into smaller files.")
            )
        return upload


@admin.register(CrmRecord)
class CrmRecordAdmin(admin.ModelAdmin):
    list_display = ("external_id", "email", "user", "attribute_count", "updated_at")
    search_fields = ("external_id", "email", "user__username")
    raw_id_fields = ("user",)
    readonly_fields = ("imported_at", "updated_at")
    change_list_template = "admin/advocacy/crmrecord/change_list.html"

    @admin.display(description=gettext_lazy("attributes"))
    def attribute_count(self, obj: CrmRecord) -> int:
        return len(obj.attributes or {})

    def get_urls(self):  # noqa: ANN201
        return [
            path(
                "import/",
                self.admin_site.admin_view(self.import_view),
                name="advocacy_crmrecord_import",
            ),
            *super().get_urls(),
        ]

    def import_view(self, request: HttpRequest) -> HttpResponse:
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = CrmImportForm(request.POST or None, request.FILES or None)
        errors: list[str] = []
        status = 200
        if request.method == "POST":
            status = 400
            if form.is_valid():
                upload = form.cleaned_data["file"]
                try:
                    report = import_crm_csv(
                        actor=request.user,
                        data=upload.read(MAX_FILE_BYTES + 1),
                        encoding=form.cleaned_data["encoding"],
                        dry_run=form.cleaned_data["dry_run"],
                    )
                except CrmImportError as exc:
                    errors = exc.errors
                else:
                    text = (
                        _(
                            "The file is valid: %(rows)s rows, %(created)s new, %(updated)s updated, %(linked)s linked to members. Nothing was imported."
                        )
                        if report.dry_run
                        else _(
                            "Imported %(rows)s rows: %(created)s new, %(updated)s updated, %(linked)s linked to members."
                        )
                    )
                    messages.success(request, text % report.__dict__)
                    if report.dry_run:
                        return redirect("admin:advocacy_crmrecord_import")
                    return redirect("admin:advocacy_crmrecord_changelist")
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Import CRM attributes"),
            "form": form,
            "errors": errors,
        }
        return TemplateResponse(
            request, "admin/advocacy/crmrecord/import.html", context, status=status
        )
