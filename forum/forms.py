"""HTML forms for asking, answering, commenting, editing and closing.

Each form normalises its input with the same `forum.validation` rules the services use, so
a person sees every problem at once and keeps what they typed; the services check again
(they are the last word, also for the API).
"""

from __future__ import annotations

import re
from urllib.parse import urlparse

from django import forms
from django.core.exceptions import ValidationError
from django.urls import reverse_lazy
from django.utils.text import format_lazy
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from forum import permissions, personal_data, validation
from forum.models import (
    BODY_MAX_LENGTH,
    COMMENT_MAX_LENGTH,
    TAGS_MAX,
    TITLE_MAX_LENGTH,
    Category,
    CloseReason,
    Question,
    Vote,
)

SUMMARY_MAX_LENGTH = 200
CLOSE_NOTE_MAX_LENGTH = 500
# Tags typed by hand: generous, the rule that matters (at most TAGS_MAX tags of at most
# TAG_MAX_LENGTH characters) is enforced by validation.clean_tags.
TAGS_INPUT_MAX_LENGTH = 250
_QUESTION_PATH = re.compile(r"/q/(\d+)(?:/|$)")


class TagsInput(forms.TextInput):
    """A field where tags are typed: static/js/tags.js turns it into a combobox that
    suggests tags (with their description and question count) from forum:tag_suggestions.
    Without JavaScript it is the plain text input it renders as."""

    def __init__(self, attrs: dict | None = None) -> None:
        base = {"autocomplete": "off", "data-tag-suggest": reverse_lazy("forum:tag_suggestions")}
        super().__init__(attrs={**base, **(attrs or {})})


class CategoryChoiceField(forms.ModelChoiceField):
    """Categories by their name in the page's language (Italian names are optional)."""

    def label_from_instance(self, obj: Category) -> str:
        if get_language() == "it" and obj.name_it:
            return obj.name_it
        return obj.name


# A Markdown textarea previews itself (server-rendered) into the next `.preview` element.
PREVIEW_ATTRS = {
    "hx-post": reverse_lazy("forum:preview"),
    "hx-trigger": "input changed delay:500ms",
    "hx-target": "next .preview",
    "hx-swap": "innerHTML",  # not the outerHTML an enclosing htmx form may pass down
    "hx-sync": "this:replace",
}


def _textarea(rows: int, maxlength: int, **attrs: str) -> forms.Textarea:
    return forms.Textarea(attrs={"rows": rows, "maxlength": maxlength, **attrs})


class PersonalDataGuard:
    """Warns before posting personal data (forum.personal_data): the form is invalid,
    keeps what was typed and lists `personal_data_findings` (forum/_personal_data.html
    offers "Mask and post" and "Edit"); submitted with `personal_data=mask` (that
    button), the cleaned text is the masked text, so the service never sees the rest."""

    guarded_fields: tuple[str, ...] = ("body",)

    def clean(self) -> dict:
        cleaned = super().clean()
        self.personal_data_findings: list[dict] = []
        masking = self.data.get("personal_data") == personal_data.MASK
        found = []
        for field in self.guarded_fields:
            text = cleaned.get(field)
            findings = personal_data.find_personal_data(text) if isinstance(text, str) else []
            if findings and masking:
                cleaned[field] = personal_data.mask(text, findings)
            elif findings:
                found.extend(findings)
                described = personal_data.describe(text, findings)
                self.personal_data_findings.extend({**f, "field": field} for f in described)
        if found:
            raise ValidationError(personal_data.message(found), code="personal_data")
        return cleaned


class QuestionForm(PersonalDataGuard, forms.Form):
    guarded_fields = ("title", "body")

    title = forms.CharField(
        label=_("Title"),
        help_text=_("Be specific: what are you trying to do, and what goes wrong?"),
        widget=forms.TextInput(
            attrs={
                "maxlength": TITLE_MAX_LENGTH,
                "autocomplete": "off",
                # The ask page opens with the cursor in the title (issue 15: no Tabs needed).
                "autofocus": True,
                # While typing: questions that may already answer it (forum/_similar.html).
                "hx-get": reverse_lazy("forum:similar"),
                "hx-trigger": "input changed delay:400ms",
                "hx-target": "next .similar",
                "hx-swap": "innerHTML",
                "hx-sync": "this:replace",
            }
        ),
    )
    body = forms.CharField(
        label=_("Details"),
        strip=False,
        help_text=_(
            "Markdown works: **bold**, *italic*, `code`, lists and links. Never post "
            "passwords, PINs or card numbers."
        ),
        widget=_textarea(12, BODY_MAX_LENGTH, **PREVIEW_ATTRS),
    )
    tags = forms.CharField(
        label=_("Tags"),
        help_text=format_lazy(
            _("Between 1 and {max} tags, separated by commas or spaces, e.g. “sim, ricarica”."),
            max=TAGS_MAX,
        ),
        widget=TagsInput(attrs={"maxlength": TAGS_INPUT_MAX_LENGTH}),
    )
    category = CategoryChoiceField(
        label=_("Category"),
        # Public categories; the lounge is added for moderators (`user`, below).
        queryset=Category.objects.filter(is_private=False),
        required=False,
        empty_label=_("No category"),
    )

    def __init__(self, *args, user=None, **kwargs) -> None:  # noqa: ANN001, ANN002, ANN003
        super().__init__(*args, **kwargs)
        if user is not None:
            # The lounge (a private category) is offered to moderators only.
            self.fields["category"].queryset = permissions.visible_categories(
                Category.objects.all(), user
            )

    def clean_title(self) -> str:
        return validation.clean_title(self.cleaned_data["title"])

    def clean_body(self) -> str:
        return validation.clean_body(self.cleaned_data["body"])

    def clean_tags(self) -> list[str]:
        return validation.clean_tags(self.cleaned_data["tags"])


