"""core.web: one answer for a refusal, wherever the view lets it escape."""

from __future__ import annotations

import pytest
from django import forms
from django.contrib.messages import get_messages
from django.contrib.messages.storage.fallback import FallbackStorage
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.test import RequestFactory
from django_htmx.middleware import HtmxDetails

from core.ratelimit import RateLimited
from core.web import (
    SWAP_ERROR_HEADER,
    RefusalMiddleware,
    apply_service_errors,
    flashed_errors,
    form_errors,
)


class NoteForm(forms.Form):
    note = forms.CharField()


def _request(*, htmx: bool = False):  # noqa: ANN202
    headers = {"HTTP_HX_REQUEST": "true"} if htmx else {}
    request = RequestFactory().post("/somewhere/", **headers)
    request.htmx = HtmxDetails(request)
    request.session = {}
    request._messages = FallbackStorage(request)
    return request


def _middleware() -> RefusalMiddleware:
    return RefusalMiddleware(lambda request: HttpResponse("ok"))


def test_a_refusal_escaping_a_view_is_a_403_page_with_the_reason(db):
    response = _middleware().process_exception(_request(), PermissionDenied("Not yours."))

    assert response.status_code == 403
    assert "Not yours." in response.content.decode()
    assert SWAP_ERROR_HEADER not in response


def test_an_htmx_refusal_is_an_inline_alert_swapped_in_place(db):
    response = _middleware().process_exception(_request(htmx=True), PermissionDenied("Not yours."))

    assert response.status_code == 403
    assert response.content.decode() == '<p class="inline-alert" role="alert">Not yours.</p>'
    assert response[SWAP_ERROR_HEADER] == "1"


def test_a_refusal_without_a_message_says_it_generically(db):
    response = _middleware().process_exception(_request(htmx=True), PermissionDenied())

    assert "You are not allowed to do that." in response.content.decode()


def test_a_refusal_may_choose_its_status(db):
    class Conflict(PermissionDenied):
        status_code = 409

    response = _middleware().process_exception(_request(htmx=True), Conflict("Taken."))

    assert response.status_code == 409


def test_a_rate_limit_is_a_429_that_says_when_to_retry(db):
    response = _middleware().process_exception(_request(), RateLimited(retry_after=42))

    assert response.status_code == 429
    assert response["Retry-After"] == "42"


def test_other_exceptions_are_left_to_django():
    assert _middleware().process_exception(_request(), ValueError("boom")) is None


def test_service_errors_land_on_their_fields_or_on_the_form():
    form = NoteForm({"note": "hello"})
    form.is_valid()

    apply_service_errors(form, ValidationError({"note": ["Too rude."], "elsewhere": ["Odd."]}))
    apply_service_errors(form, ValidationError("Plain message."))

    assert form.errors["note"] == ["Too rude."]
    assert form.non_field_errors() == ["Odd.", "Plain message."]


def test_form_errors_keeps_what_was_typed_and_stops_the_block():
    form = NoteForm({"note": "hello"})
    form.is_valid()
    reached = []

    with form_errors(form):
        raise ValidationError({"note": ["Too rude."]})
        reached.append(True)  # pragma: no cover

    assert reached == []
    assert form.errors["note"] == ["Too rude."]
    assert form["note"].value() == "hello"


def test_form_errors_lets_refusals_through():
    form = NoteForm({"note": "hello"})

    with pytest.raises(PermissionDenied), form_errors(form):
        raise PermissionDenied("No.")


def test_flashed_errors_flash_one_message():
    request = _request()

    with flashed_errors(request):
        raise ValidationError(["First.", "Second."])

    assert [str(m) for m in get_messages(request)] == ["First. Second."]
