"""Forms of the moderation pages; the services validate again (the API shares them)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from advocacy.models import CannedReason, FlagReason
from advocacy.models.flags import FLAG_NOTE_MAX_LENGTH
from advocacy.services.flags import ResolveAction
from advocacy.services.moderation import REASON_MAX_LENGTH, SUSPENSION_MAX_DAYS
from core import audit
from forum.forms import TagsInput
from forum.models import Category, CloseReason


class FlagForm(forms.Form):
    reason = forms.ChoiceField(
        label=_("What is wrong with this post?"),
        choices=FlagReason.choices,
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label=_("Note for the moderators (optional)"),
        required=False,
        max_length=FLAG_NOTE_MAX_LENGTH,
        strip=True,
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": FLAG_NOTE_MAX_LENGTH}),
    )


def _canned_choices(uses: tuple[str, ...], language: str | None) -> list[tuple[str, str]]:
    rows = CannedReason.objects.filter(is_active=True, use__in=[*uses, CannedReason.Use.ANY])
    return [("", _("(type your own)"))] + [(str(r.pk), r.text_for(language)) for r in rows]


class _ReasonForm(forms.Form):
    """A typed reason, or a canned one (the typed text wins when both are given)."""

    canned_uses: tuple[str, ...] = ()
    canned = forms.ChoiceField(label=_("Canned reason"), required=False)
    reason = forms.CharField(
        label=_("Reason"),
        required=False,
        max_length=REASON_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2, "maxlength": REASON_MAX_LENGTH}),
    )

    def __init__(self, *args: object, language: str | None = None, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["canned"].choices = _canned_choices(self.canned_uses, language)
        self._language = language

    def chosen_reason(self) -> str:
        typed = self.cleaned_data.get("reason") or ""
        if typed:
            return typed
        pk = self.cleaned_data.get("canned")
        if pk:
            found = CannedReason.objects.filter(pk=pk, is_active=True).first()
            if found:
                return found.text_for(self._language)
        return ""


class ResolveForm(_ReasonForm):
    canned_uses = (
        CannedReason.Use.FLAG,
        CannedReason.Use.HIDE,
        CannedReason.Use.CLOSE,
    )
    action = forms.ChoiceField(
        label=_("Decision"),
        choices=[
            (ResolveAction.HIDE, pgettext_lazy("resolve flags", "Hide the post")),
            (ResolveAction.DISMISS, pgettext_lazy("resolve flags", "Dismiss the flags")),
            (ResolveAction.CLOSE, pgettext_lazy("resolve flags", "Close the question")),
            (ResolveAction.LOCK, pgettext_lazy("resolve flags", "Lock the question")),
        ],
        widget=forms.RadioSelect,
    )


class ActForm(_ReasonForm):
    """Hide, unhide, reopen, lock, unlock: a reason only."""

    canned_uses = (CannedReason.Use.HIDE,)


class CloseForm(_ReasonForm):
    canned_uses = (CannedReason.Use.CLOSE,)
    close_reason = forms.ChoiceField(label=_("Close as"), choices=CloseReason.choices)
    duplicate_of = forms.IntegerField(
        label=_("Duplicate of question number"), required=False, min_value=1
    )


class MoveForm(_ReasonForm):
    category = forms.ModelChoiceField(
        label=_("Category"),
        queryset=Category.objects.all(),
        required=False,
        empty_label=_("(no category)"),
    )


class RetagForm(_ReasonForm):
    tags = forms.CharField(
        label=_("Tags"), max_length=250, help_text=_("Separated by spaces."), widget=TagsInput()
    )


class SuspendForm(_ReasonForm):
    canned_uses = (CannedReason.Use.SUSPEND,)
    days = forms.IntegerField(
        label=_("Days"), min_value=1, max_value=SUSPENSION_MAX_DAYS, initial=7
    )


class AuditFilterForm(forms.Form):
    actor = forms.CharField(label=_("Actor"), required=False, max_length=150)
    action = forms.ChoiceField(label=_("Action"), required=False)
    target_type = forms.ChoiceField(
        label=_("Target"),
        required=False,
        choices=[
            ("", _("any")),
            ("question", _("question")),
            ("answer", _("answer")),
            ("comment", _("comment")),
            ("member", _("member")),
            ("flag", _("flag")),
        ],
    )
    since = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput({"type": "date"})
    )
    until = forms.DateField(label=_("To"), required=False, widget=forms.DateInput({"type": "date"}))

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["action"].choices = [("", _("any")), *audit.choices()]
