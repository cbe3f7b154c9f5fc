"""Admin of the webhooks (community managers only): endpoints with their delivery log,
"send test event" and "retry" actions. Writes go through `integrations.services`, so
the admin checks URLs against the SSRF guard exactly as the API does."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from core import roles
from integrations import services
from integrations.models import EVENT_TYPES, Delivery, Endpoint


def _is_manager(request: HttpRequest) -> bool:
    return bool(request.user.is_active and roles.is_manager(request.user))


EDITABLE = ("url", "description", "events", "trusted_personal_data", "is_active")


class EndpointForm(forms.ModelForm):
    url = forms.URLField(label=_("URL"), max_length=500, assume_scheme="https")
    events = forms.MultipleChoiceField(
        label=_("Events"),
        choices=[(e, e) for e in EVENT_TYPES],
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = Endpoint
        fields = list(EDITABLE)

    def clean_url(self) -> str:
        try:
            return services.clean_url(self.cleaned_data["url"])
        except ValidationError as exc:
            raise ValidationError(exc.message_dict["url"]) from exc


class DeliveryInline(admin.TabularInline):
    model = Delivery
    fields = ("created_at", "event", "status", "attempts", "response_code", "last_error")
    readonly_fields = fields
    extra = 0
    max_num = 0
    can_delete = False
    show_change_link = True
    ordering = ("-created_at", "-pk")

    def get_queryset(self, request: HttpRequest) -> QuerySet[Delivery]:
        # The newest 20 on the endpoint's page; the whole log is under "webhook deliveries".
        ids = list(super().get_queryset(request).order_by("-pk").values_list("pk", flat=True)[:20])
        return super().get_queryset(request).filter(pk__in=ids)


@admin.register(Endpoint)
class EndpointAdmin(admin.ModelAdmin):
    form = EndpointForm
    list_display = ("url", "description", "is_active", "trusted_personal_data", "created_at")
    list_filter = ("is_active", "trusted_personal_data")
    readonly_fields = ("created_at", "disabled_at", "disabled_reason", "consecutive_failures")
    inlines = [DeliveryInline]
    actions = ["send_test_event"]

    def has_module_permission(self, request: HttpRequest) -> bool:
        return _is_manager(request)

    def has_view_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return _is_manager(request)

    has_add_permission = has_change_permission = has_delete_permission = (
        lambda self, request, obj=None: _is_manager(request)  # noqa: E731
    )

    def save_model(self, request: HttpRequest, obj: Endpoint, form, change: bool) -> None:  # noqa: ANN001
        data = {name: form.cleaned_data[name] for name in EDITABLE if name in form.cleaned_data}
        if change:
            services.update_endpoint(actor=request.user, endpoint=obj, **data)
            obj.refresh_from_db()
            return
        data.pop("is_active", None)
        created = services.create_endpoint(actor=request.user, **data)
        obj.pk = obj.id = created.pk
        obj.secret = created.secret
        messages.warning(
            request,
            _("The signing secret of this endpoint, shown only now: %(secret)s")
            % {"secret": created.secret},
        )

    def delete_model(self, request: HttpRequest, obj: Endpoint) -> None:
        services.delete_endpoint(actor=request.user, endpoint=obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Endpoint]) -> None:
        for endpoint in queryset:
            services.delete_endpoint(actor=request.user, endpoint=endpoint)

    @admin.action(description=_("Send a test event"))
    def send_test_event(self, request: HttpRequest, queryset: QuerySet[Endpoint]) -> None:
        sent = 0
        for endpoint in queryset:
            try:
                services.send_test_event(actor=request.user, endpoint=endpoint)
                sent += 1
            except services.Conflict as exc:
                messages.error(request, f"{endpoint.url}: {exc}")
        if sent:
            messages.success(
                request,
                ngettext("A test event was queued.", "%(n)s test events were queued.", sent)
                % {"n": sent},
            )


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    list_display = (
        "created_at",
        "endpoint",
        "event",
        "status",
        "attempts",
        "response_code",
        "last_error",
        "next_attempt_at",
    )
    list_filter = ("status", "event", "endpoint")
    list_select_related = ("endpoint",)
    readonly_fields = (
        "endpoint",
        "event",
        "message_id",
        "body",
        "status",
        "attempts",
        "response_code",
        "last_error",
        "created_at",
        "last_attempt_at",
        "next_attempt_at",
    )
    fields = readonly_fields
    actions = ["retry"]

    def has_module_permission(self, request: HttpRequest) -> bool:
        return _is_manager(request)

    def has_view_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return _is_manager(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    @admin.action(description=_("Retry the selected deliveries"))
    def retry(self, request: HttpRequest, queryset: QuerySet[Delivery]) -> None:
        queued = 0
        for delivery in queryset:
            try:
                services.retry_delivery(actor=request.user, delivery=delivery)
                queued += 1
            except services.Conflict as exc:
                messages.error(request, f"#{delivery.pk}: {exc}")
        if queued:
            messages.success(
                request,
                ngettext("A retry was queued.", "%(n)s retries were queued.", queued)
                % {"n": queued},
            )
