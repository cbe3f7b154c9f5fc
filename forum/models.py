"""Members, questions, answers, comments, votes and revisions.

Counters (score, answer_count, comment_count) are denormalised and only ever changed by
the services in `forum.services` with `F()` expressions, inside the transaction that
writes the rows they count; `forum.selectors.counter_drift` checks them.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language, pgettext_lazy
from django.utils.translation import gettext_lazy as _
from taggit.managers import TaggableManager

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


class CloseReason(models.TextChoices):
    DUPLICATE = "duplicate", pgettext_lazy("close reason", "Duplicate")
    OFF_TOPIC = "off_topic", pgettext_lazy("close reason", "Off topic")
    NEEDS_DETAILS = "needs_details", pgettext_lazy("close reason", "Needs details or clarity")
    RESOLVED = "resolved", pgettext_lazy("close reason", "Resolved elsewhere")
    OTHER = "other", pgettext_lazy("close reason", "Other")


class PostQuerySet(models.QuerySet):
    def alive(self) -> PostQuerySet:
        return self.filter(deleted_at__isnull=True)


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
    tags = TaggableManager(verbose_name=_("tags"), blank=True)

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


class Vote(models.Model):
    """One member's up (+1) or down (-1) vote on a question or an answer.

    Withdrawing a vote deletes the row; the unique constraints make a second vote on the
    same post impossible even when two requests race.
    """

    UP = 1
    DOWN = -1

    voter = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="votes"
    )
    question = models.ForeignKey(
        Question, on_delete=models.CASCADE, null=True, blank=True, related_name="votes"
    )
    answer = models.ForeignKey(
        Answer, on_delete=models.CASCADE, null=True, blank=True, related_name="votes"
    )
    value = models.SmallIntegerField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(question__isnull=False, answer__isnull=True)
                | Q(question__isnull=True, answer__isnull=False),
                name="vote_on_exactly_one_post",
            ),
            models.CheckConstraint(condition=Q(value__in=[1, -1]), name="vote_value_is_one"),
            models.UniqueConstraint(
                fields=["voter", "question"],
                condition=Q(question__isnull=False),
                name="one_vote_per_question",
            ),
            models.UniqueConstraint(
                fields=["voter", "answer"],
                condition=Q(answer__isnull=False),
                name="one_vote_per_answer",
            ),
        ]

    def __str__(self) -> str:
        target = f"question {self.question_id}" if self.question_id else f"answer {self.answer_id}"
        return f"{self.value:+d} on {target} by {self.voter_id}"


class Revision(models.Model):
    """A saved version of a question or answer; number 1 is the original post."""

    question = models.ForeignKey(
        Question, on_delete=models.CASCADE, null=True, blank=True, related_name="revisions"
    )
    answer = models.ForeignKey(
        Answer, on_delete=models.CASCADE, null=True, blank=True, related_name="revisions"
    )
    number = models.PositiveIntegerField()
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    title = models.CharField(max_length=TITLE_MAX_LENGTH, blank=True)
    body = models.TextField()
    tags = models.CharField(max_length=250, blank=True)
    summary = models.CharField(_("edit summary"), max_length=200, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-number"]
        constraints = [
            models.CheckConstraint(
                condition=Q(question__isnull=False, answer__isnull=True)
                | Q(question__isnull=True, answer__isnull=False),
                name="revision_of_exactly_one_post",
            ),
            models.UniqueConstraint(
                fields=["question", "number"],
                condition=Q(question__isnull=False),
                name="unique_question_revision",
            ),
            models.UniqueConstraint(
                fields=["answer", "number"],
                condition=Q(answer__isnull=False),
                name="unique_answer_revision",
            ),
        ]

    def __str__(self) -> str:
        return f"Revision {self.number} of {self.question_id or self.answer_id}"


# Notifications and the live layer's backlog ---------------------------------------------


class Notification(models.Model):
    """Something a member should hear about: written by the forum services, in the same
    transaction as the post or acceptance it reports (never for the member's own action)."""

    class Kind(models.TextChoices):
        ANSWER = "answer", _("answer to your question")
        COMMENT = "comment", _("comment on your post")
        MENTION = "mention", _("mention")
        ACCEPTED = "accepted", _("your answer was accepted")
        BADGE = "badge", _("badge awarded")
        REWARD = "reward", _("reward redemption")
        MODERATION = "moderation", _("moderation")
        ADVOCATE = "advocate", _("advocate programme")
        ESCALATION = "escalation", _("escalation")
        SLA = "sla", _("SLA alert")
        FOLLOW = "follow", _("activity in what you follow")
        COMMUNITY_ACCEPTED = "community_accepted", _("accepted by the community for you")
        ACCEPT_REMINDER = "accept_reminder", _("reminder to accept an answer")
        ROUTED = "routed", _("unanswered question for you")
        WIN_BACK = "win_back", _("questions waiting for your help")
        WELCOME = "welcome", _("welcome")

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    # Empty for what the system itself reports (a badge, an SLA alert).
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    question = models.ForeignKey(
        Question, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    answer = models.ForeignKey(
        Answer, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    comment = models.ForeignKey(
        Comment, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    # Kinds beyond posts carry what their text needs (badge name, reward, reason) here
    # and where the notification leads in `link`.
    data = models.JSONField(default=dict, blank=True)
    link = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        indexes = [
            models.Index(fields=["recipient", "-created_at"], name="notification_recipient_idx"),
            models.Index(
                fields=["recipient"],
                name="notification_unread_idx",
                condition=Q(read_at__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} for {self.recipient_id} on {self.question_id}"


# Follows live in their own module (forum.follows); imported here so Django registers them.
# The deflection counter (signed-out views of solved threads) and tags' descriptions, likewise.
from forum.deflection import SolvedThreadView  # noqa: E402, F401
from forum.follows.models import Follow  # noqa: E402, F401
from forum.tag_info import TagInfo  # noqa: E402, F401
