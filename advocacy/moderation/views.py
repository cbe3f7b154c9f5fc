"""The moderation pages: flag a post, the queue, an item, its acts, suspensions, the
audit log.

Thin: parse the form, fetch (404 for what the viewer may not see), call one service,
redirect back with a message. A refused act shows why (403) and changes nothing; a claim
someone else holds is a 409. Every page works without JavaScript; with htmx the flag
form opens in place, and `static/js/moderation.js` keeps the queue live on the
`moderation` stream.

URL names (app "moderation"): flag, queue, queue_items, item, resolve, act, claim,
release, suspend, unsuspend, audit.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from advocacy import permissions
from advocacy.models import Flag
from advocacy.moderation import forms, selectors
from advocacy.posts import post_link, visible_post
from advocacy.services import flags as flag_services
from advocacy.services import moderation as services
from core import roles
from core.web import SWAP_ERROR_HEADER, flashed_errors, form_errors, login_redirect, refuse
from forum.models import CloseReason, Question, User
from forum.posts import post_key, thread_of
from live.backlog import last_id

AUDIT_PAGE_SIZE = 50
KINDS = ("question", "answer", "comment")


def _login_or(request: HttpRequest, check) -> HttpResponse | None:  # noqa: ANN001
    """The login redirect for an anonymous visitor, or None when `check(user)` lets the
    member through (it raises PermissionDenied otherwise, answered by core.web)."""
    if not request.user.is_authenticated:
        back = request.get_full_path() if request.method == "GET" else reverse("moderation:queue")
        return login_redirect(request, back)
    check(request.user)
    return None


# Flagging ---------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def flag(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    """The flag form: a page, or (htmx) a fragment under the post."""
    if kind not in KINDS:
        raise Http404
    if not request.user.is_authenticated:
        return login_redirect(request, post_link(visible_post(kind, pk, request.user)))
    post = visible_post(kind, pk, request.user)
    template = "advocacy/_flag_form.html" if request.htmx else "advocacy/flag.html"
    context = {"post": post, "kind": kind, "question": thread_of(post), "nav": "questions"}
    permissions.check_flag_post(request.user, post)
    form = forms.FlagForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with form_errors(form):
            flag_services.raise_flag(
                actor=request.user,
                post=post,
                reason=form.cleaned_data["reason"],
                note=form.cleaned_data["note"],
            )
            done = _("Thank you: the moderators will look at this post.")
            if request.htmx:
                return render(request, "advocacy/_flag_done.html", {"message": done})
            messages.success(request, done)
            return redirect(post_link(post))
    status = 400 if request.method == "POST" else 200
    response = render(request, template, {**context, "form": form}, status=status)
    if request.htmx and status == 400:
        response[SWAP_ERROR_HEADER] = "1"
    return response


# The queue --------------------------------------------------------------------------------


def _queue_context(request: HttpRequest, tab: str) -> dict:
    user = request.user
    moderator = roles.is_moderator(user)
    items = (
        selectors.flag_queue()
        if tab == "flags" and moderator
        else selectors.first_posts_queue(user=user)
    )
    return {
        "tab": tab,
        "items": items,
        "is_moderator": moderator,
        "flag_count": selectors.open_flag_count() if moderator else None,
    }


def _tab(request: HttpRequest) -> str:
    tab = request.GET.get("tab") or ("flags" if roles.is_moderator(request.user) else "first")
    return tab if tab in ("flags", "first") else "flags"


@require_GET
def queue(request: HttpRequest) -> HttpResponse:
    if (refusal := _login_or(request, permissions.check_review_first_posts)) is not None:
        return refusal
    tab = _tab(request)
    if tab == "flags" and not roles.is_moderator(request.user):
        raise PermissionDenied(_("Only advocates and staff can moderate."))
    live_since = last_id("moderation") if roles.is_moderator(request.user) else None
    context = {**_queue_context(request, tab), "nav": "moderation", "live_since": live_since}
    return render(request, "advocacy/queue.html", context)


@require_GET
def queue_items(request: HttpRequest) -> HttpResponse:
    """The queue's list alone, refetched when the `moderation` stream reports a change."""
    if (refusal := _login_or(request, permissions.check_review_first_posts)) is not None:
        return refusal
    tab = _tab(request)
    if tab == "flags" and not roles.is_moderator(request.user):
        raise PermissionDenied(_("Only advocates and staff can moderate."))
    return render(request, "advocacy/_queue_items.html", _queue_context(request, tab))


def _item_post(request: HttpRequest, kind: str, pk: int):  # noqa: ANN202
    if kind not in KINDS:
        raise Http404
    return visible_post(kind, pk, request.user)


