"""Forms of the escalate button and the desk's pages. They check shape only; the services
validate the content (lengths, choices) and their errors land back on these forms."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from advocacy.models.desk import (
    NOTE_MAX_LENGTH,
    REASON_MAX_LENGTH,
    RESOLUTION_MAX_LENGTH,
    EscalationPriority,
    EscalationStatus,
    Verdict,
)
from forum.models import BODY_MAX_LENGTH
from forum.templatetags.forum_posts import category_label


def _textarea(rows: int, maxlength: int) -> forms.Textarea:
    # No maxlength attribute: the service says how long is too long, in words.
    return forms.Textarea(attrs={"rows": rows, "data-maxlength": maxlength})


class _Form(forms.Form):
    """The case page shows several forms: each gets its own id prefix (`note_body`)."""

    id_prefix = ""

    def __init__(self, *args, **kwargs) -> None:  # noqa: ANN002, ANN003
        if self.id_prefix:
            kwargs.setdefault("auto_id", f"{self.id_prefix}_%s")
        super().__init__(*args, **kwargs)


class EscalateForm(forms.Form):
    reason = forms.CharField(
        label=_("Why does this need staff?"),
        widget=_textarea(3, REASON_MAX_LENGTH),
        strip=False,
        help_text=_("Staff read this first. It is not shown in public."),
    )
    priority = forms.ChoiceField(
        label=_("Priority"), choices=EscalationPriority.choices, initial=EscalationPriority.NORMAL
    )


class NoteForm(_Form):
    id_prefix = "note"

    body = forms.CharField(
        label=_("Internal note"),
        widget=_textarea(3, NOTE_MAX_LENGTH),
        strip=False,
        help_text=_("Only support staff see notes."),
    )


class OfficialAnswerForm(_Form):
    id_prefix = "answer"

    body = forms.CharField(
        label=_("Official answer"),
        widget=_textarea(8, BODY_MAX_LENGTH),
        strip=False,
        help_text=_("Posted in the public thread, marked “Staff” and pinned below the question."),
    )


class StatusForm(_Form):
    id_prefix = "status"

    status = forms.ChoiceField(
        label=_("Status"),
        choices=[
            (EscalationStatus.IN_PROGRESS, EscalationStatus.IN_PROGRESS.label),
            (EscalationStatus.WAITING, EscalationStatus.WAITING.label),
        ],
    )


class PriorityForm(_Form):
    id_prefix = "priority"

    priority = forms.ChoiceField(label=_("Priority"), choices=EscalationPriority.choices)


class AssignForm(_Form):
    """`assignee`: a staff member's id, or empty for nobody."""

    id_prefix = "assign"

    assignee = forms.TypedChoiceField(
        label=_("Assign to"), coerce=int, empty_value=None, required=False
    )

    def __init__(self, *args, staff: list, **kwargs) -> None:  # noqa: ANN002, ANN003
        super().__init__(*args, **kwargs)
        self.fields["assignee"].choices = [("", _("Nobody")), *((m.pk, m.name) for m in staff)]


class CaseForm(_Form):
    """The case page's one Save: assignee, status and priority together. A field left as
    the page showed it changes nothing; an open case's status shows as "Open" (empty)."""

    id_prefix = "case"

    assignee = forms.TypedChoiceField(
        label=_("Assign to"), coerce=int, empty_value=None, required=False
    )
    status = forms.ChoiceField(label=_("Status"), required=False)
    priority = forms.ChoiceField(label=_("Priority"), choices=EscalationPriority.choices)

    def __init__(self, *args, staff: list, status: str, **kwargs) -> None:  # noqa: ANN002, ANN003
        super().__init__(*args, **kwargs)
        self.fields["assignee"].choices = [("", _("Nobody")), *((m.pk, m.name) for m in staff)]
        workable = [
            (EscalationStatus.IN_PROGRESS, EscalationStatus.IN_PROGRESS.label),
            (EscalationStatus.WAITING, EscalationStatus.WAITING.label),
        ]
        if status not in {EscalationStatus.IN_PROGRESS, EscalationStatus.WAITING}:
            workable.insert(0, ("", EscalationStatus(status).label))
        self.fields["status"].choices = workable


class BulkAssignForm(AssignForm):
    id_prefix = "bulk"

    escalations = forms.TypedMultipleChoiceField(
        label=_("Escalations"),
        coerce=int,
        choices=(),
        error_messages={"required": _("Choose at least one escalation.")},
    )

    def __init__(self, *args, staff: list, escalation_ids: list[int], **kwargs) -> None:  # noqa: ANN002, ANN003
        super().__init__(*args, staff=staff, **kwargs)
        self.fields["escalations"].choices = [(pk, pk) for pk in escalation_ids]


class ResolveForm(_Form):
    id_prefix = "resolve"

    """The summary, and one `verdict_<answer id>` choice per community answer."""

    resolution = forms.CharField(
        label=_("Resolution summary"),
        widget=_textarea(3, RESOLUTION_MAX_LENGTH),
        strip=False,
        help_text=_("Shared with the member who escalated; not shown in public."),
    )

    def __init__(self, *args, answers: list, **kwargs) -> None:  # noqa: ANN002, ANN003
        super().__init__(*args, **kwargs)
        self.answers = answers
        for answer in answers:
            self.fields[f"verdict_{answer.pk}"] = forms.ChoiceField(
                label=_("Answer by %(name)s") % {"name": answer.author.name},
                choices=[("", pgettext_lazy("answer verdict", "Not judged")), *Verdict.choices],
                required=False,
                initial=getattr(answer, "current_verdict", ""),
                widget=forms.RadioSelect,
            )

    def verdicts(self) -> list[tuple[int, str]]:
        return [
            (answer.pk, self.cleaned_data[f"verdict_{answer.pk}"])
            for answer in self.answers
            if self.cleaned_data.get(f"verdict_{answer.pk}")
        ]

    def verdict_fields(self) -> list[tuple[object, forms.BoundField]]:
        return [(answer, self[f"verdict_{answer.pk}"]) for answer in self.answers]


class DismissForm(_Form):
    id_prefix = "dismiss"

    reason = forms.CharField(
        label=_("Why is there nothing for staff to do?"),
        widget=_textarea(2, RESOLUTION_MAX_LENGTH),
        strip=False,
        help_text=_("The member who escalated reads this."),
    )


class QueueFilterForm(forms.Form):
    VIEWS = (
        ("all", pgettext_lazy("desk filter", "All")),
        ("mine", pgettext_lazy("desk filter", "Mine")),
        ("unassigned", pgettext_lazy("desk filter", "Unassigned")),
    )

    view = forms.ChoiceField(choices=VIEWS, required=False)
    status = forms.ChoiceField(
        label=_("Status"),
        choices=[
            ("active", pgettext_lazy("desk filter", "Open, in progress or waiting")),
            *EscalationStatus.choices,
            ("all", pgettext_lazy("desk filter", "Any status")),
        ],
        required=False,
    )
    priority = forms.ChoiceField(
        label=_("Priority"),
        choices=[("", pgettext_lazy("desk filter", "Any priority")), *EscalationPriority.choices],
        required=False,
    )
    category = forms.ChoiceField(label=_("Category"), required=False)

    def __init__(self, *args, categories: list, **kwargs) -> None:  # noqa: ANN002, ANN003
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = [
            ("", pgettext_lazy("desk filter", "Any category")),
            *((c.slug, category_label(c)) for c in categories),
        ]
