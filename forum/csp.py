"""Content-Security-Policy violation reports: `POST /csp-report/` (django-csp's policy
names it in `report-uri`).

Browsers post `{"csp-report": {...}}` (`application/csp-report`, report-uri) or a list of
reports (`application/reports+json`, the Reporting API). Each is logged on the
"circolo.csp" logger, one line with the fields that say what was blocked where, and
answered 204. The body is capped (MAX_BYTES, 413 beyond), the endpoint is CSRF-exempt
(a browser sends no token with a report) and rate-limited per client address (429), so
it cannot be used to flood the logs.
"""

from __future__ import annotations

import json
import logging

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from core import ratelimit
from core.clientaddr import client_address

logger = logging.getLogger("circolo.csp")

MAX_BYTES = 16 * 1024
RATE = "60/m"
FIELDS = (
    "document-uri",
    "documentURL",
    "violated-directive",
    "effectiveDirective",
    "effective-directive",
    "blocked-uri",
    "blockedURL",
    "source-file",
    "sourceFile",
    "line-number",
    "lineNumber",
    "script-sample",
    "sample",
    "disposition",
)


def _reports(payload: object) -> list[dict]:
    if isinstance(payload, dict) and isinstance(payload.get("csp-report"), dict):
        return [payload["csp-report"]]
    if isinstance(payload, list):
        return [
            item["body"]
            for item in payload
            if isinstance(item, dict) and isinstance(item.get("body"), dict)
        ]
    return []


@csrf_exempt
@require_POST
def csp_report(request: HttpRequest) -> HttpResponse:
    try:
        ratelimit.hit(f"csp-report:{client_address(request)}", RATE)
    except ratelimit.RateLimited as exc:
        response = JsonResponse({"detail": str(exc), "code": "throttled"}, status=429)
        response["Retry-After"] = str(exc.retry_after)
        return response
    length = request.META.get("CONTENT_LENGTH") or "0"
    if not length.isdigit() or int(length) > MAX_BYTES:
        return JsonResponse(
            {"detail": _("The request body is too large."), "code": "too_large"}, status=413
        )
    try:
        payload = json.loads(request.body[: MAX_BYTES + 1] or b"null")
    except (ValueError, UnicodeDecodeError):
        payload = None
    reports = _reports(payload)
    if not reports:
        return JsonResponse(
            {"detail": _("Not a Content-Security-Policy report."), "code": "invalid"}, status=400
        )
    for report in reports[:10]:
        fields = {
            key: str(report[key])[:300] for key in FIELDS if report.get(key) not in (None, "")
        }
        logger.warning("CSP violation: %s", json.dumps(fields, sort_keys=True))
    return HttpResponse(status=204)
