"""Awarding badges: `evaluate` checks the badges a trigger can earn (the registry,
`gamification.badges`) and awards what is earned, inside the caller's transaction; each
award rings the member's bell and is published to their `user` stream. `holders` counts
each badge's holders for the badges page.
"""

from __future__ import annotations

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Count
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext_noop

from forum.models import Notification, User
from gamification.badges import BY_TRIGGER, BadgeSpec, Event, Grant
from gamification.models import BadgeAward
from live.events import publish
from live.streams import user_stream


def evaluate(event: Event) -> list[BadgeAward]:
    """Check the badges `event.trigger` can earn for `event.member`; award what is earned.

    Runs inside the caller's transaction. Returns the new awards (and publishes
    `badge.awarded` to the member's `user` stream after commit).
    """
    from gamification.rules import tuning

    member = event.member
    if not member.is_active:
        return []
    stored = tuning().badges
    candidates = [
        spec for spec in BY_TRIGGER.get(event.trigger, ()) if stored.get(spec.key, (True,))[0]
    ]
    if not candidates:
        return []
    held = set(
        BadgeAward.objects.filter(
            member=member, badge__in=[spec.key for spec in candidates]
        ).values_list("badge", "scope")
    )
    awarded = []
    for spec in candidates:
        if not spec.repeatable and (spec.key, "") in held:
            continue
        threshold = stored.get(spec.key, (True, spec.threshold))[1]
        for grant in spec.check(event, threshold):
            if (spec.key, grant.scope) in held:
                continue
            award = _grant(member, spec, grant)
            if award is not None:
                held.add((spec.key, grant.scope))
                awarded.append(award)
    return awarded


def _grant(member: User, spec: BadgeSpec, grant: Grant) -> BadgeAward | None:
    try:
        with transaction.atomic():
            award = BadgeAward.objects.create(
                badge=spec.key,
                member=member,
                scope=grant.scope,
                tier=spec.tier,
                question_id=grant.question_id,
                answer_id=grant.answer_id,
                tag_id=grant.tag_id,
            )
    except IntegrityError:
        return None  # another request awarded it first
    _announce(award)
    _notify(member, spec, award)
    return award


def _notify(member: User, spec: BadgeSpec, award: BadgeAward) -> None:
    """The member's bell: "You earned the Curious badge", in the same transaction as the
    award, leading to the badge on the badges page. The name is stored in each language,
    so the member reads it in theirs."""
    from notifications.bell import notify_member

    names = {}
    for language, _label in settings.LANGUAGES:
        with translation.override(language):
            names[language] = str(spec.name)
    notify_member(
        member,
        Notification.Kind.BADGE,
        gettext_noop("You earned the %(badge)s badge."),
        params={"badge": names, "tier": award.tier},
        link=f"{reverse('gamification:badges')}#badge-{spec.key}",
        key=f"badge:{award.pk}",
    )


def _announce(award: BadgeAward) -> None:
    publish(
        user_stream(award.member_id),
        "badge.awarded",
        {"id": award.pk, "badge": award.badge, "tier": award.tier, "scope": award.scope},
    )


def holders() -> dict[str, int]:
    """How many members hold each badge (for the badges page). One query."""
    return dict(
        BadgeAward.objects.values("badge")
        .annotate(n=Count("member", distinct=True))
        .values_list("badge", "n")
    )
