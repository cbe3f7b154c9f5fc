from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from advocacy.health.figures import DEFAULT_DAYS, MAX_DAYS


class PeriodForm(forms.Form):
    days = forms.IntegerField(
        label=_("Period (days)"),
        min_value=1,
        max_value=MAX_DAYS,
        required=False,
        error_messages={"invalid": _("The period is a whole number of days.")},
    )

    def clean_days(self) -> int:
        return self.cleaned_data.get("days") or DEFAULT_DAYS
