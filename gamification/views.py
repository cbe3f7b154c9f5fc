"""The badges, privileges and leaderboard pages: read-only, thin, no JavaScript needed."""

from __future__ import annotations

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from taggit.models import Tag

from core import privileges
from gamification import ranks, selectors
from gamification.models import Period


class LeaderboardForm(forms.Form):
    period = forms.ChoiceField(choices=Period.choices, required=False)
    tag = forms.SlugField(max_length=100, required=False, label=_("Tag"))


def badges_page(request: HttpRequest) -> HttpResponse:
    rows = selectors.badge_catalogue(user=request.user)
    tiers = [
        (tier, label, [r for r in rows if r.tier == tier])
        for tier, label in (("gold", _("Gold")), ("silver", _("Silver")), ("bronze", _("Bronze")))
    ]
    return render(request, "gamification/badges.html", {"tiers": tiers, "nav": "badges"})


def privileges_page(request: HttpRequest) -> HttpResponse:
    rows = privileges.privilege_table(request.user)
    reputation = request.user.reputation if request.user.is_authenticated else None
    upcoming = next((r for r in rows if not r.held), None) if reputation is not None else None
    context = {
        "rows": rows,
        "reputation": reputation,
        "next_privilege": upcoming,
        "missing": upcoming.reputation - reputation if upcoming else None,
        "rank": ranks.rank_for(reputation) if reputation is not None else None,
        "ranks": ranks.all_ranks(),
        "bypass": privileges.bypasses_privileges(request.user),
        "nav": "privileges",
    }
    return render(request, "gamification/privileges.html", context)


def leaderboard_page(request: HttpRequest) -> HttpResponse:
    form = LeaderboardForm(request.GET)
    period, tag = Period.WEEK, None
    if form.is_valid():
        period = form.cleaned_data["period"] or Period.WEEK
        if form.cleaned_data["tag"]:
            tag = Tag.objects.filter(slug=form.cleaned_data["tag"]).first()
    board = selectors.leaderboard_page(user=request.user, period=period, tag=tag)
    context = {
        "board": board,
        "periods": Period.choices,
        "tags": selectors.board_tags(),
        "unknown_tag": bool(form.is_valid() and form.cleaned_data["tag"] and tag is None),
        "me_listed": board.me is not None
        and any(e.member.pk == board.me.member.pk for e in board.entries),
        "nav": "leaderboard",
    }
    return render(request, "gamification/leaderboard.html", context)
