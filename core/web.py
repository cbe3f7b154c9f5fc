"""How the HTML faces turn a service's refusal into a response, in one place.

Services and `check_*` permissions raise; views do not catch to explain:

- `PermissionDenied` escaping a view becomes a 403 that says why (`RefusalMiddleware`):
  the 403 page, or for htmx an inline alert swapped in place. An exception class may set
  `status_code` (e.g. 409 for an item claimed by another moderator).
- The rate limiter's `RateLimited` becomes a 429 with `Retry-After`.
- A `ValidationError` belongs to the form the person filled in: `with form_errors(form):`
  around the service call puts it on the form (per field when the form has it) and the
  view re-renders what they typed. Forms with no page of their own flash it instead
  (`with flashed_errors(request):`).
- Where the reason must appear in a fragment (the vote box, the comment form), the view
  catches and calls `refusal(request, exc, fragment=..., context=...)`.

The REST API maps the same exceptions in its one DRF exception handler
(`forum.api.exceptions`, `REST_FRAMEWORK["EXCEPTION_HANDLER"]`): 403/429 `{"detail",
"code"}`, 400 with field errors.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render, resolve_url
from django.template.loader import render_to_string
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django_htmx.http import HttpResponseClientRedirect

from core.ratelimit import RateLimited

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


def refusal(
    request: HttpRequest,
    exc: Exception,
    *,
    fragment: str | None = None,
    context: dict | None = None,
) -> HttpResponse:
    """The response to a refused act: 429 for a rate limit, else 403 (or the exception's
    `status_code`), with the exception's message or a generic one."""
    retry_after = exc.retry_after if isinstance(exc, RateLimited) else None
    status = 429 if retry_after is not None else getattr(exc, "status_code", 403)
    message = str(exc) or _("You are not allowed to do that.")
    return refuse(
        request, message, status=status, retry_after=retry_after, fragment=fragment, context=context
    )


def is_refusal(exc: Exception) -> bool:
    return isinstance(exc, PermissionDenied | RateLimited)


class RefusalMiddleware:
    """Answer a refusal that escapes a view (see the module docstring); anything else is
    left to Django. Sits after HtmxMiddleware, which sets `request.htmx`."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exc: Exception) -> HttpResponse | None:
        if is_refusal(exc):
            return refusal(request, exc)
        return None


def apply_service_errors(form: forms.Form, exc: ValidationError) -> None:
    """Show a service's ValidationError on the form: per field when the form has it."""
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc)
        return
    for field, errors in exc.error_dict.items():
        form.add_error(field if field in form.fields else None, errors)


@contextmanager
def form_errors(form: forms.Form) -> Iterator[None]:
    """Put a ValidationError raised in the block on `form` and carry on after the block,
    so the view re-renders the form with the error and what the person typed."""
    try:
        yield
    except ValidationError as exc:
        apply_service_errors(form, exc)


@contextmanager
def flashed_errors(request: HttpRequest) -> Iterator[None]:
    """Flash a ValidationError raised in the block as one error message and carry on
    after the block (for buttons whose form has no page to re-render)."""
    try:
        yield
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
