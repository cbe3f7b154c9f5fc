"""Writes of the API itself: personal access tokens (the forum's writes are forum.services)."""

from __future__ import annotations

from django.db import transaction
from rest_framework.authtoken.models import Token

from forum.models import User


def issue_token(*, actor: User) -> Token:
    """The member's API token, created on first use; the same one until revoked.

    `get_or_create` retries the read when two first logins race on the unique user.
    """
    token, _created = Token.objects.get_or_create(user=actor)
    return token


def revoke_token(*, actor: User) -> bool:
    """Delete the member's token (log every API client out); True when there was one."""
    with transaction.atomic():
        deleted, _rows = Token.objects.filter(user=actor).delete()
    return bool(deleted)
