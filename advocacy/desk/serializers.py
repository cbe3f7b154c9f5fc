"""The escalation API's serializers (`advocacy.desk.api`, `advocacy.desk.api_more`): the
case, its history and notes, and the request bodies of the desk's acts."""

from __future__ import annotations

from rest_framework import serializers

from advocacy.models import DeskNote, Escalation, EscalationEvent
from advocacy.models.desk import EscalationPriority, EscalationStatus, Verdict
from forum.api.base import MAX_ID
from forum.api.fields import StrictCharField, StrictIntegerField
from forum.api.serializers import AuthorSerializer

MAX_VERDICTS = 100


class EscalatedQuestionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    url = serializers.SerializerMethodField()

    def get_url(self, question) -> str:  # noqa: ANN001
        request = self.context.get("request")
        url = question.get_absolute_url()
        return request.build_absolute_uri(url) if request is not None else url


class EscalationSerializer(serializers.ModelSerializer):
    question = EscalatedQuestionSerializer(read_only=True)
    created_by = AuthorSerializer(read_only=True, allow_null=True)
    assignee = AuthorSerializer(read_only=True, allow_null=True)
    next_due_at = serializers.DateTimeField(
        read_only=True,
        help_text="The due time that matters now: first response until there is one, then "
        "resolution. Both move later by the time spent waiting on the customer.",
    )

    class Meta:
        model = Escalation
        fields = [
            "id",
            "question",
            "status",
            "priority",
            "source",
            "reason",
            "created_by",
            "assignee",
            "created_at",
            "updated_at",
            "first_response_due_at",
            "resolve_due_at",
            "next_due_at",
            "first_response_at",
            "resolved_at",
            "paused_at",
            "paused_seconds",
            "first_response_breached",
            "resolve_breached",
            "resolution",
        ]
        read_only_fields = fields


class EscalationEventSerializer(serializers.ModelSerializer):
    actor = serializers.CharField(source="actor.username", allow_null=True, default=None)
    data = serializers.DictField(
        help_text="What changed: from/to, assignee, answer, verdict, reason, note (an id)."
    )

    class Meta:
        model = EscalationEvent
        fields = ["id", "kind", "actor", "data", "created_at"]
        read_only_fields = fields


class NoteSerializer(serializers.ModelSerializer):
    author = AuthorSerializer(read_only=True)

    class Meta:
        model = DeskNote
        fields = ["id", "author", "body", "created_at"]
        read_only_fields = fields


class EscalationDetailSerializer(EscalationSerializer):
    events = EscalationEventSerializer(many=True, read_only=True)
    notes = NoteSerializer(many=True, read_only=True, help_text="Internal: staff only.")

    class Meta(EscalationSerializer.Meta):
        fields = [*EscalationSerializer.Meta.fields, "events", "notes"]
        read_only_fields = fields


class EscalateRequestSerializer(serializers.Serializer):
    reason = StrictCharField(help_text="Why staff are needed (1 to 1000 characters).")
    priority = serializers.ChoiceField(
        choices=EscalationPriority.choices, default=EscalationPriority.NORMAL
    )


# Named choice sets, so the schema's enums get stable names (SPECTACULAR_SETTINGS).
QUEUE_STATUS_CHOICES = [("active", "active"), *EscalationStatus.choices, ("all", "all")]
SETTABLE_STATUS_CHOICES = [
    (EscalationStatus.IN_PROGRESS.value, EscalationStatus.IN_PROGRESS.label),
    (EscalationStatus.WAITING.value, EscalationStatus.WAITING.label),
]


class EscalationFilterSerializer(serializers.Serializer):
    status = serializers.ChoiceField(
        choices=QUEUE_STATUS_CHOICES,
        required=False,
        help_text="`active` (the default: open, in progress, waiting on customer), one "
        "status, or `all`.",
    )
    assignee = serializers.RegexField(
        r"^(me|none|[0-9]{1,18})$",
        required=False,
        help_text="`me`, `none` (unassigned) or a member's id.",
    )
    priority = serializers.ChoiceField(choices=EscalationPriority.choices, required=False)
    category = serializers.SlugField(required=False, help_text="A category's slug.")


class DeskBodyRequestSerializer(serializers.Serializer):
    body = StrictCharField()


class AssignEscalationRequestSerializer(serializers.Serializer):
    assignee = StrictIntegerField(
        min_value=1, max_value=MAX_ID, allow_null=True, help_text="A staff member's id, or null."
    )


class EscalationStatusRequestSerializer(serializers.Serializer):
    status = serializers.ChoiceField(
        choices=SETTABLE_STATUS_CHOICES,
        help_text="`waiting_on_customer` stops the SLA clocks; `in_progress` restarts them.",
    )


class AnswerVerdictSerializer(serializers.Serializer):
    answer_id = StrictIntegerField(min_value=1, max_value=MAX_ID)
    verdict = serializers.ChoiceField(choices=Verdict.choices)


class ResolveEscalationRequestSerializer(serializers.Serializer):
    resolution = StrictCharField(help_text="The summary (1 to 2000 characters).")
    verdicts = AnswerVerdictSerializer(many=True, required=False, max_length=MAX_VERDICTS)


class DismissEscalationRequestSerializer(serializers.Serializer):
    reason = StrictCharField(help_text="Why there is nothing for staff to do.")
