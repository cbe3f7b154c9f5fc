"""The moderation audit log: every moderation act, append-only.

Rows are written only by `core.audit.record`, inside the transaction of the
act they describe, so an act that rolls back leaves no row. Nothing updates or deletes a
row: the model and its queryset refuse it, the admin is read-only and there is no edit
view. Deleting the acting member keeps the row (actor becomes empty, `actor_label` stays).
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

REASON_MAX_LENGTH = 1000
LABEL_MAX_LENGTH = 200


class AuditLogIsAppendOnly(Exception):  # noqa: N818 - reads as "raise AuditLogIsAppendOnly"
    """Raised on any attempt to change or delete an audit row."""


class AuditEntryQuerySet(models.QuerySet):
    def update(self, **kwargs: object) -> int:
        raise AuditLogIsAppendOnly("Audit entries are never updated.")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise AuditLogIsAppendOnly("Audit entries are never deleted.")


class AuditEntry(models.Model):
    """One moderation act: who did what to which target, the state before and after, why.

    `action` is a key of `core.audit.ACTIONS` (e.g. ``post.hide``); it is not a
    database choice, so a new kind of act needs no migration. `target_type`/`target_id`
    point at any row (question, answer, comment, member, flag, escalation, ...);
    `target_label` keeps a readable name that survives the target's deletion.
    """

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("actor"),
    )
    actor_label = models.CharField(_("actor name"), max_length=150, blank=True)
    action = models.CharField(_("action"), max_length=60)
    target_type = models.ForeignKey(
        ContentType,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("target type"),
    )
    target_id = models.PositiveBigIntegerField(_("target id"), null=True, blank=True)
    target_label = models.CharField(_("target"), max_length=LABEL_MAX_LENGTH, blank=True)
    before = models.JSONField(_("before"), default=dict, blank=True)
    after = models.JSONField(_("after"), default=dict, blank=True)
    reason = models.TextField(_("reason"), max_length=REASON_MAX_LENGTH, blank=True)
    created_at = models.DateTimeField(_("time"), default=timezone.now)

    objects = AuditEntryQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit log")
        indexes = [
            models.Index(fields=["-created_at", "-id"], name="audit_time_idx"),
            models.Index(fields=["actor", "-created_at"], name="audit_actor_idx"),
            models.Index(fields=["action", "-created_at"], name="audit_action_idx"),
            models.Index(fields=["target_type", "target_id"], name="audit_target_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.action} by {self.actor_label} on {self.target_label}"

    def save(self, *args: object, **kwargs: object) -> None:
        if not self._state.adding:
            raise AuditLogIsAppendOnly("Audit entries are never updated.")
        super().save(*args, **kwargs)

    def delete(self, *args: object, **kwargs: object) -> tuple[int, dict[str, int]]:
        raise AuditLogIsAppendOnly("Audit entries are never deleted.")

    @property
    def action_label(self) -> str:
        from core.audit import label

        return label(self.action)
