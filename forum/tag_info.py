"""What a tag is about: a short description (English and Italian) shown where tags are
typed (the ask and edit forms' autocomplete, `tag_suggestions` in forum/views/lists.py)
and read by `suggest_tags`, one query whatever the number of tags."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import models
from django.db.models import Case, Count, IntegerField, OuterRef, Q, Subquery, Value, When
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from taggit.models import Tag

if TYPE_CHECKING:
    from forum.models import User

SUGGEST_LIMIT = 8
SUGGEST_MAX_LENGTH = 50


class TagInfo(models.Model):
    tag = models.OneToOneField(Tag, on_delete=models.CASCADE, related_name="info")
    description = models.CharField(_("description"), max_length=200, blank=True)
    description_it = models.CharField(_("description (Italian)"), max_length=200, blank=True)

    class Meta:
        app_label = "forum"
        verbose_name = _("tag description")
        verbose_name_plural = _("tag descriptions")

    def __str__(self) -> str:
        return self.description

    @property
    def display_description(self) -> str:
        """The description in the page's language (Italian when given, else English)."""
        if self.description_it and (get_language() or "").startswith("it"):
            return self.description_it
        return self.description


def suggest_tags(*, text: str, user: User, limit: int = SUGGEST_LIMIT) -> list[Tag]:
    """Tags whose name contains `text` (those starting with it first, then the most used),
    each with `n`, the number of live questions the viewer may see that carry it, and its
    `info` (or None). Tags carried only by questions the viewer may not see (the lounge's,
    hidden ones) are left out, so their names do not leak. One query."""
    from forum import permissions
    from forum.models import Question

    text = text.strip().lower()[:SUGGEST_MAX_LENGTH]
    if not text:
        return []
    live_count = (
        permissions.visible_questions(
            Question.objects.filter(tags=OuterRef("pk"), deleted_at__isnull=True), user
        )
        .order_by()
        .values("tags")
        .annotate(n=Count("pk"))
        .values("n")
    )
    starts = Case(When(name__istartswith=text, then=Value(0)), default=Value(1))
    return list(
        Tag.objects.filter(Q(name__icontains=text) | Q(slug__icontains=text))
        .annotate(n=Subquery(live_count, output_field=IntegerField()), starts=starts)
        .filter(n__gt=0)
        .select_related("info")
        .order_by("starts", "-n", "name")[:limit]
    )