@require_GET
def item(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    """One post with its flags, the acts on it, and what the audit log says about it."""
    if (refusal := _login_or(request, permissions.check_review_first_posts)) is not None:
        return refusal
    post = _item_post(request, kind, pk)
    key = post_key(post)
    moderator = roles.is_moderator(request.user)
    flags = selectors.flags_of_post(key) if moderator else []
    open_flags = [f for f in flags if f.is_open]
    queue_name = "flags" if open_flags else "first"
    claims = selectors._claims([f"flags:{key}", f"first:{key}"])  # noqa: SLF001
    language = get_language()
    question = thread_of(post)
    context = {
        "nav": "moderation",
        "post": post,
        "kind": kind,
        "key": key,
        "question": question,
        "flags": flags,
        "open_flags": open_flags,
        "is_moderator": moderator,
        "claim": claims.get(f"{queue_name}:{key}"),
        "queue_item": f"{queue_name}:{key}",
        "history": selectors.audit_entries_for(post)[:50] if moderator else [],
        "resolve_form": forms.ResolveForm(language=language),
        "act_form": forms.ActForm(language=language),
        "close_form": forms.CloseForm(language=language),
        "move_form": forms.MoveForm(language=language, initial={"category": question.category}),
        "retag_form": forms.RetagForm(
            language=language, initial={"tags": " ".join(sorted(question.tags.names()))}
        ),
        "can_suspend": permissions.can_suspend_member(request.user, post.author),
        "is_first_post": not open_flags,
    }
    return render(request, "advocacy/item.html", context)


def _back(kind: str, pk: int) -> HttpResponse:
    return redirect("moderation:item", kind=kind, pk=pk)


def _run(request: HttpRequest, act, done: str, *, kind: str, pk: int) -> HttpResponse:  # noqa: ANN001
    with flashed_errors(request):
        act()
        messages.success(request, done)
    return _back(kind, pk)


@require_POST
def resolve(request: HttpRequest, pk: int) -> HttpResponse:
    if (refusal := _login_or(request, permissions.check_moderate)) is not None:
        return refusal
    found = get_object_or_404(Flag, pk=pk)
    kind, _colon, post_pk = found.post_key.partition(":")
    form = forms.ResolveForm(request.POST, language=get_language())
    if not form.is_valid():
        messages.error(request, " ".join(e for errs in form.errors.values() for e in errs))
        return _back(kind, int(post_pk))
    return _run(
        request,
        lambda: flag_services.resolve_flags(
            actor=request.user,
            flag=found,
            action=form.cleaned_data["action"],
            note=form.chosen_reason(),
        ),
        _("The flags are resolved."),
        kind=kind,
        pk=int(post_pk),
    )


ACTS = {
    "hide": (forms.ActForm, lambda u, p, f, r: services.hide_post(actor=u, post=p, reason=r)),
    "unhide": (forms.ActForm, lambda u, p, f, r: services.unhide_post(actor=u, post=p, reason=r)),
    "lock": (
        forms.ActForm,
        lambda u, p, f, r: services.set_question_lock(
            actor=u, question=thread_of(p), locked=True, reason=r
        ),
    ),
    "unlock": (
        forms.ActForm,
        lambda u, p, f, r: services.set_question_lock(
            actor=u, question=thread_of(p), locked=False, reason=r
        ),
    ),
    "reopen": (
        forms.ActForm,
        lambda u, p, f, r: services.reopen_question(actor=u, question=thread_of(p), reason=r),
    ),
    "close": (
        forms.CloseForm,
        lambda u, p, f, r: services.close_question(
            actor=u,
            question=thread_of(p),
            reason=f["close_reason"],
            note=r,
            duplicate_of=(
                Question.objects.filter(pk=f["duplicate_of"]).first()
                if f.get("duplicate_of")
                else None
            ),
        ),
    ),
    "move": (
        forms.MoveForm,
        lambda u, p, f, r: services.move_question(
            actor=u, question=thread_of(p), category=f["category"], reason=r
        ),
    ),
    "retag": (
        forms.RetagForm,
        lambda u, p, f, r: services.retag_question(
            actor=u, question=thread_of(p), tags=f["tags"], reason=r
        ),
    ),
}

ACT_DONE = {
    "hide": gettext_lazy("The post is hidden."),
    "unhide": gettext_lazy("The post is visible again."),
    "lock": gettext_lazy("The question is locked."),
    "unlock": gettext_lazy("The question is unlocked."),
    "reopen": gettext_lazy("The question is reopened."),
    "close": gettext_lazy("The question is closed."),
    "move": gettext_lazy("The question is moved."),
    "retag": gettext_lazy("The question is retagged."),
}


@require_POST
def act(request: HttpRequest, kind: str, pk: int, action: str) -> HttpResponse:
    """One moderation act on a post (or its thread) from the item page."""
    if action == "approve":
        if (refusal := _login_or(request, permissions.check_review_first_posts)) is not None:
            return refusal
        post = _item_post(request, kind, pk)
        if kind == "comment":
            raise Http404
        return _run(
            request,
            lambda: services.approve_first_post(actor=request.user, post=post),
            _("The first post is reviewed."),
            kind=kind,
            pk=pk,
        )
    if action not in ACTS:
        raise Http404
    if (refusal := _login_or(request, permissions.check_moderate)) is not None:
        return refusal
    post = _item_post(request, kind, pk)
    form_class, service = ACTS[action]
    form = form_class(request.POST, language=get_language())
    if not form.is_valid():
        messages.error(request, " ".join(e for errs in form.errors.values() for e in errs))
        return _back(kind, pk)
    if action == "close" and form.cleaned_data["close_reason"] == CloseReason.DUPLICATE:
        duplicate = form.cleaned_data.get("duplicate_of")
        if duplicate and not Question.objects.filter(pk=duplicate).exists():
            messages.error(request, _("There is no question with that number."))
            return _back(kind, pk)
    return _run(
        request,
        lambda: service(request.user, post, form.cleaned_data, form.chosen_reason()),
        str(ACT_DONE[action]),
        kind=kind,
        pk=pk,
    )


@require_POST
def claim(request: HttpRequest) -> HttpResponse:
    return _claim_or_release(request, services.claim_item, _("You are working on this item."))


@require_POST
def release(request: HttpRequest) -> HttpResponse:
    return _claim_or_release(request, services.release_item, _("The item is free again."))


def _claim_or_release(request: HttpRequest, service, done: str) -> HttpResponse:  # noqa: ANN001
    if (refusal := _login_or(request, permissions.check_review_first_posts)) is not None:
        return refusal
    item_name = str(request.POST.get("item", ""))[:60]
    _queue, _colon, key = item_name.partition(":")
    kind, _colon, pk = key.partition(":")
    if kind not in KINDS or not pk.isdigit():
        return refuse(request, _("Unknown queue item."), status=400)
    _item_post(request, kind, int(pk))
    return _run(
        request,
        lambda: service(actor=request.user, item=item_name),
        done,
        kind=kind,
        pk=int(pk),
    )


# Suspensions ------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def suspend(request: HttpRequest, username: str) -> HttpResponse:
    if (refusal := _login_or(request, permissions.check_moderate)) is not None:
        return refusal
    member = get_object_or_404(User, username=username)
    permissions.check_suspend_member(request.user, member)
    form = forms.SuspendForm(request.POST or None, language=get_language())
    if request.method == "POST" and form.is_valid():
        with form_errors(form):
            services.suspend_member(
                actor=request.user,
                member=member,
                days=form.cleaned_data["days"],
                reason=form.chosen_reason(),
            )
            messages.success(request, _("%(name)s is suspended.") % {"name": member.name})
            return redirect("moderation:suspend", username=member.username)
    status = 400 if request.method == "POST" else 200
    context = {"nav": "moderation", "member": member, "form": form}
    return render(request, "advocacy/suspend.html", context, status=status)


@require_POST
def unsuspend(request: HttpRequest, username: str) -> HttpResponse:
    if (refusal := _login_or(request, permissions.check_moderate)) is not None:
        return refusal
    member = get_object_or_404(User, username=username)
    with flashed_errors(request):
        services.unsuspend_member(
            actor=request.user, member=member, reason=str(request.POST.get("reason", ""))
        )
        messages.success(request, _("The suspension is lifted."))
    return redirect("moderation:suspend", username=member.username)


# The audit log ----------------------------------------------------------------------------


@require_GET
def audit(request: HttpRequest) -> HttpResponse:
    if (refusal := _login_or(request, permissions.check_view_audit_log)) is not None:
        return refusal
    form = forms.AuditFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    entries = selectors.audit_entries(
        actor=filters.get("actor") or "",
        action=filters.get("action") or "",
        target_type=filters.get("target_type") or "",
        since=filters.get("since"),
        until=filters.get("until"),
    )
    page = Paginator(entries, AUDIT_PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"nav": "moderation", "form": form, "page_obj": page}
    return render(request, "advocacy/audit.html", context)
