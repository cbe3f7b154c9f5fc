"""allauth forms with the shared failed-login lockout (forum.lockout)."""

from __future__ import annotations

from allauth.account.forms import ResetPasswordForm as BaseResetPasswordForm
from django.http import HttpRequest

from forum import lockout


class ResetPasswordForm(BaseResetPasswordForm):
    def save(self, request: HttpRequest, **kwargs) -> str:  # noqa: ANN003
        """Raises forum.lockout.LockedOut (a 429 page) when the client's address is locked
        out; each request spends one attempt of the address's budget."""
        lockout.check_and_count(request, self.cleaned_data["email"])
        return super().save(request, **kwargs)