class EditQuestionForm(QuestionForm):
    summary = forms.CharField(
        label=_("Edit summary"),
        required=False,
        max_length=SUMMARY_MAX_LENGTH,
        help_text=_("Briefly, what did you change and why?"),
    )

    def __init__(self, *args, **kwargs) -> None:  # noqa: ANN002, ANN003
        super().__init__(*args, **kwargs)
        # An edit keeps its own title: no "similar questions" lookups while typing.
        for attr in ("hx-get", "hx-trigger", "hx-target", "hx-swap", "hx-sync"):
            self.fields["title"].widget.attrs.pop(attr, None)

    @classmethod
    def initial_for(cls, question: Question) -> dict:
        return {
            "title": question.title,
            "body": question.body,
            "tags": ", ".join(sorted(question.tags.names())),
            "category": question.category_id,
        }


class AnswerForm(PersonalDataGuard, forms.Form):
    body = forms.CharField(
        label=_("Your answer"),
        strip=False,
        help_text=_("Explain the steps that worked for you. Markdown works."),
        widget=_textarea(8, BODY_MAX_LENGTH, **PREVIEW_ATTRS),
    )

    def clean_body(self) -> str:
        return validation.clean_answer_body(self.cleaned_data["body"])


class EditAnswerForm(AnswerForm):
    summary = EditQuestionForm.base_fields["summary"]


class CommentForm(PersonalDataGuard, forms.Form):
    body = forms.CharField(
        label=_("Comment"),
        strip=False,
        help_text=_("Ask for details or suggest an improvement; answers go below."),
        widget=_textarea(2, COMMENT_MAX_LENGTH),
    )

    def clean_body(self) -> str:
        return validation.clean_comment(self.cleaned_data["body"])


class VoteForm(forms.Form):
    value = forms.TypedChoiceField(
        choices=[(Vote.UP, "+1"), (Vote.DOWN, "-1"), (0, "0")], coerce=int
    )


class CloseForm(forms.Form):
    reason = forms.ChoiceField(
        label=_("Why is this question closed?"),
        choices=CloseReason.choices,
        widget=forms.RadioSelect,
    )
    duplicate_of = forms.CharField(
        label=_("Duplicate of"),
        required=False,
        max_length=300,
        help_text=_("For duplicates: the number or the address of the original question."),
        widget=forms.TextInput(attrs={"inputmode": "url", "autocomplete": "off"}),
    )
    note = forms.CharField(
        label=_("Note for the asker"),
        required=False,
        max_length=CLOSE_NOTE_MAX_LENGTH,
        widget=forms.TextInput(),
    )

    def clean_duplicate_of(self) -> Question | None:
        """A question number, "#123" or a link to /q/123/ -> that live question."""
        raw = self.cleaned_data["duplicate_of"].strip()
        if not raw:
            return None
        number = raw.lstrip("#")
        if not number.isdigit():
            match = _QUESTION_PATH.search(urlparse(raw).path)
            number = match.group(1) if match else ""
        if not number or len(number) > 18:
            raise ValidationError(
                _("Give the question's number or paste its address."), code="invalid"
            )
        question = (
            Question.objects.filter(pk=int(number), deleted_at__isnull=True).only("pk").first()
        )
        if question is None:
            raise ValidationError(_("There is no question number %(n)s.") % {"n": number})
        return question

    def clean(self) -> dict:
        data = super().clean()
        if data.get("reason") == CloseReason.DUPLICATE and not data.get("duplicate_of"):
            if "duplicate_of" not in self.errors:
                self.add_error("duplicate_of", _("Say which question this one duplicates."))
        elif data.get("reason") and data.get("reason") != CloseReason.DUPLICATE:
            data["duplicate_of"] = None
        return data
