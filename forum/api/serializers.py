"""Serializers of the forum API.

Input serializers check the *shape* of a request (types, required keys); the content
rules (lengths, tag syntax, vote values, permissions) live in `forum.validation` and the
services, which every entry point shares. Output serializers read what the selectors
fetched and never query per row, except where a docstring says so.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from forum.api.fields import StrictCharField, StrictIntegerField
from forum.api.personal_data import personal_data_field
from forum.models import Answer, Category, CloseReason, Comment, Question, User
from forum.selectors import ORDERINGS, STATUSES

# Input ---------------------------------------------------------------------------------


class TokenRequestSerializer(serializers.Serializer):
    username = StrictCharField(
        allow_blank=False, max_length=254, help_text="The member's username or e-mail address."
    )
    password = StrictCharField(
        allow_blank=False, max_length=4096, write_only=True, style={"input_type": "password"}
    )


class TokenSerializer(serializers.Serializer):
    token = serializers.CharField(
        help_text="Send it as `Authorization: Token <token>`; the same token until revoked."
    )


class CategorySlugField(serializers.SlugRelatedField):
    default_error_messages = {
        "does_not_exist": _("No category has the slug “{value}”."),
        "invalid": _("A category is given by its slug (text)."),
    }

    def __init__(self, **kwargs: object) -> None:
        super().__init__(slug_field="slug", queryset=Category.objects.all(), **kwargs)

    def to_internal_value(self, data: object) -> Category:
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


class QuestionFilterSerializer(serializers.Serializer):
    """Query parameters of the question list."""

    tag = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=100,
        help_text="A tag, by name (as in `tags`) or slug, e.g. `sim`.",
    )
    category = CategorySlugField(required=False, help_text="A category's slug, e.g. `billing`.")
    status = serializers.ChoiceField(
        choices=STATUSES,
        required=False,
        help_text="unanswered: no answer yet and open; unsolved: no accepted answer and open; "
        "solved: has an accepted answer.",
    )
    q = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=200,
        help_text="Full-text search over titles and bodies; results are ranked by relevance "
        "unless `ordering` is given too.",
    )
    ordering = serializers.ChoiceField(
        choices=list(ORDERINGS),
        required=False,
        help_text="newest (default): by date asked; active: by last activity; votes: by score.",
    )


class AskQuestionSerializer(serializers.Serializer):
    title = StrictCharField(help_text="10 to 150 characters.")
    body = StrictCharField(help_text="Markdown, 20 to 30,000 characters.")
    tags = serializers.ListField(
        child=StrictCharField(), help_text="1 to 5 tags: letters, digits, + # . - (max 35 each)."
    )
    category = CategorySlugField(required=False, allow_null=True)
    personal_data = personal_data_field()


class EditQuestionSerializer(serializers.Serializer):
    """Every field is optional: what is left out keeps its current value."""

    title = StrictCharField(required=False)
    body = StrictCharField(required=False)
    tags = serializers.ListField(child=StrictCharField(), required=False)
    category = CategorySlugField(required=False, allow_null=True)
    summary = StrictCharField(required=False, help_text="What changed (shown in the history).")
    personal_data = personal_data_field()


class BodySerializer(serializers.Serializer):
    body = StrictCharField(help_text="Markdown.")
    personal_data = personal_data_field()


class EditAnswerSerializer(serializers.Serializer):
    body = StrictCharField(help_text="Markdown, 10 to 30,000 characters.")
    summary = StrictCharField(required=False, help_text="What changed (shown in the history).")
    personal_data = personal_data_field()


@extend_schema_field({"type": "integer", "enum": [1, -1, 0]})
class VoteValueField(StrictIntegerField):
    """An integer whose only values are documented: the service refuses any other."""


class VoteRequestSerializer(serializers.Serializer):
    value = VoteValueField(help_text="1 (up), -1 (down) or 0 (withdraw your vote).")


# Output --------------------------------------------------------------------------------


class AbsoluteURLField(serializers.Field):
    """The object's page on the site, as an absolute URL."""

    def __init__(self, **kwargs: object) -> None:
        kwargs["read_only"] = True
        kwargs["source"] = "*"
        super().__init__(**kwargs)

    def to_representation(self, obj: object) -> str:
        url = obj.get_absolute_url()
        request = self.context.get("request")
        return request.build_absolute_uri(url) if request is not None else url


extend_schema_field(OpenApiTypes.URI)(AbsoluteURLField)


class AuthorSerializer(serializers.ModelSerializer):
    display_name = serializers.CharField(
        source="name", read_only=True, help_text="The display name, or the username if none."
    )
    url = AbsoluteURLField(help_text="The member's profile page.")

    class Meta:
        model = User
        fields = ["id", "username", "display_name", "reputation", "url"]
        read_only_fields = fields


def _my_vote(serializer: serializers.Serializer, kind: str, pk: int) -> int:
    return serializer.context.get("my_votes", {}).get((kind, pk), 0)


