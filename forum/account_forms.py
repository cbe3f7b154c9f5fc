"""allauth's forms in the site's own words (settings.ACCOUNT_FORMS)."""

from __future__ import annotations

from allauth.account.forms import LoginForm as AllauthLoginForm
from django.utils.translation import gettext_lazy as _


class LoginForm(AllauthLoginForm):
    """The "Remember me" label in sentence case, like every other label (allauth: "Remember Me")."""

    def __init__(self, *args, **kwargs) -> None:  # noqa: ANN002, ANN003
        super().__init__(*args, **kwargs)
        if "remember" in self.fields:
            self.fields["remember"].label = _("Remember me")
