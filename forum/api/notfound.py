"""Every API error is JSON: `/api/...` paths that match no endpoint (a non-integer id in
`/api/v1/questions/abc/`, a typo) answer `{"detail", "code": "not_found"}` with 404
rather than Django's HTML page (the debug page under `make run`, where `handler404` is
not used). Mounted last under `api/` (config/urls.py)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, HttpResponsePermanentRedirect, JsonResponse
from django.urls import Resolver404, resolve
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt


@csrf_exempt
def api_not_found(request: HttpRequest) -> HttpResponse:
    path = request.path_info
    if request.method in ("GET", "HEAD") and not path.endswith("/"):
        # What CommonMiddleware's APPEND_SLASH did before this catch-all matched.
        try:
            match = resolve(path + "/")
        except Resolver404:
            match = None
        if match is not None and match.func is not api_not_found:
            query = request.META.get("QUERY_STRING", "")
            return HttpResponsePermanentRedirect(path + "/" + (f"?{query}" if query else ""))
    return JsonResponse({"detail": _("Not found."), "code": "not_found"}, status=404)
