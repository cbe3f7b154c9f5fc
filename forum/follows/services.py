"""Following and unfollowing (writes).

A member may follow what they may read: a question they can see, a tag carried by a
question they can see (or by none yet), a category that is not the lounge unless they
moderate. Asking or answering follows the question (`forum.follows.handlers`, in the
post's transaction); followers are told by `notifications.follows.notify_followers`, a
task enqueued after commit: the request never loops over followers.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404
from django.utils.translation import gettext as _
from taggit.models import Tag

from core import roles
from core.events import emit
from forum import events as forum_events
from forum import permissions
from forum.follows.models import Follow
from forum.models import Category, Question, User

Target = Question | Tag | Category


def target_filter(target: Target) -> dict[str, object]:
    if isinstance(target, Question):
        return {"question": target}
    if isinstance(target, Tag):
        return {"tag": target}
    if isinstance(target, Category):
        return {"category": target}
    raise TypeError(f"Cannot follow {target!r}")


def tag_is_visible(user: User, tag: Tag) -> bool:
    """As the tag page: a tag carried only by questions the user may not see is not
    there for them (its name must not leak)."""
    tagged = Question.objects.filter(tags=tag, deleted_at__isnull=True)
    if not tagged.exists():
        return True
    return permissions.visible_questions(tagged, user).exists()


def is_visible(user: User, target: Target) -> bool:
    if isinstance(target, Question):
        return permissions.can_see_question(user, target)
    if isinstance(target, Category):
        return not target.is_private or roles.is_moderator(user)
    return tag_is_visible(user, target)


def check_follow(user: User, target: Target) -> None:
    """Members who are logged in and active follow what they may read; what they may
    not read does not exist for them (404, as its page)."""
    if not user.is_authenticated:
        raise PermissionDenied(_("Log in to do that."))
    if not user.is_active:
        raise PermissionDenied(_("This account is disabled."))
    if not is_visible(user, target):
        raise Http404("Not found.")


def set_following(*, actor: User, target: Target, following: bool) -> bool:
    """Follow (`following=True`) or unfollow `target`; idempotent. Returns the state."""
    check_follow(actor, target)
    where = target_filter(target)
    with transaction.atomic():
        if following:
            Follow.objects.bulk_create([Follow(user=actor, **where)], ignore_conflicts=True)
        else:
            Follow.objects.filter(user=actor, **where).delete()
        emit(
            forum_events.FollowingChanged(
                actor_id=actor.pk,
                question_id=target.pk if isinstance(target, Question) else None,
                tag_id=target.pk if isinstance(target, Tag) else None,
                category_id=target.pk if isinstance(target, Category) else None,
                following=following,
            )
        )
    return following


def is_following(user: User, target: Target) -> bool:
    if not user.is_authenticated:
        return False
    return Follow.objects.filter(user=user, **target_filter(target)).exists()
