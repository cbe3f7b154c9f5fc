"""The rewards pages: the catalogue with the member's balance, "my redemptions", and the
staff queue of pending redemptions. Plain POST forms that redirect; with htmx the reward
card or the queue row is swapped in place. Thin: parse, fetch, call one service, render.

URL names (app "gamification"): rewards, redeem_reward, my_redemptions,
redemption_queue, approve_redemption, refuse_redemption.
"""

from __future__ import annotations

import uuid

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from core.web import login_redirect, refusal, refuse
from gamification.rewards import selectors, services
from gamification.rewards.models import Redemption, Reward
from gamification.rewards.permissions import check_decide_redemption

# Ids are 64-bit; a longer one in the path names nothing (and would overflow the database).
MAX_ID = 2**63 - 1


class RedeemForm(forms.Form):
    key = forms.CharField(max_length=services.REQUEST_KEY_MAX, required=False)


class DecideForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Reason"), max_length=services.REASON_MAX, required=False, strip=True
    )


def _catalogue_context(request: HttpRequest, **extra: object) -> dict:
    user = request.user
    return {
        "rewards": list(selectors.offered_rewards()),
        "balance": selectors.balance(member=user),
        "request_key": uuid.uuid4().hex,
        "may_redeem": user.is_authenticated and not user.is_suspended and user.is_active,
        "nav": "rewards",
        **extra,
    }


@require_GET
def catalogue(request: HttpRequest) -> HttpResponse:
    return render(request, "gamification/rewards.html", _catalogue_context(request))


def _card(request: HttpRequest, reward: Reward, **extra: object) -> dict:
    context = _catalogue_context(request, **extra)
    return {**context, "reward": reward}


@require_POST
def redeem(request: HttpRequest, pk: int) -> HttpResponse:
    reward = selectors.get_offered_reward(pk=pk) if pk <= MAX_ID else None
    if reward is None:
        raise Http404(_("This reward is not offered."))
    if not request.user.is_authenticated:
        return login_redirect(request, reverse("gamification:rewards"))
    form = RedeemForm(request.POST)
    fragment = {"fragment": "gamification/_reward_card.html"}
    if not form.is_valid():
        return refuse(
            request,
            _("This form has expired; please try again."),
            status=400,
            context=_card(request, reward),
            **fragment,
        )
    try:
        services.redeem_reward(
            actor=request.user, reward=reward, request_key=form.cleaned_data["key"]
        )
    except PermissionDenied as exc:
        return refusal(request, exc, context=_card(request, reward), **fragment)
    except ValidationError as exc:
        message = " ".join(exc.messages)
        if request.htmx:
            return refuse(request, message, status=400, context=_card(request, reward), **fragment)
        context = _catalogue_context(request, error_for=reward.pk, error=message)
        return render(request, "gamification/rewards.html", context, status=400)
    text = _("You redeemed “%(reward)s”. Staff will confirm it soon.") % {
        "reward": reward.display_name
    }
    if request.htmx:
        reward.refresh_from_db()
        return render(
            request,
            "gamification/_reward_card.html",
            {**_card(request, reward, done=text), "oob_balance": True},
        )
    messages.success(request, text)
    return redirect("gamification:my_redemptions")


@login_required
@require_GET
def my_redemptions(request: HttpRequest) -> HttpResponse:
    context = {
        "redemptions": list(selectors.redemptions_of(member=request.user)[:100]),
        "balance": selectors.balance(member=request.user),
        "history": selectors.balance_history(member=request.user),
        "nav": "rewards",
    }
    return render(request, "gamification/rewards_mine.html", context)


def _queue_context(**extra: object) -> dict:
    return {
        "pending": list(selectors.pending_redemptions()[:200]),
        "decided": selectors.recently_decided(),
        "nav": "rewards",
        **extra,
    }


@require_GET
def redemption_queue(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        return login_redirect(request, request.get_full_path())
    check_decide_redemption(request.user)
    return render(request, "gamification/rewards_queue.html", _queue_context())


def _decide(request: HttpRequest, pk: int, *, approve: bool) -> HttpResponse:
    if not request.user.is_authenticated:
        return login_redirect(request, reverse("gamification:redemption_queue"))
    check_decide_redemption(request.user)
    if pk > MAX_ID:
        raise Http404
    redemption = get_object_or_404(Redemption.objects.select_related("reward", "member"), pk=pk)
    form = DecideForm(request.POST)
    row = {"fragment": "gamification/_redemption_row.html", "context": {"r": redemption}}
    try:
        if not form.is_valid():
            raise ValidationError(form.errors["reason"])
        reason = form.cleaned_data["reason"]
        if approve:
            decided = services.approve_redemption(
                actor=request.user, redemption=redemption, note=reason
            )
        else:
            decided = services.refuse_redemption(
                actor=request.user, redemption=redemption, reason=reason
            )
    except (PermissionDenied, services.AlreadyDecided) as exc:
        return refusal(request, exc, **row)
    except ValidationError as exc:
        message = " ".join(exc.messages)
        if request.htmx:
            return refuse(request, message, status=400, **row)
        context = _queue_context(error_for=redemption.pk, error=message)
        return render(request, "gamification/rewards_queue.html", context, status=400)
    if request.htmx:
        return render(request, "gamification/_redemption_row.html", {"r": decided})
    if approve:
        text = _("Redemption approved; %(member)s has been notified.")
    else:
        text = _("Redemption refused; the points went back to %(member)s.")
    messages.success(request, text % {"member": decided.member.name})
    return redirect("gamification:redemption_queue")


@require_POST
def approve(request: HttpRequest, pk: int) -> HttpResponse:
    return _decide(request, pk, approve=True)


@require_POST
def refuse_view(request: HttpRequest, pk: int) -> HttpResponse:
    return _decide(request, pk, approve=False)
