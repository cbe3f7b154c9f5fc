"""Small pieces shared by the question views: refusals, redirects, post lookups."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render, resolve_url
from django.template.loader import render_to_string
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django_htmx.http import HttpResponseClientRedirect

from core.ratelimit import RateLimited
from forum import selectors
from forum.models import Answer, Question

# htmx does not swap 4xx responses by default; circolo.js swaps those carrying this
# header, so a refused vote or comment shows its reason in place.
SWAP_ERROR_HEADER = "X-Circolo-Swap"


def login_redirect(request: HttpRequest, next_url: str) -> HttpResponse:
    """Send an anonymous visitor to log in, then back to `next_url` (a page, not a POST)."""
    query = QueryDict(mutable=True)
    query["next"] = next_url
    url = f"{resolve_url(settings.LOGIN_URL)}?{query.urlencode(safe='/')}"  # as login_required
    if request.htmx:
        return HttpResponseClientRedirect(url)
    return redirect(url)


def refuse(
    request: HttpRequest,
    message: str,
    *,
    status: int,
    retry_after: int | None = None,
    fragment: str | None = None,
    context: dict | None = None,
) -> HttpResponse:
    """A 4xx answer that tells the person why, as a page or (htmx) as a fragment.

    `fragment` (a partial template) re-renders the element the htmx request targets with
    `error` set, so the reason appears where the person clicked.
    """
    if request.htmx:
        if fragment:
            body = render_to_string(fragment, {**(context or {}), "error": message}, request)
        else:
            body = format_html('<p class="inline-alert" role="alert">{}</p>', message)
        response = HttpResponse(body, status=status)
        response[SWAP_ERROR_HEADER] = "1"
    elif status == 429:
        response = render(request, "429.html", {"retry_after": retry_after}, status=status)
    else:
        response = render(request, "403.html", {"exception": message}, status=status)
    if retry_after is not None:
        response["Retry-After"] = str(retry_after)
    return response


def denied(request: HttpRequest, exc: PermissionDenied, **kwargs) -> HttpResponse:  # noqa: ANN003
    return refuse(request, str(exc) or _("You are not allowed to do that."), status=403, **kwargs)


def too_fast(request: HttpRequest, exc: RateLimited, **kwargs) -> HttpResponse:  # noqa: ANN003
    return refuse(request, str(exc), status=429, retry_after=exc.retry_after, **kwargs)


def get_post(request: HttpRequest, kind: str, pk: int) -> Question | Answer:
    """The question or answer the viewer may see, or 404."""
    if kind == "question":
        return selectors.get_question(pk=pk, user=request.user)
    return selectors.get_answer(pk=pk, user=request.user)


def question_of(post: Question | Answer) -> Question:
    return post if isinstance(post, Question) else post.question


def anchor_url(post: Question | Answer) -> str:
    """Where a post lives on its question page."""
    if isinstance(post, Question):
        return f"{post.get_absolute_url()}#question"
    return f"{post.question.get_absolute_url()}#answer-{post.pk}"
