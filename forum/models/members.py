"""Members: the custom user model."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# An erased member's username is this and their id ("deleted-42"); nobody may pick it.
ERASED_USERNAME_PREFIX = "deleted-"


class User(AbstractUser):
    """A member of the community. Staff are support agents; superusers are managers."""

    display_name = models.CharField(_("display name"), max_length=50, blank=True)
    bio = models.TextField(_("about me"), max_length=2000, blank=True)
    locale = models.CharField(
        _("language"), max_length=8, blank=True, choices=settings.LANGUAGES, default=""
    )
    avatar = models.ImageField(_("avatar"), upload_to="avatars/", blank=True)
    # Cached sum of the member's point ledger; written only by the points services.
    reputation = models.IntegerField(_("reputation"), default=1)
    # Set and cleared only by the advocate programme (advocacy.services), which audits it.
    is_advocate = models.BooleanField(_("advocate"), default=False)
    # A suspended member cannot post, vote, flag or earn points until this time.
    suspended_until = models.DateTimeField(_("suspended until"), null=True, blank=True)

    class Meta:
        verbose_name = _("member")
        verbose_name_plural = _("members")
        indexes = [
            # The few members the leaderboards leave out (staff, managers, inactive, ever
            # suspended): a member's own position subtracts those ahead (bench P5).
            models.Index(
                fields=["id"],
                condition=models.Q(is_staff=True)
                | models.Q(is_superuser=True)
                | models.Q(is_active=False)
                | models.Q(suspended_until__isnull=False),
                name="user_left_out_idx",
            )
        ]

    def __str__(self) -> str:
        return self.username

    @property
    def name(self) -> str:
        """What people see: the display name, or the username when none is set."""
        if self.is_erased:
            return str(_("Deleted member"))
        return self.display_name or self.username

    @property
    def is_erased(self) -> bool:
        """An account erased at the member's request (privacy.erasure): the row stays so
        their posts and the points ledger stay whole, under a neutral name."""
        # The name first: lists load members with only() and must not fetch is_active.
        return self.username == f"{ERASED_USERNAME_PREFIX}{self.pk}" and not self.is_active

    @property
    def initials(self) -> str:
        # Words that start with a letter or digit only: "Giulia (demo)" -> "G", not "G(".
        words = self.name.replace("_", " ").replace("-", " ").split()
        parts = [p for p in words if p[0].isalnum()]
        letters = "".join(p[0] for p in parts[:2]) or self.username[:1]
        return letters.upper()

    @property
    def avatar_hue(self) -> int:
        """A stable colour for the initials fallback, derived from the user id."""
        return (self.pk or 0) * 47 % 360

    def get_absolute_url(self) -> str:
        return reverse("forum:profile", kwargs={"username": self.username})

    @property
    def is_suspended(self) -> bool:
        return self.suspended_until is not None and self.suspended_until > timezone.now()
