"""Categories: the product areas questions belong to."""

from __future__ import annotations

from django.db import models
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


class Category(models.Model):
    """A product area (billing, network, devices, ...) that questions belong to."""

    name = models.CharField(_("name"), max_length=60, unique=True)
    name_it = models.CharField(_("name (Italian)"), max_length=60, blank=True)
    slug = models.SlugField(_("slug"), max_length=60, unique=True)
    description = models.CharField(_("description"), max_length=300, blank=True)
    description_it = models.CharField(_("description (Italian)"), max_length=300, blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    # The advocates' lounge: only advocates and staff see its questions, anywhere.
    is_private = models.BooleanField(
        _("advocates and staff only"), default=False, help_text=_("The advocates' lounge.")
    )

    class Meta:
        ordering = ["position", "name"]
        verbose_name = _("category")
        verbose_name_plural = _("categories")

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("forum:category", kwargs={"slug": self.slug})

    @property
    def display_description(self) -> str:
        """The description in the page's language (Italian when given, else English)."""
        if self.description_it and (get_language() or "").startswith("it"):
            return self.description_it
        return self.description
