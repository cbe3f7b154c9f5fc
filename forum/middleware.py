from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import translation


class UserLocaleMiddleware:
    """Use the member's chosen language unless the language switcher set a cookie.

    Runs after LocaleMiddleware (which read the cookie and Accept-Language) and after
    authentication, so it can see the member.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and user.locale
            and settings.LANGUAGE_COOKIE_NAME not in request.COOKIES
        ):
            translation.activate(user.locale)
            request.LANGUAGE_CODE = user.locale
        return self.get_response(request)


class LockoutMiddleware:
    """A failed-login lockout raised inside allauth's views (forum.lockout.LockedOut)
    becomes the 429 page with `Retry-After` and the reason."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        from django.shortcuts import render

        from forum.lockout import LockedOut

        if not isinstance(exception, LockedOut):
            return None
        response = render(
            request,
            "429.html",
            {"retry_after": exception.retry_after, "reason": str(exception)},
            status=429,
        )
        response["Retry-After"] = str(exception.retry_after)
        return response
