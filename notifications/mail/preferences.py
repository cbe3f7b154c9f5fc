"""What each member wants by e-mail (reads)."""

from __future__ import annotations

from allauth.account.models import EmailAddress

from core import roles
from forum.models import Notification, User
from notifications.models import EmailMode, EmailPreference

Kind = Notification.Kind

# What a member gets until they choose: what concerns their own posts and their work
# right away, comments and badges in the digest.
DEFAULT_MODES: dict[str, str] = {
    Kind.ANSWER: EmailMode.INSTANT,
    Kind.COMMENT: EmailMode.DIGEST,
    Kind.MENTION: EmailMode.INSTANT,
    Kind.ACCEPTED: EmailMode.INSTANT,
    Kind.BADGE: EmailMode.DIGEST,
    Kind.REWARD: EmailMode.INSTANT,
    Kind.MODERATION: EmailMode.INSTANT,
    Kind.ADVOCATE: EmailMode.INSTANT,
    Kind.ESCALATION: EmailMode.INSTANT,
    Kind.SLA: EmailMode.INSTANT,
    Kind.FOLLOW: EmailMode.DIGEST,
    Kind.COMMUNITY_ACCEPTED: EmailMode.INSTANT,
    Kind.ACCEPT_REMINDER: EmailMode.INSTANT,
    Kind.ROUTED: EmailMode.INSTANT,
    # The welcome and win-back rules send their own e-mail (advocacy.automation.mail).
    Kind.WIN_BACK: EmailMode.OFF,
    Kind.WELCOME: EmailMode.OFF,
}


# Kinds only some roles ever receive: moderation notices, the advocate programme and SLA
# alerts go to advocates (the queue, the programme, "no answer yet" alerts) and staff (team
# leads); a customer is not offered choices for them (issue 15).
INSIDER_KINDS = frozenset({Kind.MODERATION, Kind.ADVOCATE, Kind.SLA})


def email_kinds_for(member: User) -> list[tuple[str, str]]:
    """(kind, label) of the notification kinds `member`'s role can receive, in model order."""
    insider = roles.is_insider(member)
    return [(kind, label) for kind, label in Kind.choices if insider or kind not in INSIDER_KINDS]


def email_modes_for(member: User) -> dict[str, str]:
    """{kind: mode} for every notification kind: the member's choices over the defaults."""
    modes = {kind: str(DEFAULT_MODES.get(kind, EmailMode.DIGEST)) for kind in Kind.values}
    for kind, mode in EmailPreference.objects.filter(user=member).values_list("kind", "mode"):
        if kind in modes:
            modes[kind] = mode
    return modes


def verified_email(member: User) -> str | None:
    """The address e-mails go to: the member's verified primary address (or, lacking a
    primary, a verified one); None when no address is verified."""
    if not member.is_active:
        return None
    address = (
        EmailAddress.objects.filter(user=member, verified=True).order_by("-primary", "pk").first()
    )
    return address.email if address else None
