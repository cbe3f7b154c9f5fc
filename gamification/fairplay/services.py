"""Staff actions on fair-play cases. (The sweep, which writes the cases and the ledger
reversals, is `gamification.fairplay.sweep`.)"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.text import clean_note
from forum.models import User
from gamification.fairplay.models import FairPlayCase
from gamification.fairplay.permissions import check_review_fair_play

REVIEW_NOTE_MAX = 2000


def review_case(*, actor: User, case: FairPlayCase, note: str = "") -> FairPlayCase:
    """Mark an open case reviewed, with an optional note. The points the sweep took back
    stay taken back; a later occurrence of the same pattern opens a new case.

    Raises PermissionDenied for anyone but staff, ValidationError for a note that is too
    long or a case already reviewed (by someone else meanwhile).
    """
    check_review_fair_play(actor)
    note = clean_note(
        note,
        field="note",
        max_length=REVIEW_NOTE_MAX,
        too_long=_("Keep the note under %(n)d characters (it has %(length)d)."),
    )
    with transaction.atomic():
        case = FairPlayCase.objects.select_for_update().get(pk=case.pk)
        if case.status != FairPlayCase.Status.OPEN:
            raise ValidationError(_("This case has already been reviewed."))
        case.status = FairPlayCase.Status.REVIEWED
        case.reviewed_by = actor
        case.reviewed_at = timezone.now()
        case.review_note = note
        case.save(update_fields=["status", "reviewed_by", "reviewed_at", "review_note"])
    return case
