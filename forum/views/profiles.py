"""Members' public profiles and the profile settings page."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from forum import selectors, services
from forum.models import User
from forum.profile_forms import ProfileForm

POSTS_PER_PAGE = 20


@dataclass(frozen=True)
class ProfileTab:
    key: str
    label: str


PROFILE_TABS = (
    ProfileTab("questions", gettext_lazy("Questions")),
    ProfileTab("answers", gettext_lazy("Answers")),
    ProfileTab("accepted", gettext_lazy("Accepted answers")),
)
PROFILE_TAB_KEYS = {tab.key: tab for tab in PROFILE_TABS}


def profile(request: HttpRequest, username: str) -> HttpResponse:
    """A member's page: who they are, their numbers and their posts, one tab at a time.

    Deleted posts appear only to their author and to moderators (the visible_* scopes).
    """
    member = get_object_or_404(User, username=username, is_active=True)
    stats = selectors.member_stats(member, request.user)
    # Open on what the member does: a helper who never asked starts on their answers.
    default = PROFILE_TABS[1] if stats["answers"] and not stats["questions"] else PROFILE_TABS[0]
    tab = PROFILE_TAB_KEYS.get(request.GET.get("tab", ""), default)
    if tab.key == "questions":
        posts = selectors.question_list(user=request.user, author=member)
    else:
        posts = selectors.member_answers(
            member=member, user=request.user, accepted_only=tab.key == "accepted"
        )
    page_obj = Paginator(posts, POSTS_PER_PAGE).get_page(request.GET.get("page"))
    context = {
        "member": member,
        "stats": stats,
        "tabs": PROFILE_TABS,
        "current_tab": tab,
        "page_obj": page_obj,
        "is_self": request.user.is_authenticated and request.user.pk == member.pk,
    }
    return render(request, "forum/profile.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def profile_edit(request: HttpRequest) -> HttpResponse:
    member = request.user
    if request.method == "POST":
        form = ProfileForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                services.update_profile(
                    actor=request.user,
                    member=member,
                    display_name=form.cleaned_data["display_name"],
                    bio=form.cleaned_data["bio"],
                    locale=form.cleaned_data["locale"],
                    avatar=form.avatar_change(),
                )
            except ValidationError as error:
                _add_errors(form, error)
            else:
                messages.success(request, _("Your profile has been saved."))
                return redirect(member.get_absolute_url())
    else:
        form = ProfileForm(
            initial={
                "display_name": member.display_name,
                "bio": member.bio,
                "locale": member.locale,
            }
        )
    return render(request, "forum/profile_edit.html", {"form": form, "member": member})


def _add_errors(form: ProfileForm, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, messages_ in error.message_dict.items():
            form.add_error(field if field in form.fields else None, messages_)
    else:
        form.add_error(None, error.messages)


urlpatterns = [
    path("u/<str:username>/", profile, name="profile"),
    path("settings/profile/", profile_edit, name="profile_edit"),
]
