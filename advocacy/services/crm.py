"""The CRM import's writes: all rows of a valid file in one transaction, or nothing."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from advocacy.crm import members_by_email, parse_crm_csv
from advocacy.models import CrmRecord
from forum.models import User


@dataclass(frozen=True)
class ImportReport:
    rows: int
    created: int
    updated: int
    linked: int  # rows whose record is linked to a member
    dry_run: bool


def check_import_crm(actor: User | None) -> None:
    if actor is None:
        return  # the management command: whoever runs it on the server may
    if not (actor.is_active and actor.has_perm("advocacy.add_crmrecord")):
        raise PermissionDenied(_("Only community managers may import CRM data."))


def import_crm_csv(
    *, actor: User | None, data: bytes, encoding: str = "utf-8", dry_run: bool = False
) -> ImportReport:
    """Import a CRM export (format: `advocacy.crm`). Raises CrmImportError (every
    problem, line by line) and writes nothing when any row is bad; with `dry_run`,
    validates and counts but writes nothing either way. `actor` None is the management
    command; a member must hold the `add_crmrecord` permission (managers do)."""
    check_import_crm(actor)
    parsed = parse_crm_csv(data, encoding=encoding)
    members = members_by_email([row.email for row in parsed.rows])
    now = timezone.now()
    created = updated = linked = 0
    with transaction.atomic():
        by_external = {
            r.external_id: r
            for r in CrmRecord.objects.select_for_update().filter(
                external_id__in=[row.external_id for row in parsed.rows if row.external_id]
            )
        }
        by_email = {
            r.email: r
            for r in CrmRecord.objects.select_for_update().filter(
                external_id="", email__in=[row.email for row in parsed.rows if row.email]
            )
        }
        for row in parsed.rows:
            record = by_external.get(row.external_id) if row.external_id else None
            if record is None and row.email:
                # An e-mail-only record gains the external id the CRM now sends.
                record = by_email.pop(row.email, None)
            member = members.get(row.email) if row.email else None
            if record is None:
                record = CrmRecord(external_id=row.external_id, email=row.email, imported_at=now)
                created += 1
            else:
                updated += 1
                record.external_id = row.external_id or record.external_id
                record.email = row.email or record.email
            attributes = dict(record.attributes or {})
            for name, value in row.attributes.items():
                if value == "":
                    attributes.pop(name, None)
                else:
                    attributes[name] = value
            record.attributes = attributes
            if member is not None:
                record.user = member
            elif row.email:
                record.user = None  # the e-mail changed to one no member has
            linked += record.user_id is not None
            record.updated_at = now
            if not dry_run:
                record.save()
            if record.external_id:
                by_external[record.external_id] = record
        if dry_run:
            transaction.set_rollback(True)
    return ImportReport(
        rows=len(parsed.rows), created=created, updated=updated, linked=linked, dry_run=dry_run
    )
