"""The gamification app's migrations 0001-0013 in one: the final schema, then the seeded
tuning (point rules, settings, privileges, badges, ranks). The data steps of 0009
(rewards backfill), 0012 (score buckets) and 0013 (renamed badge in notifications) have
nothing to work on in a fresh database and are left out."""

from importlib import import_module

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
        ("gamification", "0001_ledger_rules_privileges"),
        ("gamification", "0002_seed_defaults"),
        ("gamification", "0003_reversal_goes_with_its_row"),
        ("gamification", "0004_badges_ranks_leaderboards"),
        ("gamification", "0005_seed_badges_and_ranks"),
        ("gamification", "0006_no_database_links_to_posts"),
        ("gamification", "0007_serial_vote_limit"),
        ("gamification", "0008_rewards_catalogue_balance_ledger"),
        ("gamification", "0009_rewards_backfill_earnings"),
        ("gamification", "0010_flag_upheld_rule"),
        ("gamification", "0011_fair_play_settings_and_cases"),
        ("gamification", "0012_score_buckets"),
        ("gamification", "0013_rename_expert_badge"),
    ]

    dependencies = [
        ("forum", "0007_solved_thread_views"),
        ("taggit", "0006_rename_taggeditem_content_type_object_id_taggit_tagg_content_8fc721_idx"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="Badge",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("key", models.SlugField(max_length=40, unique=True, verbose_name="badge")),
                ("enabled", models.BooleanField(default=True, verbose_name="awarded")),
                (
                    "threshold",
                    models.PositiveIntegerField(
                        blank=True,
                        help_text="The number to reach (score, count, days), for badges that have one.",
                        null=True,
                        verbose_name="threshold",
                    ),
                ),
            ],
            options={
                "verbose_name": "badge",
                "verbose_name_plural": "badges",
                "ordering": ["key"],
            },
        ),
        migrations.CreateModel(
            name="FairPlaySettings",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "ring_vote_limit",
                    models.PositiveIntegerField(
                        default=5,
                        help_text="When members upvote each other (two members both ways, or three in a circle) more than this many times each within the ring window, further upvotes among them count for the score but give no points.",
                        verbose_name="vote ring limit",
                    ),
                ),
                (
                    "ring_window_hours",
                    models.PositiveIntegerField(
                        default=168,
                        help_text="How far back upvotes count toward a vote ring.",
                        verbose_name="vote ring window (hours)",
                    ),
                ),
                (
                    "detect_rings_of_three",
                    models.BooleanField(
                        default=True,
                        help_text="Also look for three members upvoting each other in a circle.",
                        verbose_name="detect rings of three",
                    ),
                ),
                (
                    "new_account_hours",
                    models.PositiveIntegerField(
                        default=24,
                        help_text="Votes from accounts younger than this count for the score but give no points. 0 turns the check off.",
                        verbose_name="new account period (hours)",
                    ),
                ),
                (
                    "require_verified_email",
                    models.BooleanField(
                        default=True,
                        help_text="Votes from members without a verified e-mail address count for the score but give no points. Staff are exempt.",
                        verbose_name="only verified accounts give points",
                    ),
                ),
            ],
            options={
                "verbose_name": "fair play settings",
                "verbose_name_plural": "fair play settings",
            },
        ),
        migrations.CreateModel(
            name="PointRule",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("key", models.SlugField(max_length=40, unique=True, verbose_name="rule")),
                ("delta", models.IntegerField(verbose_name="points")),
                ("enabled", models.BooleanField(default=True, verbose_name="enabled")),
                (
                    "capped",
                    models.BooleanField(
                        default=False,
                        help_text="Gains from this rule count toward the daily limit on vote-derived gains.",
                        verbose_name="counts toward the daily cap",
                    ),
                ),
            ],
            options={
                "verbose_name": "point rule",
                "verbose_name_plural": "point rules",
                "ordering": ["key"],
            },
        ),
        migrations.CreateModel(
            name="PointSettings",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "daily_vote_cap",
                    models.PositiveIntegerField(
                        default=200,
                        help_text="At most this many points a day from upvotes; the rest is recorded as 0.",
                        verbose_name="daily cap on vote-derived gains",
                    ),
                ),
                (
                    "reputation_floor",
                    models.PositiveIntegerField(
                        default=1,
                        help_text="Reputation never shows below this. Changing it recomputes every member.",
                        verbose_name="reputation floor",
                    ),
                ),
                (
                    "serial_vote_limit",
                    models.PositiveIntegerField(
                        default=5,
                        help_text="Votes from one member on more than this many posts of another in 24 hours still count for the score but give or cost no points.",
                        verbose_name="serial voting limit",
                    ),
                ),
            ],
            options={
                "verbose_name": "points settings",
                "verbose_name_plural": "points settings",
            },
        ),
        migrations.CreateModel(
            name="PrivilegeThreshold",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("key", models.SlugField(max_length=40, unique=True, verbose_name="privilege")),
                ("reputation", models.PositiveIntegerField(verbose_name="reputation needed")),
            ],
            options={
                "verbose_name": "privilege threshold",
                "verbose_name_plural": "privilege thresholds",
                "ordering": ["reputation", "key"],
            },
        ),
        migrations.CreateModel(
            name="Rank",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("name", models.CharField(max_length=40, verbose_name="name")),
                (
                    "name_it",
                    models.CharField(blank=True, max_length=40, verbose_name="name (Italian)"),
                ),
                (
                    "reputation",
                    models.PositiveIntegerField(unique=True, verbose_name="from reputation"),
                ),
            ],
            options={
                "verbose_name": "rank",
                "verbose_name_plural": "ranks",
                "ordering": ["reputation"],
            },
        ),
        migrations.CreateModel(
            name="RewardAccount",
            fields=[
                (
                    "member",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="reward_account",
                        serialize=False,
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="member",
                    ),
                ),
                ("balance", models.IntegerField(default=0, verbose_name="balance")),
            ],
            options={
                "verbose_name": "rewards balance",
                "verbose_name_plural": "rewards balances",
            },
        ),
        migrations.CreateModel(
            name="FairPlayCase",
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
                        choices=[("serial", "serial voting"), ("ring", "vote ring")],
                        max_length=10,
                        verbose_name="kind",
                    ),
                ),
                ("signature", models.CharField(max_length=100)),
                (
                    "vote_count",
                    models.PositiveIntegerField(default=0, verbose_name="votes involved"),
                ),
                ("points_reversed", models.IntegerField(default=0, verbose_name="points reversed")),
                (
                    "detected_at",
                    models.DateTimeField(
                        default=django.utils.timezone.now, verbose_name="detected at"
                    ),
                ),
                (
                    "last_seen_at",
                    models.DateTimeField(
                        default=django.utils.timezone.now, verbose_name="last seen at"
                    ),
                ),
                (
                    "status",
                    models.CharField(
                        choices=[("open", "open"), ("reviewed", "reviewed")],
                        default="open",
                        max_length=10,
                        verbose_name="status",
                    ),
                ),
                (
                    "reviewed_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="reviewed at"),
                ),
                (
                    "review_note",
                    models.TextField(blank=True, max_length=2000, verbose_name="review note"),
                ),
                (
                    "reviewed_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="reviewed by",
                    ),
                ),
                (
                    "targets",
                    models.ManyToManyField(
                        related_name="+", to=settings.AUTH_USER_MODEL, verbose_name="targets"
                    ),
                ),
                (
                    "voters",
                    models.ManyToManyField(
                        related_name="+", to=settings.AUTH_USER_MODEL, verbose_name="voters"
                    ),
                ),
            ],
            options={
                "verbose_name": "fair play case",
                "verbose_name_plural": "fair play cases",
                "ordering": ["-detected_at", "-pk"],
                "indexes": [
                    models.Index(fields=["status", "-detected_at"], name="fair_play_case_list_idx")
                ],
                "constraints": [
                    models.UniqueConstraint(
                        condition=models.Q(("status", "open")),
                        fields=("signature",),
                        name="fair_play_one_open_case_per_pattern",
                    )
                ],
            },
        ),
        migrations.CreateModel(
            name="PointEvent",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("rule", models.SlugField(max_length=40, verbose_name="rule")),
                ("delta", models.IntegerField(verbose_name="rule points")),
                ("points", models.IntegerField(verbose_name="points applied")),
                ("capped", models.BooleanField(default=False)),
                ("day", models.DateField(verbose_name="day")),
                ("key", models.CharField(blank=True, max_length=80)),
                ("occurrence", models.PositiveIntegerField(default=1)),
                ("note", models.CharField(blank=True, max_length=200, verbose_name="note")),
                ("created_at", models.DateTimeField(default=django.utils.timezone.now)),
                (
                    "actor",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="caused by",
                    ),
                ),
                (
                    "answer",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to="forum.answer",
                    ),
                ),
                (
                    "question",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to="forum.question",
                    ),
                ),
                (
                    "recipient",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="point_events",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="member",
                    ),
                ),
                (
                    "reversal_of",
                    models.OneToOneField(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="reversed_by",
                        to="gamification.pointevent",
                        verbose_name="reverses",
                    ),
                ),
            ],
            options={
                "verbose_name": "point event",
                "verbose_name_plural": "point events",
                "ordering": ["-created_at", "-pk"],
                "indexes": [
                    models.Index(
                        fields=["recipient", "-created_at"], name="point_event_history_idx"
                    ),
                    models.Index(
                        condition=models.Q(("capped", True)),
                        fields=["recipient", "day"],
                        name="point_event_cap_idx",
                    ),
                ],
                "constraints": [
                    models.UniqueConstraint(
                        condition=models.Q(
                            ("reversal_of__isnull", True), models.Q(("key", ""), _negated=True)
                        ),
                        fields=("key", "rule", "recipient", "occurrence"),
                        name="point_award_once",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            models.Q(("delta__gte", 0), ("points__gte", 0)),
                            models.Q(("delta__lte", 0), ("points__lte", 0)),
                            _connector="OR",
                        ),
                        name="point_event_points_follow_delta",
                    ),
                ],
            },
        ),
        migrations.CreateModel(
            name="FairPlayEvidence",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "case",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="evidence",
                        to="gamification.fairplaycase",
                    ),
                ),
                (
                    "award",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="gamification.pointevent",
                    ),
                ),
                (
                    "reversal",
                    models.OneToOneField(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="gamification.pointevent",
                    ),
                ),
            ],
            options={
                "verbose_name": "fair play evidence",
                "verbose_name_plural": "fair play evidence",
                "ordering": ["award__created_at", "award_id"],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("case", "award"), name="fair_play_award_once_per_case"
                    )
                ],
            },
        ),
        migrations.CreateModel(
            name="Reward",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("name", models.CharField(max_length=80, verbose_name="name")),
                (
                    "name_it",
                    models.CharField(blank=True, max_length=80, verbose_name="name (Italian)"),
                ),
                (
                    "description",
                    models.CharField(blank=True, max_length=300, verbose_name="description"),
                ),
                (
                    "description_it",
                    models.CharField(
                        blank=True, max_length=300, verbose_name="description (Italian)"
                    ),
                ),
                ("cost", models.PositiveIntegerField(verbose_name="cost in points")),
                (
                    "stock",
                    models.PositiveIntegerField(
                        blank=True,
                        help_text="How many are left to redeem; leave empty for no limit.",
                        null=True,
                        verbose_name="stock",
                    ),
                ),
                (
                    "active",
                    models.BooleanField(
                        default=True,
                        help_text="Only offered rewards can be redeemed.",
                        verbose_name="offered",
                    ),
                ),
                ("position", models.PositiveSmallIntegerField(default=0, verbose_name="position")),
                ("created_at", models.DateTimeField(default=django.utils.timezone.now)),
            ],
            options={
                "verbose_name": "reward",
                "verbose_name_plural": "rewards",
                "ordering": ["position", "cost", "pk"],
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(("cost__gte", 1)), name="reward_cost_positive"
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            ("stock__isnull", True), ("stock__gte", 0), _connector="OR"
                        ),
                        name="reward_stock_not_negative",
                    ),
                ],
            },
        ),
        migrations.CreateModel(
            name="Redemption",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("cost", models.PositiveIntegerField(verbose_name="cost in points")),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("pending", "waiting for approval"),
                            ("approved", "approved"),
                            ("refused", "refused"),
                        ],
                        default="pending",
                        max_length=10,
                        verbose_name="status",
                    ),
                ),
                ("request_key", models.CharField(blank=True, max_length=40)),
                ("reason", models.CharField(blank=True, max_length=300, verbose_name="reason")),
                (
                    "decided_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="decided at"),
                ),
                (
                    "created_at",
                    models.DateTimeField(
                        default=django.utils.timezone.now, verbose_name="requested at"
                    ),
                ),
                (
                    "decided_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="decided by",
                    ),
                ),
                (
                    "member",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="redemptions",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="member",
                    ),
                ),
                (
                    "reward",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="redemptions",
                        to="gamification.reward",
                        verbose_name="reward",
                    ),
                ),
            ],
            options={
                "verbose_name": "redemption",
                "verbose_name_plural": "redemptions",
                "ordering": ["-created_at", "-pk"],
                "indexes": [
                    models.Index(
                        condition=models.Q(("status", "pending")),
                        fields=["created_at"],
                        name="redemption_pending_idx",
                    )
                ],
                "constraints": [
                    models.UniqueConstraint(
                        condition=models.Q(("request_key", ""), _negated=True),
                        fields=("member", "request_key"),
                        name="redemption_once_per_request",
                    )
                ],
            },
        ),
        migrations.CreateModel(
            name="RewardEntry",
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
                            ("earned", "earned"),
                            ("taken_back", "taken back"),
                            ("redeemed", "redeemed"),
                            ("refunded", "refunded"),
                        ],
                        max_length=10,
                        verbose_name="kind",
                    ),
                ),
                ("points", models.IntegerField(verbose_name="points")),
                ("created_at", models.DateTimeField(default=django.utils.timezone.now)),
                (
                    "member",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="reward_entries",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="member",
                    ),
                ),
                (
                    "point_event",
                    models.OneToOneField(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="reward_entry",
                        to="gamification.pointevent",
                    ),
                ),
                (
                    "redemption",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="entries",
                        to="gamification.redemption",
                    ),
                ),
            ],
            options={
                "verbose_name": "rewards ledger entry",
                "verbose_name_plural": "rewards ledger entries",
                "ordering": ["-created_at", "-pk"],
                "indexes": [
                    models.Index(fields=["member", "-created_at"], name="reward_entry_member_idx")
                ],
                "constraints": [
                    models.UniqueConstraint(
                        condition=models.Q(("redemption__isnull", False)),
                        fields=("redemption", "kind"),
                        name="reward_entry_once_per_redemption",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            models.Q(("kind__in", ["earned", "refunded"]), ("points__gt", 0)),
                            models.Q(("kind__in", ["taken_back", "redeemed"]), ("points__lt", 0)),
                            _connector="OR",
                        ),
                        name="reward_entry_sign_follows_kind",
                    ),
                ],
            },
        ),
        migrations.CreateModel(
            name="ScoreBucket",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "period",
                    models.CharField(
                        choices=[
                            ("week", "this week"),
                            ("month", "this month"),
                            ("all", "all time"),
                        ],
                        max_length=5,
                    ),
                ),
                ("start", models.DateField()),
                ("tag_id", models.IntegerField(default=0)),
                ("points", models.IntegerField()),
                ("members", models.IntegerField(default=0)),
            ],
            options={
                "verbose_name": "leaderboard score bucket",
                "verbose_name_plural": "leaderboard score buckets",
                "constraints": [
                    models.UniqueConstraint(
                        fields=("period", "start", "tag_id", "points"), name="one_bucket_per_score"
                    )
                ],
            },
        ),
        migrations.CreateModel(
            name="ScoreCounter",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "period",
                    models.CharField(
                        choices=[
                            ("week", "this week"),
                            ("month", "this month"),
                            ("all", "all time"),
                        ],
                        max_length=5,
                    ),
                ),
                ("start", models.DateField()),
                ("tag_id", models.IntegerField(default=0)),
                ("points", models.IntegerField(default=0)),
                (
                    "user",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="score_counters",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "verbose_name": "leaderboard counter",
                "verbose_name_plural": "leaderboard counters",
                "indexes": [
                    models.Index(
                        fields=["period", "start", "tag_id", "-points", "user"],
                        name="leaderboard_idx",
                    )
                ],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("user", "period", "start", "tag_id"), name="one_counter_per_period"
                    )
                ],
            },
        ),
        migrations.CreateModel(
            name="BadgeAward",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("badge", models.SlugField(max_length=40, verbose_name="badge")),
                ("scope", models.CharField(blank=True, max_length=40)),
                (
                    "tier",
                    models.CharField(
                        choices=[("bronze", "bronze"), ("silver", "silver"), ("gold", "gold")],
                        max_length=6,
                    ),
                ),
                ("awarded_at", models.DateTimeField(default=django.utils.timezone.now)),
                (
                    "answer",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to="forum.answer",
                    ),
                ),
                (
                    "member",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="badge_awards",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "question",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to="forum.question",
                    ),
                ),
                (
                    "tag",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to="taggit.tag",
                    ),
                ),
            ],
            options={
                "verbose_name": "badge award",
                "verbose_name_plural": "badge awards",
                "ordering": ["-awarded_at", "-pk"],
                "indexes": [models.Index(fields=["badge"], name="badge_award_badge_idx")],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("member", "badge", "scope"), name="badge_awarded_once_per_scope"
                    )
                ],
            },
        ),
        # Point rules, point settings, privilege thresholds (0002).
        migrations.RunPython(
            _replaced("gamification", "0002_seed_defaults").seed, migrations.RunPython.noop
        ),
        # Badge tuning and default ranks (0005).
        migrations.RunPython(
            _replaced("gamification", "0005_seed_badges_and_ranks").seed, migrations.RunPython.noop
        ),
        # The flag-upheld rule (0010).
        migrations.RunPython(
            _replaced("gamification", "0010_flag_upheld_rule").seed, migrations.RunPython.noop
        ),
    ]
