"""The rules' own e-mails (welcome, win back), each with a one-click opt-out link."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from advocacy.automation import optout
from forum.models import Question, User
from notifications.mail.preferences import verified_email
from notifications.mail.sending import absolute


def _send(member: User, *, rule: str, template: str, context: dict) -> bool:
    address = verified_email(member)
    if not address:
        return False
    link = absolute(
        reverse("automation:opt_out", kwargs={"token": optout.make_token(member.pk, rule)})
    )
    with translation.override(member.locale or settings.LANGUAGE_CODE):
        body = render_to_string(
            f"mail/automation_{template}.txt",
            {**context, "member": member, "opt_out_url": link, "site_url": absolute("/")},
        )
        subject, _, text = body.partition("\n")
    message = EmailMessage(
        subject=subject.strip(),
        body=text.lstrip("\n"),
        to=[address],
        headers={
            "List-Unsubscribe": f"<{link}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            "Auto-Submitted": "auto-generated",
        },
    )
    transaction.on_commit(message.send)  # only once the step's claim is committed
    return True


def send_welcome(member: User, *, rule: str) -> bool:
    return _send(member, rule=rule, template="welcome", context={})


def send_win_back(member: User, questions: list[Question], *, rule: str) -> bool:
    return _send(
        member,
        rule=rule,
        template="win_back",
        context={"questions": [(q.title, absolute(q.get_absolute_url())) for q in questions]},
    )
