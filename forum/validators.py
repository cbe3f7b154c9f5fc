"""Username rules for sign-up (allauth's ACCOUNT_USERNAME_VALIDATORS)."""

from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.validators import MaxLengthValidator

username_validators = [UnicodeUsernameValidator(), MaxLengthValidator(30)]
