"""CRM attributes the company keeps about its customers, imported from CSV.

A `CrmRecord` is one customer of the CRM: its `external_id` (the CRM's key, unique when
given) and/or e-mail, the member it is linked to (by e-mail, when one matches), and its
attributes as a flat {name: text} dict. Written only by `advocacy.crm.import_crm_csv`;
read by `advocacy.crm.crm_attributes_for` (the desk's customer 360 panel).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

EXTERNAL_ID_MAX_LENGTH = 100


class CrmRecord(models.Model):
    external_id = models.CharField(
        _("external id"), max_length=EXTERNAL_ID_MAX_LENGTH, blank=True, default=""
    )
    email = models.CharField(_("e-mail"), max_length=254, blank=True, default="", db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="crm_records",
        verbose_name=_("member"),
    )
    attributes = models.JSONField(_("attributes"), default=dict, blank=True)
    imported_at = models.DateTimeField(_("first imported"), default=timezone.now)
    updated_at = models.DateTimeField(_("last imported"), default=timezone.now)

    class Meta:
        ordering = ["-updated_at", "-pk"]
        verbose_name = _("CRM record")
        verbose_name_plural = _("CRM records")
        constraints = [
            models.UniqueConstraint(
                fields=["external_id"],
                condition=~Q(external_id=""),
                name="crm_record_external_id_unique",
            ),
            # Without an external id, the e-mail is the key.
            models.UniqueConstraint(
                fields=["email"], condition=Q(external_id=""), name="crm_record_email_unique"
            ),
            models.CheckConstraint(
                condition=~Q(external_id="") | ~Q(email=""), name="crm_record_has_key"
            ),
        ]

    def __str__(self) -> str:
        return self.external_id or self.email
