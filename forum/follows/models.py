"""`Follow`: a member follows exactly one question, tag or category."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

_ONE_TARGET = (
    Q(question__isnull=False, tag__isnull=True, category__isnull=True)
    | Q(question__isnull=True, tag__isnull=False, category__isnull=True)
    | Q(question__isnull=True, tag__isnull=True, category__isnull=False)
)


class Follow(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="follows"
    )
    question = models.ForeignKey(
        "forum.Question", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    tag = models.ForeignKey(
        "taggit.Tag", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    category = models.ForeignKey(
        "forum.Category", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        app_label = "forum"
        ordering = ["-created_at", "-pk"]
        verbose_name = _("follow")
        verbose_name_plural = _("follows")
        constraints = [
            models.CheckConstraint(condition=_ONE_TARGET, name="follow_one_target"),
            models.UniqueConstraint(
                fields=["user", "question"],
                condition=Q(question__isnull=False),
                name="follow_question_once",
            ),
            models.UniqueConstraint(
                fields=["user", "tag"], condition=Q(tag__isnull=False), name="follow_tag_once"
            ),
            models.UniqueConstraint(
                fields=["user", "category"],
                condition=Q(category__isnull=False),
                name="follow_category_once",
            ),
        ]

    def __str__(self) -> str:
        target = self.question_id or self.tag_id or self.category_id
        return f"{self.user_id} follows {target}"
