"""Expected values, written the way the API writes them."""

from __future__ import annotations

from django.utils import timezone


def iso(moment) -> str:  # noqa: ANN001
    """A datetime as the API writes it (ISO 8601 in the site's time zone)."""
    return timezone.localtime(moment).isoformat()


def absolute(path: str) -> str:
    return f"http://testserver{path}"


def author(user) -> dict:  # noqa: ANN001
    """The nested author object the API gives for `user`."""
    user.refresh_from_db(fields=["reputation"])
    return {
        "id": user.pk,
        "username": user.username,
        "display_name": user.name,
        "reputation": user.reputation,
        "url": absolute(user.get_absolute_url()),
    }
