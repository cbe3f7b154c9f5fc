"""Queue claims and first-post reviews."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from advocacy import audit_actions as acts
from advocacy import permissions
from advocacy.models import FirstPostReview, QueueClaim
from advocacy.services.moderation._shared import (
    CLAIM_TTL,
)
from core import audit
from forum.models import Answer, Question, User
from forum.posts import post_key
from live.events import publish

# Claims ---------------------------------------------------------------------------------


class ClaimedByAnother(PermissionDenied):
    """The item is being worked by another moderator (a conflict: 409 on the pages)."""

    status_code = 409


def claim_item(*, actor: User, item: str) -> QueueClaim:
    """Claim queue item `item` (``flags:answer:40``, ``first:question:12``) for `actor`.

    Atomic: the claim is a row keyed by the item, so of two moderators claiming at once
    one inserts and the other waits on the key, then finds the winner's row and gets
    ClaimedByAnother. A claim older than CLAIM_TTL is taken over; claiming one's own
    item again refreshes it.
    """
    _check_item(actor, item)
    now = timezone.now()
    with transaction.atomic():
        try:
            with transaction.atomic():
                claim = QueueClaim.objects.create(item=item, moderator=actor, claimed_at=now)
        except IntegrityError:
            claim = QueueClaim.objects.select_for_update().get(item=item)
            if claim.moderator_id != actor.pk and claim.claimed_at > now - CLAIM_TTL:
                raise ClaimedByAnother(
                    _("%(name)s is already working on this item.") % {"name": claim.moderator.name}
                ) from None
            claim.moderator = actor
            claim.claimed_at = now
            claim.save(update_fields=["moderator", "claimed_at"])
        audit.record(actor=actor, action=acts.QUEUE_CLAIM, target=None, label=item)
        publish("moderation", "item.claimed", {"item": item, "moderator": actor.username})
    return claim


def release_item(*, actor: User, item: str) -> bool:
    """Give up one's claim (moderators may release anyone's stale or own claim)."""
    _check_item(actor, item)
    with transaction.atomic():
        claim = QueueClaim.objects.select_for_update().filter(item=item).first()
        if claim is None:
            return False
        if claim.moderator_id != actor.pk and claim.claimed_at > timezone.now() - CLAIM_TTL:
            raise ClaimedByAnother(
                _("%(name)s is already working on this item.") % {"name": claim.moderator.name}
            )
        QueueClaim.objects.filter(item=item).delete()
        audit.record(actor=actor, action=acts.QUEUE_RELEASE, target=None, label=item)
        publish("moderation", "item.released", {"item": item})
    return True


def drop_claim(item: str) -> None:
    """The item was dealt with: forget its claim. Caller is inside the act's transaction."""
    QueueClaim.objects.filter(item=item).delete()


def _check_item(actor: User, item: str) -> None:
    queue, _colon, key = item.partition(":")
    if queue == "flags":
        permissions.check_moderate(actor)
    elif queue == "first":
        permissions.check_review_first_posts(actor)
    else:
        raise ValidationError({"item": [_("Unknown queue item.")]})
    kind, _colon, pk = key.partition(":")
    if kind not in ("question", "answer", "comment") or not pk.isdigit() or len(item) > 60:
        raise ValidationError({"item": [_("Unknown queue item.")]})


# First posts ----------------------------------------------------------------------------


def approve_first_post(*, actor: User, post: Question | Answer) -> FirstPostReview:
    """Mark a new member's first post as reviewed and fine (it leaves the queue)."""
    permissions.check_review_first_posts(actor)
    key = post_key(post)
    try:
        with transaction.atomic():
            review = FirstPostReview.objects.create(
                post_key=key,
                question_id=post.pk if isinstance(post, Question) else post.question_id,
                answer=post if isinstance(post, Answer) else None,
                reviewer=actor,
                outcome="approved",
            )
            audit.record(actor=actor, action=acts.FIRST_POST_APPROVE, target=post)
            drop_claim(f"first:{key}")
            publish("moderation", "first_post.reviewed", {"post": key})
    except IntegrityError:
        raise ValidationError({"post": [_("This post has already been reviewed.")]}) from None
    return review
