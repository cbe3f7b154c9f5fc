"""The models every app shares.

- `SingletonModel`: one abstract base for every "the manager tunes it in the admin"
  settings model (point settings, fair play, moderation, SLA, the programme's and the
  community's rules). The row is pk 1, held by a check constraint; reads never write it:
  `load()` returns the saved row or, until the manager saves one, an unsaved row with the
  field defaults.
"""

from __future__ import annotations

from typing import Self

from django.db import models

SINGLETON_PK = 1


class SingletonModel(models.Model):
    class Meta:
        abstract = True
        constraints = [
            models.CheckConstraint(
                condition=models.Q(pk=SINGLETON_PK), name="%(app_label)s_%(class)s_single_row"
            ),
        ]

    def save(self, *args: object, **kwargs: object) -> None:
        self.pk = SINGLETON_PK
        super().save(*args, **kwargs)

    @classmethod
    def load(cls, *related: str) -> Self:
        """The saved row (with `related` foreign keys joined), else the defaults, unsaved."""
        rows = cls._default_manager.filter(pk=SINGLETON_PK)
        if related:
            rows = rows.select_related(*related)
        return rows.first() or cls(pk=SINGLETON_PK)

    @classmethod
    def load_for_update(cls) -> Self:
        """The row, created with the defaults if missing, locked until the caller's
        transaction ends (precondition: inside `transaction.atomic()`)."""
        row, _created = cls._default_manager.select_for_update().get_or_create(pk=SINGLETON_PK)
        return row
