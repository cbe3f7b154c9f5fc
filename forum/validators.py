"""Username rules for sign-up (allauth's ACCOUNT_USERNAME_VALIDATORS)."""

from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.validators import MaxLengthValidator, RegexValidator
from django.utils.translation import gettext_lazy as _

from forum.models import ERASED_USERNAME_PREFIX

# "deleted-42" names an erased account (privacy.erasure): nobody may sign up as one.
not_an_erased_name = RegexValidator(
    rf"^{ERASED_USERNAME_PREFIX}\d+$",
    inverse_match=True,
    flags=0,
    message=_("This username is reserved."),
)

username_validators = [UnicodeUsernameValidator(), MaxLengthValidator(30), not_an_erased_name]
