"""The database backlog of the live streams (`live.backlog`, when Redis is not used).

The tables were created by the forum app's migration 0003 and keep their names; the
models moved here with state-only migrations (forum 0005, live 0001).
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone


class LiveStream(models.Model):
    """The last event id handed out on one live stream (database backlog only).

    Kept apart from the events so ids keep increasing after old events are trimmed.
    """

    name = models.CharField(max_length=100, primary_key=True)
    last_id = models.PositiveBigIntegerField(default=0)

    class Meta:
        db_table = "forum_livestream"  # created by the forum app before live/ was its own

    def __str__(self) -> str:
        return f"{self.name} @ {self.last_id}"


class LiveEvent(models.Model):
    """One encoded event frame of a live stream, kept for catch-up (`live.backlog`)."""

    stream = models.CharField(max_length=100)
    seq = models.PositiveBigIntegerField()
    frame = models.TextField()
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        db_table = "forum_liveevent"  # created by the forum app before live/ was its own
        constraints = [
            models.UniqueConstraint(fields=["stream", "seq"], name="one_live_event_per_id")
        ]

    def __str__(self) -> str:
        return f"{self.stream} #{self.seq}"
