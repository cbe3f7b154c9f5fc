"""The e-mail settings form: one choice per notification kind."""

from __future__ import annotations

from django import forms

from forum.models import Notification
from notifications.models import EmailMode


class EmailPreferencesForm(forms.Form):
    def __init__(
        self,
        *args: object,
        modes: dict[str, str],
        kinds: list[tuple[str, str]] | None = None,
        **kwargs: object,
    ) -> None:
        """`kinds`: the (kind, label) pairs to offer (default: every kind)."""
        super().__init__(*args, **kwargs)
        for kind, label in Notification.Kind.choices if kinds is None else kinds:
            self.fields[kind] = forms.ChoiceField(
                label=label,
                choices=EmailMode.choices,
                initial=modes.get(kind, EmailMode.DIGEST),
                widget=forms.RadioSelect,
            )
