"""Questions, answers and comments, and the limits on what they hold.

Counters (score, answer_count, comment_count) are denormalised and only ever changed by
the services in `forum.services` with `F()` expressions, inside the transaction that
writes the rows they count; `forum.selectors.counter_drift` checks them.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from taggit.managers import TaggableManager, _TaggableManager

from forum.models.categories import Category

TITLE_MIN_LENGTH = 10
TITLE_MAX_LENGTH = 150
BODY_MIN_LENGTH = 20
BODY_MAX_LENGTH = 30_000
ANSWER_MIN_LENGTH = 10
COMMENT_MIN_LENGTH = 5
COMMENT_MAX_LENGTH = 600
TAGS_MIN = 1
TAGS_MAX = 5
TAG_MAX_LENGTH = 35


class CloseReason(models.TextChoices):
    DUPLICATE = "duplicate", pgettext_lazy("close reason", "Duplicate")
    OFF_TOPIC = "off_topic", pgettext_lazy("close reason", "Off topic")
    NEEDS_DETAILS = "needs_details", pgettext_lazy("close reason", "Needs details or clarity")
    RESOLVED = "resolved", pgettext_lazy("close reason", "Resolved elsewhere")
    OTHER = "other", pgettext_lazy("close reason", "Other")


class PostQuerySet(models.QuerySet):
    def alive(self) -> PostQuerySet:
        return self.filter(deleted_at__isnull=True)


class QuestionTags(_TaggableManager):
    """taggit's manager of a question's tags, but the query of one question's tags is
    built only when it runs.

    Django's prefetch (`prefetch_related("tags")`) asks every fetched question for that
    query only to store the prefetched tags in it; taggit built its filter each time (the
    tagged items, their content type, the object id), some 0.15 ms a question, a tenth of
    the search page (bench P6). The filter is deferred as Django's own related managers
    defer theirs (`_defer_next_filter`): applied the first time the query is needed,
    never when the prefetched rows are there. The same query as taggit's, tested in
    tests/forum/test_question_tags.py."""

    def get_queryset(self, extra_filters=None):  # noqa: ANN001, ANN201
        try:
            return self.instance._prefetched_objects_cache[self.prefetch_cache_name]
        except (AttributeError, KeyError):
            pass
        if self.instance is None or extra_filters:
            return super().get_queryset(extra_filters)
        items = self.through.tag_relname()
        tags = self.through.tag_model().objects.distinct().order_by(*self.ordering)
        tags._defer_next_filter = True
        return tags.filter(
            **{
                f"{items}__content_type__app_label": self.model._meta.app_label,
                f"{items}__content_type__model": self.model._meta.model_name,
                f"{items}__object_id": self.instance.pk,
            }
        )


class Question(models.Model):
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="questions",
        verbose_name=_("author"),
    )
    title = models.CharField(_("title"), max_length=TITLE_MAX_LENGTH)
    body = models.TextField(_("body"), max_length=BODY_MAX_LENGTH)
    body_html = models.TextField(editable=False)
    category = models.ForeignKey(
        Category,
        on_delete=models.PROTECT,
        related_name="questions",
        null=True,
        blank=True,
        verbose_name=_("category"),
    )
    tags = TaggableManager(verbose_name=_("tags"), blank=True, manager=QuestionTags)

    score = models.IntegerField(default=0)
    answer_count = models.PositiveIntegerField(default=0)
    comment_count = models.PositiveIntegerField(default=0)
    view_count = models.PositiveIntegerField(default=0)
    accepted_answer = models.OneToOneField(
        "Answer",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="accepted_for",
    )
    # Set when an advocate or staff member accepted for an absent asker (the community's
    # acceptance: forum.services.accepting); the asker's own acceptance clears it.
    accepted_on_behalf_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    edited_at = models.DateTimeField(null=True, blank=True)
    last_activity_at = models.DateTimeField(default=timezone.now)

    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    close_reason = models.CharField(max_length=20, choices=CloseReason.choices, blank=True)
    close_note = models.CharField(max_length=500, blank=True)
    duplicate_of = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="duplicates"
    )
    locked_at = models.DateTimeField(null=True, blank=True)
    deleted_at = models.DateTimeField(null=True, blank=True)
    # Hidden by moderation (flags over the threshold, a moderator, an "unsafe" verdict):
    # seen only by its author and moderators until someone unhides it.
    hidden_at = models.DateTimeField(null=True, blank=True)
    hidden_reason = models.CharField(max_length=20, blank=True)

    # Maintained by forum.search on PostgreSQL (English + Italian configurations, GIN index
    # added by migration 0002); unused on SQLite, where search falls back to LIKE.
    search_vector = SearchVectorField(null=True, editable=False)

    objects = PostQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        indexes = [
            models.Index(fields=["-last_activity_at"], name="question_active_idx"),
            models.Index(fields=["-score", "-created_at"], name="question_votes_idx"),
            models.Index(
                fields=["-created_at"],
                name="question_unanswered_idx",
                condition=Q(answer_count=0, deleted_at__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("forum:question_detail", kwargs={"pk": self.pk})

    @property
    def is_closed(self) -> bool:
        return self.closed_at is not None

    @property
    def is_locked(self) -> bool:
        return self.locked_at is not None

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None

    @property
    def is_hidden(self) -> bool:
        return self.hidden_at is not None

    @property
    def is_solved(self) -> bool:
        return self.accepted_answer_id is not None


class Answer(models.Model):
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="answers")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="answers"
    )
    body = models.TextField(_("answer"), max_length=BODY_MAX_LENGTH)
    body_html = models.TextField(editable=False)
    score = models.IntegerField(default=0)
    comment_count = models.PositiveIntegerField(default=0)
    # An official answer from support staff (the escalation desk): marked "Staff" and
    # pinned below the question.
    is_official = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)
    edited_at = models.DateTimeField(null=True, blank=True)
    deleted_at = models.DateTimeField(null=True, blank=True)
    # Hidden by moderation (flags over the threshold, a moderator, an "unsafe" verdict):
    # seen only by its author and moderators until someone unhides it.
    hidden_at = models.DateTimeField(null=True, blank=True)
    hidden_reason = models.CharField(max_length=20, blank=True)

    objects = PostQuerySet.as_manager()

    class Meta:
        ordering = ["-score", "created_at"]
        verbose_name = _("answer")
        verbose_name_plural = _("answers")
        indexes = [
            models.Index(fields=["question", "-score", "created_at"]),
            # The community health figures (bench P8): a question's first live answers,
            # and a helper's live answers over time, read from the index alone.
            models.Index(
                fields=["question", "created_at"],
                include=["author"],
                condition=models.Q(deleted_at__isnull=True, hidden_at__isnull=True),
                name="answer_health_idx",
            ),
            models.Index(
                fields=["author", "created_at"],
                include=["question"],
                condition=models.Q(deleted_at__isnull=True, hidden_at__isnull=True),
                name="answer_author_live_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"Answer {self.pk} to {self.question_id}"

    def get_absolute_url(self) -> str:
        return f"{self.question.get_absolute_url()}#answer-{self.pk}"

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None

    @property
    def is_hidden(self) -> bool:
        return self.hidden_at is not None


class Comment(models.Model):
    """A short remark on a question or on an answer (exactly one of the two)."""

    question = models.ForeignKey(
        Question, on_delete=models.CASCADE, null=True, blank=True, related_name="comments"
    )
    answer = models.ForeignKey(
        Answer, on_delete=models.CASCADE, null=True, blank=True, related_name="comments"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="comments"
    )
    body = models.TextField(_("comment"), max_length=COMMENT_MAX_LENGTH)
    body_html = models.TextField(editable=False)
    created_at = models.DateTimeField(default=timezone.now)
    deleted_at = models.DateTimeField(null=True, blank=True)
    # Hidden by moderation (flags over the threshold, a moderator, an "unsafe" verdict):
    # seen only by its author and moderators until someone unhides it.
    hidden_at = models.DateTimeField(null=True, blank=True)
    hidden_reason = models.CharField(max_length=20, blank=True)

    objects = PostQuerySet.as_manager()

    class Meta:
        ordering = ["created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(question__isnull=False, answer__isnull=True)
                | Q(question__isnull=True, answer__isnull=False),
                name="comment_on_exactly_one_post",
            )
        ]

    def __str__(self) -> str:
        return f"Comment {self.pk}"

    @property
    def thread(self) -> Question:
        return self.question if self.question_id else self.answer.question

    @property
    def is_hidden(self) -> bool:
        return self.hidden_at is not None
