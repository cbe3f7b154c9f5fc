"""allauth's forms in the site's own words, with the shared failed-login lockout
(settings.ACCOUNT_FORMS)."""

from __future__ import annotations

from allauth.account.forms import LoginForm as AllauthLoginForm
from allauth.account.forms import ResetPasswordForm as BaseResetPasswordForm
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from forum import lockout


class LoginForm(AllauthLoginForm):
    """The "Remember me" label in sentence case, like every other label (allauth: "Remember Me")."""

    def __init__(self, *args, **kwargs) -> None:  # noqa: ANN002, ANN003
        super().__init__(*args, **kwargs)
        if "remember" in self.fields:
            self.fields["remember"].label = _("Remember me")


class ResetPasswordForm(BaseResetPasswordForm):
    def save(self, request: HttpRequest, **kwargs) -> str:  # noqa: ANN003
        """Raises forum.lockout.LockedOut (a 429 page) when the client's address is locked
        out; each request spends one attempt of the address's budget."""
        lockout.check_and_count(request, self.cleaned_data["email"])
        return super().save(request, **kwargs)
