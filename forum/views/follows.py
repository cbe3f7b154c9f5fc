"""Follow buttons (question, tag and category pages) and the "what you follow" page.

The button is a form: without JavaScript it POSTs and comes back to the page; with htmx
it swaps itself for its new state. URL names (app "forum"): follow, following.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from core.web import login_redirect
from forum.follows import selectors, services
from forum.models import Category, Question

KINDS = ("question", "tag", "category")
_MAX_ID = 2**63 - 1


def resolve_target(kind: str, key: str) -> services.Target:
    """The followed thing named in the address; 404 for what does not exist."""
    if kind == "question":
        if not key.isdigit() or not 0 < int(key) <= _MAX_ID:
            raise Http404("No such question.")
        return get_object_or_404(Question.objects.select_related("category"), pk=int(key))
    if kind == "category":
        return get_object_or_404(Category, slug=key)
    if kind == "tag":
        tag = selectors.tag_named(key)
        if tag is None:
            raise Http404("No such tag.")
        return tag
    raise Http404("Nothing to follow here.")


def target_url(target: services.Target) -> str:
    if isinstance(target, Question | Category):
        return target.get_absolute_url()
    from django.urls import reverse

    return reverse("forum:tag", args=[target.slug])


@require_POST
def follow(request: HttpRequest, kind: str, key: str) -> HttpResponse:
    target = resolve_target(kind, key)
    back = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        back, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        back = target_url(target)
    if not request.user.is_authenticated:
        return login_redirect(request, back)
    following = request.POST.get("following") != "0"
    services.set_following(actor=request.user, target=target, following=following)
    if request.htmx:
        context = button_context(request.user, target, following=following, next_url=back)
        return render(request, "forum/_follow_button.html", context)
    return redirect(back)


def button_context(user, target, *, following: bool, next_url: str = "") -> dict:  # noqa: ANN001
    kind = (
        "question"
        if isinstance(target, Question)
        else "category"
        if isinstance(target, Category)
        else "tag"
    )
    key = (
        str(target.pk) if kind == "question" else target.slug if kind == "category" else target.name
    )
    return {
        "follow_kind": kind,
        "follow_key": key,
        "following": following,
        "next_url": next_url or target_url(target),
        "member": user,
    }


@require_GET
@login_required
def following(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "forum/following.html",
        {"following": selectors.following_for(request.user), "nav": ""},
    )


urlpatterns = [
    path("follow/<str:kind>/<path:key>/", follow, name="follow"),
    path("following/", following, name="following"),
]
