"""Signed one-click unsubscribe tokens: no login, no expiry (an old e-mail's link keeps
working), and replaying one only repeats the same, idempotent choice."""

from __future__ import annotations

from dataclasses import dataclass

from django.core import signing

from forum.models import Notification

SALT = "circolo.mail.unsubscribe"
# A token's scope: one notification kind, the digest (every kind sent in it) or all.
DIGEST = "digest"
ALL = "all"


@dataclass(frozen=True)
class Unsubscribe:
    user_id: int
    scope: str


def make_token(user_id: int, scope: str) -> str:
    if scope not in (*Notification.Kind.values, DIGEST, ALL):
        raise ValueError(f"Unknown unsubscribe scope: {scope!r}")
    return signing.dumps({"u": user_id, "s": scope}, salt=SALT, compress=True)


def read_token(token: str) -> Unsubscribe | None:
    """The token's content, or None when it was not signed by us or is malformed."""
    if not isinstance(token, str) or len(token) > 500:
        return None
    try:
        data = signing.loads(token, salt=SALT)
    except signing.BadSignature:
        return None
    if not isinstance(data, dict):
        return None
    user_id, scope = data.get("u"), data.get("s")
    if not isinstance(user_id, int) or isinstance(user_id, bool):
        return None
    if scope not in (*Notification.Kind.values, DIGEST, ALL):
        return None
    return Unsubscribe(user_id=user_id, scope=scope)