class CommentSerializer(serializers.ModelSerializer):
    author = AuthorSerializer(read_only=True)

    class Meta:
        model = Comment
        fields = ["id", "author", "body", "body_html", "created_at"]
        read_only_fields = fields


class QuestionSummarySerializer(serializers.ModelSerializer):
    """A question in a list. Reads only what `selectors.question_list` prefetches."""

    author = AuthorSerializer(read_only=True)
    tags = serializers.SerializerMethodField()
    category = serializers.SlugRelatedField(slug_field="slug", read_only=True, allow_null=True)
    accepted_answer_id = serializers.IntegerField(read_only=True, allow_null=True)
    is_closed = serializers.BooleanField(read_only=True)
    url = AbsoluteURLField(help_text="The question's page on the site.")

    class Meta:
        model = Question
        fields = [
            "id",
            "title",
            "author",
            "tags",
            "category",
            "score",
            "answer_count",
            "comment_count",
            "view_count",
            "accepted_answer_id",
            "is_closed",
            "created_at",
            "last_activity_at",
            "url",
        ]
        read_only_fields = fields

    def get_tags(self, obj: Question) -> list[str]:
        # .all() so the prefetched tags are used (names() would query again).
        return sorted(tag.name for tag in obj.tags.all())


class AnswerSerializer(serializers.ModelSerializer):
    author = AuthorSerializer(read_only=True)
    question_id = serializers.IntegerField(read_only=True)
    is_accepted = serializers.SerializerMethodField()
    is_deleted = serializers.BooleanField(read_only=True)
    my_vote = serializers.SerializerMethodField()
    comments = serializers.SerializerMethodField()
    url = AbsoluteURLField(help_text="The answer on the question's page.")

    class Meta:
        model = Answer
        fields = [
            "id",
            "question_id",
            "author",
            "body",
            "body_html",
            "score",
            "is_accepted",
            "my_vote",
            "comment_count",
            "created_at",
            "edited_at",
            "is_deleted",
            "url",
            "comments",
        ]
        read_only_fields = fields

    def get_is_accepted(self, obj: Answer) -> bool:
        return obj.question.accepted_answer_id == obj.pk

    def get_my_vote(self, obj: Answer) -> int:
        """The requesting member's vote on this answer: 1, -1, or 0 for none."""
        return _my_vote(self, "answer", obj.pk)

    @extend_schema_field(CommentSerializer(many=True))
    def get_comments(self, obj: Answer) -> list[dict]:
        comments = getattr(obj, "visible_comment_list", None)
        if comments is None:
            comments = self.context.get("comments", {}).get(obj.pk, [])
        return CommentSerializer(comments, many=True, context=self.context).data


class QuestionDetailSerializer(QuestionSummarySerializer):
    """A question with its thread; the context holds the `selectors.Thread`."""

    is_locked = serializers.BooleanField(read_only=True)
    is_deleted = serializers.BooleanField(read_only=True)
    duplicate_of_id = serializers.IntegerField(read_only=True, allow_null=True)
    # "" while the question is open: part of the documented values.
    close_reason = serializers.ChoiceField(
        choices=CloseReason.choices, allow_blank=True, read_only=True
    )
    my_vote = serializers.SerializerMethodField()
    comments = serializers.SerializerMethodField()
    answers = serializers.SerializerMethodField()

    class Meta(QuestionSummarySerializer.Meta):
        fields = [
            *QuestionSummarySerializer.Meta.fields,
            "body",
            "body_html",
            "edited_at",
            "closed_at",
            "close_reason",
            "duplicate_of_id",
            "is_locked",
            "is_deleted",
            "my_vote",
            "comments",
            "answers",
        ]
        read_only_fields = fields

    def get_my_vote(self, obj: Question) -> int:
        """The requesting member's vote on this question: 1, -1, or 0 for none."""
        return _my_vote(self, "question", obj.pk)

    @extend_schema_field(CommentSerializer(many=True))
    def get_comments(self, obj: Question) -> list[dict]:
        thread = self.context.get("thread")
        comments = thread.comments if thread is not None else []
        return CommentSerializer(comments, many=True, context=self.context).data

    @extend_schema_field(AnswerSerializer(many=True))
    def get_answers(self, obj: Question) -> list[dict]:
        """The accepted answer first, then by score."""
        thread = self.context.get("thread")
        answers = thread.answers if thread is not None else []
        return AnswerSerializer(answers, many=True, context=self.context).data


class VoteResultSerializer(serializers.Serializer):
    score = serializers.IntegerField(help_text="The post's score after the vote.")
    my_vote = serializers.IntegerField(help_text="Your vote now: 1, -1, or 0 for none.")


class AcceptResultSerializer(serializers.Serializer):
    question_id = serializers.IntegerField()
    accepted_answer_id = serializers.IntegerField(
        allow_null=True, help_text="The question's accepted answer now (null: none)."
    )
    accepted_on_behalf_by = serializers.CharField(
        allow_null=True,
        help_text="The advocate or staff member who accepted for the absent asker (the "
        "community's acceptance); null when the asker accepted or nothing is accepted.",
    )
