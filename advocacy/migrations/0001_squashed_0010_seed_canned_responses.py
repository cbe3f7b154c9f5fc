"""The advocacy app's migrations 0001-0010 in one: the schema they left (the e-mail models
still here, until 0011 hands them to the notifications app), then the seeded defaults.
0011 and 0012 follow as they are."""

from importlib import import_module

import django.core.validators
import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


def _replaced(app, name):
    """A replaced migration module, for its data functions (run on the squashed schema)."""
    return import_module(f"{app}.migrations.{name}")


class Migration(migrations.Migration):
    initial = True

    replaces = [
        ("advocacy", "0001_audit_log"),
        ("advocacy", "0002_flags_queue_canned_reasons"),
        ("advocacy", "0003_seed_moderation_defaults"),
        ("advocacy", "0004_escalation_desk"),
        ("advocacy", "0005_programme_and_community_moderation"),
        ("advocacy", "0006_seed_advocates_lounge"),
        ("advocacy", "0007_sla_email_crm_periodic_jobs"),
        ("advocacy", "0008_seed_sla_defaults"),
        ("advocacy", "0009_flag_on_comment_of_answer"),
        ("advocacy", "0010_seed_canned_responses"),
    ]

    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("forum", "0004_moderation_advocacy_desk_fields"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="CannedReason",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("title", models.CharField(max_length=80, verbose_name="title")),
                ("text", models.CharField(max_length=500, verbose_name="text")),
                (
                    "text_it",
                    models.CharField(blank=True, max_length=500, verbose_name="text (Italian)"),
                ),
                (
                    "use",
                    models.CharField(
                        choices=[
                            ("any", "any act"),
                            ("flag", "resolving flags"),
                            ("close", "closing"),
                            ("hide", "hiding"),
                            ("suspend", "suspending"),
                        ],
                        default="any",
                        max_length=10,
                        verbose_name="used for",
                    ),
                ),
                ("position", models.PositiveSmallIntegerField(default=0, verbose_name="position")),
                ("is_active", models.BooleanField(default=True, verbose_name="offered")),
            ],
            options={
                "verbose_name": "canned reason",
                "verbose_name_plural": "canned reasons",
                "ordering": ["position", "title"],
            },
        ),
        migrations.CreateModel(
            name="CannedResponse",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("title", models.CharField(max_length=100, verbose_name="title")),
                ("body", models.TextField(max_length=5000, verbose_name="text")),
                (
                    "language",
                    models.CharField(
                        blank=True,
                        choices=[("en", "English"), ("it", "Italian")],
                        help_text="Offered to agents working in this language; empty for all.",
                        max_length=8,
                        verbose_name="language",
                    ),
                ),
                ("position", models.PositiveSmallIntegerField(default=0, verbose_name="position")),
                ("is_active", models.BooleanField(default=True, verbose_name="offered")),
                (
                    "updated_at",
                    models.DateTimeField(default=django.utils.timezone.now, verbose_name="updated"),
                ),
            ],
            options={
                "verbose_name": "canned response",
                "verbose_name_plural": "canned responses",
                "ordering": ["position", "title", "pk"],
            },
        ),
        migrations.CreateModel(
            name="ModerationSettings",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "auto_hide_threshold",
                    models.PositiveSmallIntegerField(
                        default=3,
                        help_text="Spam or rude flags from this many different members hide a post until a moderator reviews it.",
                        verbose_name="flags that hide a post",
                    ),
                ),
                (
                    "first_posts_days",
                    models.PositiveSmallIntegerField(
                        default=30,
                        help_text="The first-posts queue shows first posts of members from this many days.",
                        verbose_name="first posts reviewed from the last days",
                    ),
                ),
            ],
            options={
                "verbose_name": "moderation settings",
                "verbose_name_plural": "moderation settings",
            },
        ),
        migrations.CreateModel(
            name="PeriodicJob",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("name", models.CharField(max_length=200, unique=True, verbose_name="name")),
                ("schedule", models.CharField(blank=True, max_length=100, verbose_name="schedule")),
                ("next_run_at", models.DateTimeField(db_index=True, verbose_name="next run")),
                (
                    "last_enqueued_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="last enqueued"),
                ),
                (
                    "last_task_id",
                    models.CharField(blank=True, max_length=64, verbose_name="last task id"),
                ),
                ("enabled", models.BooleanField(default=True, verbose_name="enabled")),
            ],
            options={
                "verbose_name": "periodic job",
                "verbose_name_plural": "periodic jobs",
                "ordering": ["name"],
            },
        ),
        migrations.CreateModel(
            name="AdvocateRules",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "min_reputation",
                    models.PositiveIntegerField(default=3000, verbose_name="minimum reputation"),
                ),
                (
                    "min_accepted_answers",
                    models.PositiveIntegerField(
                        default=25, verbose_name="minimum accepted answers"
                    ),
                ),
                (
                    "min_account_age_days",
                    models.PositiveIntegerField(
                        default=60, verbose_name="minimum account age (days)"
                    ),
                ),
                (
                    "clean_record_days",
                    models.PositiveIntegerField(
                        default=90, verbose_name="no suspension in the last (days)"
                    ),
                ),
                (
                    "min_verdict_accuracy",
                    models.PositiveSmallIntegerField(
                        default=80,
                        help_text="Share of the member's answers judged correct by staff on the desk. Members with no judged answers are not held back by it.",
                        validators=[
                            django.core.validators.MinValueValidator(0),
                            django.core.validators.MaxValueValidator(100),
                        ],
                        verbose_name="minimum accuracy of staff verdicts (%)",
                    ),
                ),
                (
                    "updated_at",
                    models.DateTimeField(default=django.utils.timezone.now, verbose_name="updated"),
                ),
            ],
            options={
                "verbose_name": "advocate eligibility rules",
                "verbose_name_plural": "advocate eligibility rules",
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(("pk", 1)), name="one_advocate_rules_row"
                    ),
                    models.CheckConstraint(
                        condition=models.Q(("min_verdict_accuracy__lte", 100)),
                        name="advocate_accuracy_is_a_percentage",
                    ),
                ],
            },
        ),
        migrations.CreateModel(
            name="CommunityRules",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "close_votes_needed",
                    models.PositiveSmallIntegerField(
                        default=3,
                        validators=[
                            django.core.validators.MinValueValidator(1),
                            django.core.validators.MaxValueValidator(20),
                        ],
                        verbose_name="votes to close",
                    ),
                ),
                (
                    "reopen_votes_needed",
                    models.PositiveSmallIntegerField(
                        default=3,
                        validators=[
                            django.core.validators.MinValueValidator(1),
                            django.core.validators.MaxValueValidator(20),
                        ],
                        verbose_name="votes to reopen",
                    ),
                ),
            ],
            options={
                "verbose_name": "community moderation rules",
                "verbose_name_plural": "community moderation rules",
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(("pk", 1)), name="one_community_rules_row"
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            ("close_votes_needed__gte", 1), ("reopen_votes_needed__gte", 1)
                        ),
                        name="community_votes_needed_positive",
                    ),
                ],
            },
        ),
        migrations.CreateModel(
            name="Escalation",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("open", "Open"),
                            ("in_progress", "In progress"),
                            ("waiting_on_customer", "Waiting on customer"),
                            ("resolved", "Resolved"),
                            ("dismissed", "Dismissed"),
                        ],
                        default="open",
                        max_length=20,
                        verbose_name="status",
                    ),
                ),
                (
                    "priority",
                    models.CharField(
                        choices=[
                            ("low", "Low"),
                            ("normal", "Normal"),
                            ("high", "High"),
                            ("urgent", "Urgent"),
                        ],
                        default="normal",
                        max_length=10,
                        verbose_name="priority",
                    ),
                ),
                (
                    "source",
                    models.CharField(
                        choices=[
                            ("advocate", "Advocate or staff"),
                            ("flag", "Flag: needs staff"),
                            ("sla", "SLA rule"),
                        ],
                        default="advocate",
                        max_length=10,
                        verbose_name="source",
                    ),
                ),
                ("reason", models.TextField(max_length=1000, verbose_name="reason")),
                (
                    "created_at",
                    models.DateTimeField(default=django.utils.timezone.now, verbose_name="created"),
                ),
                (
                    "updated_at",
                    models.DateTimeField(default=django.utils.timezone.now, verbose_name="updated"),
                ),
                ("first_response_due_at", models.DateTimeField(verbose_name="first response due")),
                ("resolve_due_at", models.DateTimeField(verbose_name="resolution due")),
                (
                    "first_response_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="first response"),
                ),
                ("resolved_at", models.DateTimeField(blank=True, null=True, verbose_name="closed")),
                (
                    "paused_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="paused since"),
                ),
                (
                    "paused_seconds",
                    models.PositiveIntegerField(default=0, verbose_name="paused in all (seconds)"),
                ),
                (
                    "first_response_breached",
                    models.BooleanField(default=False, verbose_name="first response late"),
                ),
                (
                    "resolve_breached",
                    models.BooleanField(default=False, verbose_name="resolution late"),
                ),
                (
                    "resolution",
                    models.TextField(blank=True, max_length=2000, verbose_name="resolution"),
                ),
                (
                    "assignee",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="escalations_assigned",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="assignee",
                    ),
                ),
                (
                    "created_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="escalations_raised",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="escalated by",
                    ),
                ),
                (
                    "question",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="escalations",
                        to="forum.question",
                        verbose_name="question",
                    ),
                ),
            ],
            options={
                "verbose_name": "escalation",
                "verbose_name_plural": "escalations",
                "ordering": ["resolve_due_at", "pk"],
                "indexes": [
                    models.Index(fields=["status", "resolve_due_at"], name="escalation_queue_idx"),
                    models.Index(fields=["assignee", "status"], name="escalation_assignee_idx"),
                    models.Index(
                        fields=["created_by", "-created_at"], name="escalation_creator_idx"
                    ),
                ],
                "constraints": [
                    models.UniqueConstraint(
                        condition=models.Q(
                            ("status__in", ["open", "in_progress", "waiting_on_customer"])
                        ),
                        fields=("question",),
                        name="one_open_escalation_per_question",
                    )
                ],
            },
        ),
        migrations.CreateModel(
            name="DeskNote",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("body", models.TextField(max_length=5000, verbose_name="note")),
                ("created_at", models.DateTimeField(default=django.utils.timezone.now)),
                (
                    "author",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "escalation",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="notes",
                        to="advocacy.escalation",
                    ),
                ),
            ],
            options={
                "verbose_name": "internal note",
                "verbose_name_plural": "internal notes",
                "ordering": ["created_at", "pk"],
            },
        ),
        migrations.CreateModel(
            name="AnswerVerdict",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "verdict",
                    models.CharField(
                        choices=[
                            ("correct", "Correct"),
                            ("incorrect", "Incorrect"),
                            ("unsafe", "Unsafe"),
                        ],
                        max_length=10,
                        verbose_name="verdict",
                    ),
                ),
                ("judged_at", models.DateTimeField(default=django.utils.timezone.now)),
                (
                    "answer",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="verdict",
                        to="forum.answer",
                    ),
                ),
                (
                    "author",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="answer_verdicts",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "judged_by",
                    models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "escalation",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="verdicts",
                        to="advocacy.escalation",
                    ),
                ),
            ],
            options={
                "verbose_name": "answer verdict",
                "verbose_name_plural": "answer verdicts",
                "indexes": [models.Index(fields=["author", "verdict"], name="verdict_author_idx")],
            },
        ),
        migrations.CreateModel(
            name="EscalationEvent",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "kind",
                    models.CharField(
                        choices=[
                            ("created", "escalated"),
                            ("joined", "escalated again"),
                            ("claimed", "claimed"),
                            ("assigned", "assigned"),
                            ("status", "status changed"),
                            ("priority", "priority changed"),
                            ("note", "internal note"),
                            ("answer", "official answer"),
                            ("verdict", "answer judged"),
                            ("resolved", "resolved"),
                            ("dismissed", "dismissed"),
                            ("breached", "SLA breached"),
                            ("sla", "SLA"),
                        ],
                        max_length=20,
                    ),
                ),
                ("data", models.JSONField(blank=True, default=dict)),
                ("created_at", models.DateTimeField(default=django.utils.timezone.now)),
                (
                    "actor",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "escalation",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="events",
                        to="advocacy.escalation",
                    ),
                ),
            ],
            options={
                "ordering": ["created_at", "pk"],
                "indexes": [
                    models.Index(fields=["escalation", "created_at"], name="escalation_event_idx")
                ],
            },
        ),
        migrations.CreateModel(
            name="FirstPostReview",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("post_key", models.CharField(max_length=40, unique=True)),
                ("outcome", models.CharField(max_length=20)),
                ("reviewed_at", models.DateTimeField(default=django.utils.timezone.now)),
                (
                    "answer",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="forum.answer",
                    ),
                ),
                (
                    "question",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="forum.question",
                    ),
                ),
                (
                    "reviewer",
                    models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "verbose_name": "first-post review",
                "verbose_name_plural": "first-post reviews",
            },
        ),
        migrations.CreateModel(
            name="Flag",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("post_key", models.CharField(editable=False, max_length=40)),
                (
                    "reason",
                    models.CharField(
                        choices=[
                            ("spam", "Spam"),
                            ("rude", "Rude or abusive"),
                            ("off_topic", "Off topic"),
                            ("duplicate", "Duplicate"),
                            ("needs_staff", "Needs staff attention"),
                        ],
                        max_length=20,
                        verbose_name="reason",
                    ),
                ),
                ("note", models.CharField(blank=True, max_length=500, verbose_name="note")),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("open", "open"),
                            ("upheld", "upheld"),
                            ("dismissed", "dismissed"),
                        ],
                        default="open",
                        max_length=10,
                        verbose_name="status",
                    ),
                ),
                (
                    "created_at",
                    models.DateTimeField(
                        default=django.utils.timezone.now, verbose_name="flagged at"
                    ),
                ),
                (
                    "resolved_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="resolved at"),
                ),
                (
                    "resolution",
                    models.CharField(blank=True, max_length=20, verbose_name="resolution"),
                ),
                (
                    "resolution_note",
                    models.CharField(blank=True, max_length=500, verbose_name="resolution note"),
                ),
                (
                    "answer",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="forum.answer",
                    ),
                ),
                (
                    "comment",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="forum.comment",
                    ),
                ),
                (
                    "flagger",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="flags",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="flagged by",
                    ),
                ),
                (
                    "question",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="forum.question",
                        verbose_name="thread",
                    ),
                ),
                (
                    "resolved_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="resolved by",
                    ),
                ),
            ],
            options={
                "verbose_name": "flag",
                "verbose_name_plural": "flags",
                "ordering": ["created_at", "pk"],
                "indexes": [
                    models.Index(
                        condition=models.Q(("status", "open")),
                        fields=["post_key", "created_at"],
                        name="flag_open_idx",
                    )
                ],
                "constraints": [
                    models.UniqueConstraint(
                        condition=models.Q(("status", "open")),
                        fields=("flagger", "post_key"),
                        name="one_open_flag_per_member_per_post",
                    )
                ],
            },
        ),
        migrations.CreateModel(
            name="QueueClaim",
            fields=[
                ("item", models.CharField(max_length=60, primary_key=True, serialize=False)),
                ("claimed_at", models.DateTimeField(default=django.utils.timezone.now)),
                (
                    "moderator",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "verbose_name": "queue claim",
                "verbose_name_plural": "queue claims",
            },
        ),
        migrations.CreateModel(
            name="SlaPolicy",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "priority",
                    models.CharField(
                        choices=[
                            ("low", "Low"),
                            ("normal", "Normal"),
                            ("high", "High"),
                            ("urgent", "Urgent"),
                        ],
                        max_length=10,
                        unique=True,
                        verbose_name="priority",
                    ),
                ),
                (
                    "first_response_minutes",
                    models.PositiveIntegerField(
                        validators=[
                            django.core.validators.MinValueValidator(1),
                            django.core.validators.MaxValueValidator(14400),
                        ],
                        verbose_name="first response within (minutes)",
                    ),
                ),
                (
                    "resolution_minutes",
                    models.PositiveIntegerField(
                        validators=[
                            django.core.validators.MinValueValidator(1),
                            django.core.validators.MaxValueValidator(14400),
                        ],
                        verbose_name="resolution within (minutes)",
                    ),
                ),
                ("updated_at", models.DateTimeField(auto_now=True, verbose_name="updated")),
            ],
            options={
                "verbose_name": "SLA policy",
                "verbose_name_plural": "SLA policies",
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(
                            ("resolution_minutes__gte", models.F("first_response_minutes"))
                        ),
                        name="sla_policy_resolution_after_first_response",
                    )
                ],
            },
        ),
        migrations.CreateModel(
            name="SlaRule",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "action",
                    models.CharField(
                        choices=[
                            ("notify_advocates", "No community answer: alert online advocates"),
                            ("escalate", "Still unsolved: escalate to the desk"),
                        ],
                        max_length=20,
                        verbose_name="step",
                    ),
                ),
                (
                    "after_minutes",
                    models.PositiveIntegerField(
                        validators=[
                            django.core.validators.MinValueValidator(1),
                            django.core.validators.MaxValueValidator(14400),
                        ],
                        verbose_name="after (minutes)",
                    ),
                ),
                (
                    "priority",
                    models.CharField(
                        choices=[
                            ("low", "Low"),
                            ("normal", "Normal"),
                            ("high", "High"),
                            ("urgent", "Urgent"),
                        ],
                        default="normal",
                        help_text="For the escalate step: the priority of the escalation it opens.",
                        max_length=10,
                        verbose_name="escalation priority",
                    ),
                ),
                ("enabled", models.BooleanField(default=True, verbose_name="enabled")),
                (
                    "active_since",
                    models.DateTimeField(
                        default=django.utils.timezone.now,
                        verbose_name="applies to questions asked since",
                    ),
                ),
                (
                    "category",
                    models.ForeignKey(
                        blank=True,
                        help_text="Empty: every category that has no rule of its own for this step.",
                        null=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="forum.category",
                        verbose_name="category",
                    ),
                ),
            ],
            options={
                "verbose_name": "SLA rule",
                "verbose_name_plural": "SLA rules",
                "ordering": ["category__name", "action"],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("category", "action"), name="sla_rule_one_per_category_action"
                    ),
                    models.UniqueConstraint(
                        condition=models.Q(("category__isnull", True)),
                        fields=("action",),
                        name="sla_rule_one_default_per_action",
                    ),
                ],
            },
        ),
        migrations.CreateModel(
            name="SlaRuleFiring",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "action",
                    models.CharField(
                        choices=[
                            ("notify_advocates", "No community answer: alert online advocates"),
                            ("escalate", "Still unsolved: escalate to the desk"),
                        ],
                        max_length=20,
                        verbose_name="step",
                    ),
                ),
                (
                    "fired_at",
                    models.DateTimeField(default=django.utils.timezone.now, verbose_name="fired"),
                ),
                ("data", models.JSONField(blank=True, default=dict)),
                (
                    "question",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="forum.question",
                        verbose_name="question",
                    ),
                ),
            ],
            options={
                "verbose_name": "SLA rule firing",
                "verbose_name_plural": "SLA rule firings",
                "ordering": ["-fired_at", "-pk"],
                "constraints": [
                    models.UniqueConstraint(fields=("question", "action"), name="sla_firing_once")
                ],
            },
        ),
        migrations.CreateModel(
            name="SlaSettings",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "team_lead",
                    models.ForeignKey(
                        blank=True,
                        help_text="Alerted of SLA breaches. Empty: every community manager.",
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="team lead",
                    ),
                ),
            ],
            options={
                "verbose_name": "SLA settings",
                "verbose_name_plural": "SLA settings",
            },
        ),
        migrations.CreateModel(
            name="AuditEntry",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "actor_label",
                    models.CharField(blank=True, max_length=150, verbose_name="actor name"),
                ),
                ("action", models.CharField(max_length=60, verbose_name="action")),
                (
                    "target_id",
                    models.PositiveBigIntegerField(blank=True, null=True, verbose_name="target id"),
                ),
                (
                    "target_label",
                    models.CharField(blank=True, max_length=200, verbose_name="target"),
                ),
                ("before", models.JSONField(blank=True, default=dict, verbose_name="before")),
                ("after", models.JSONField(blank=True, default=dict, verbose_name="after")),
                ("reason", models.TextField(blank=True, max_length=1000, verbose_name="reason")),
                (
                    "created_at",
                    models.DateTimeField(default=django.utils.timezone.now, verbose_name="time"),
                ),
                (
                    "actor",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="actor",
                    ),
                ),
                (
                    "target_type",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="contenttypes.contenttype",
                        verbose_name="target type",
                    ),
                ),
            ],
            options={
                "verbose_name": "audit entry",
                "verbose_name_plural": "audit log",
                "ordering": ["-created_at", "-pk"],
                "indexes": [
                    models.Index(fields=["-created_at", "-id"], name="audit_time_idx"),
                    models.Index(fields=["actor", "-created_at"], name="audit_actor_idx"),
                    models.Index(fields=["action", "-created_at"], name="audit_action_idx"),
                    models.Index(fields=["target_type", "target_id"], name="audit_target_idx"),
                ],
            },
        ),
        migrations.CreateModel(
            name="CloseVote",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "kind",
                    models.CharField(
                        choices=[("close", "close"), ("reopen", "reopen")],
                        max_length=10,
                        verbose_name="kind",
                    ),
                ),
                (
                    "reason",
                    models.CharField(
                        blank=True,
                        choices=[
                            ("duplicate", "Duplicate"),
                            ("off_topic", "Off topic"),
                            ("needs_details", "Needs details or clarity"),
                            ("resolved", "Resolved elsewhere"),
                            ("other", "Other"),
                        ],
                        max_length=20,
                        verbose_name="reason",
                    ),
                ),
                ("note", models.CharField(blank=True, max_length=500, verbose_name="note")),
                (
                    "created_at",
                    models.DateTimeField(default=django.utils.timezone.now, verbose_name="cast"),
                ),
                ("settled_at", models.DateTimeField(blank=True, null=True, verbose_name="settled")),
                (
                    "duplicate_of",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to="forum.question",
                    ),
                ),
                (
                    "question",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="close_votes",
                        to="forum.question",
                        verbose_name="question",
                    ),
                ),
                (
                    "voter",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="close_votes",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="voter",
                    ),
                ),
            ],
            options={
                "verbose_name": "close vote",
                "verbose_name_plural": "close votes",
                "ordering": ["created_at", "pk"],
                "indexes": [
                    models.Index(
                        condition=models.Q(("settled_at__isnull", True)),
                        fields=["question", "kind"],
                        name="close_vote_pending_idx",
                    )
                ],
                "constraints": [
                    models.UniqueConstraint(
                        condition=models.Q(("settled_at__isnull", True)),
                        fields=("question", "voter", "kind"),
                        name="one_pending_close_vote_per_member",
                    )
                ],
            },
        ),
        migrations.CreateModel(
            name="CrmRecord",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "external_id",
                    models.CharField(
                        blank=True, default="", max_length=100, verbose_name="external id"
                    ),
                ),
                (
                    "email",
                    models.CharField(
                        blank=True, db_index=True, default="", max_length=254, verbose_name="e-mail"
                    ),
                ),
                (
                    "attributes",
                    models.JSONField(blank=True, default=dict, verbose_name="attributes"),
                ),
                (
                    "imported_at",
                    models.DateTimeField(
                        default=django.utils.timezone.now, verbose_name="first imported"
                    ),
                ),
                (
                    "updated_at",
                    models.DateTimeField(
                        default=django.utils.timezone.now, verbose_name="last imported"
                    ),
                ),
                (
                    "user",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="crm_records",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="member",
                    ),
                ),
            ],
            options={
                "verbose_name": "CRM record",
                "verbose_name_plural": "CRM records",
                "ordering": ["-updated_at", "-pk"],
                "constraints": [
                    models.UniqueConstraint(
                        condition=models.Q(("external_id", ""), _negated=True),
                        fields=("external_id",),
                        name="crm_record_external_id_unique",
                    ),
                    models.UniqueConstraint(
                        condition=models.Q(("external_id", "")),
                        fields=("email",),
                        name="crm_record_email_unique",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            models.Q(("external_id", ""), _negated=True),
                            models.Q(("email", ""), _negated=True),
                            _connector="OR",
                        ),
                        name="crm_record_has_key",
                    ),
                ],
            },
        ),
        migrations.CreateModel(
            name="EditSuggestion",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("title", models.CharField(blank=True, max_length=150, verbose_name="title")),
                ("body", models.TextField(verbose_name="body")),
                ("tags", models.CharField(blank=True, max_length=250, verbose_name="tags")),
                (
                    "summary",
                    models.CharField(blank=True, max_length=200, verbose_name="edit summary"),
                ),
                ("base_revision", models.PositiveIntegerField(default=1)),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("pending", "pending"),
                            ("approved", "approved"),
                            ("rejected", "rejected"),
                        ],
                        default="pending",
                        max_length=10,
                        verbose_name="status",
                    ),
                ),
                (
                    "review_reason",
                    models.CharField(blank=True, max_length=500, verbose_name="reason"),
                ),
                (
                    "created_at",
                    models.DateTimeField(
                        default=django.utils.timezone.now, verbose_name="suggested"
                    ),
                ),
                (
                    "reviewed_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="reviewed"),
                ),
                (
                    "answer",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="edit_suggestions",
                        to="forum.answer",
                    ),
                ),
                (
                    "author",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="edit_suggestions",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="suggested by",
                    ),
                ),
                (
                    "category",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to="forum.category",
                    ),
                ),
                (
                    "question",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="edit_suggestions",
                        to="forum.question",
                    ),
                ),
                (
                    "reviewer",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="reviewer",
                    ),
                ),
            ],
            options={
                "verbose_name": "edit suggestion",
                "verbose_name_plural": "edit suggestions",
                "ordering": ["created_at", "pk"],
                "indexes": [
                    models.Index(
                        condition=models.Q(("status", "pending")),
                        fields=["created_at"],
                        name="suggestion_pending_idx",
                    )
                ],
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(
                            models.Q(("answer__isnull", True), ("question__isnull", False)),
                            models.Q(("answer__isnull", False), ("question__isnull", True)),
                            _connector="OR",
                        ),
                        name="suggestion_on_exactly_one_post",
                    ),
                    models.UniqueConstraint(
                        condition=models.Q(("question__isnull", False), ("status", "pending")),
                        fields=("question",),
                        name="one_pending_suggestion_per_question",
                    ),
                    models.UniqueConstraint(
                        condition=models.Q(("answer__isnull", False), ("status", "pending")),
                        fields=("answer",),
                        name="one_pending_suggestion_per_answer",
                    ),
                ],
            },
        ),
        migrations.CreateModel(
            name="EmailDigestState",
            fields=[
                (
                    "user",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="+",
                        serialize=False,
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                ("covered_until", models.DateTimeField()),
                ("last_sent_at", models.DateTimeField(blank=True, null=True)),
            ],
            options={
                "verbose_name": "e-mail digest state",
                "verbose_name_plural": "e-mail digest states",
                "db_table": "advocacy_emaildigeststate",
            },
        ),
        migrations.CreateModel(
            name="NotificationEmail",
            fields=[
                (
                    "notification",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="+",
                        serialize=False,
                        to="forum.notification",
                    ),
                ),
                ("sent_at", models.DateTimeField(default=django.utils.timezone.now)),
            ],
            options={
                "verbose_name": "notification e-mail",
                "verbose_name_plural": "notification e-mails",
                "db_table": "advocacy_notificationemail",
            },
        ),
        migrations.CreateModel(
            name="EmailPreference",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "kind",
                    models.CharField(
                        choices=[
                            ("answer", "answer to your question"),
                            ("comment", "comment on your post"),
                            ("mention", "mention"),
                            ("accepted", "your answer was accepted"),
                            ("badge", "badge awarded"),
                            ("reward", "reward redemption"),
                            ("moderation", "moderation"),
                            ("advocate", "advocate programme"),
                            ("escalation", "escalation"),
                            ("sla", "SLA alert"),
                            ("follow", "activity in what you follow"),
                        ],
                        max_length=20,
                        verbose_name="notification",
                    ),
                ),
                (
                    "mode",
                    models.CharField(
                        choices=[
                            ("instant", "Right away"),
                            ("digest", "In the daily digest"),
                            ("off", "Never"),
                        ],
                        max_length=10,
                        verbose_name="e-mail",
                    ),
                ),
                ("updated_at", models.DateTimeField(auto_now=True, verbose_name="updated")),
                (
                    "user",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="email_preferences",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "verbose_name": "e-mail preference",
                "verbose_name_plural": "e-mail preferences",
                "db_table": "advocacy_emailpreference",
                "constraints": [
                    models.UniqueConstraint(fields=("user", "kind"), name="email_preference_once")
                ],
            },
        ),
        # Moderation settings and canned reasons (0003).
        migrations.RunPython(
            _replaced("advocacy", "0003_seed_moderation_defaults").seed, migrations.RunPython.noop
        ),
        # The advocates' lounge (0006).
        migrations.RunPython(
            _replaced("advocacy", "0006_seed_advocates_lounge").create_lounge,
            _replaced("advocacy", "0006_seed_advocates_lounge").remove_lounge,
        ),
        # SLA policies, rules and settings (0008).
        migrations.RunPython(
            _replaced("advocacy", "0008_seed_sla_defaults").seed, migrations.RunPython.noop
        ),
        # Canned responses for the desk (0010).
        migrations.RunPython(
            _replaced("advocacy", "0010_seed_canned_responses").seed,
            _replaced("advocacy", "0010_seed_canned_responses").unseed,
        ),
    ]
