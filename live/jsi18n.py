"""The JavaScript catalogue (`/jsi18n/`, domain djangojs) that live.js speaks from, cached.

Django's `JavaScriptCatalog` loads and merges the catalogues and serialises them on every
request: a few milliseconds of CPU for a file that only changes with a deploy, fetched by
every page view. Here it is built once per language and catalogue version and kept in
the cache, and the pages ask for it at a versioned URL (`{% javascript_catalog_url %}`:
`/jsi18n/?v=<version>&lang=<code>`) that browsers and proxies may keep for a year: the
version is a digest of the compiled `djangojs.mo` files, so new translations get a new
URL. The plain `/jsi18n/` still answers in the request's language, revalidated by ETag.
"""

from __future__ import annotations

import hashlib
from functools import lru_cache
from pathlib import Path

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse, HttpResponseNotModified
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.translation import get_language, override
from django.views.decorators.http import require_GET
from django.views.i18n import JavaScriptCatalog

CATALOGUE_SECONDS = 24 * 3600
YEAR = 365 * 24 * 3600


@lru_cache(maxsize=1)
def catalogue_version() -> str:
    """A digest of the compiled JavaScript catalogues (read once per process: a deploy
    that brings new translations restarts the processes)."""
    digest = hashlib.blake2b(digest_size=6)
    for directory in sorted(str(p) for p in settings.LOCALE_PATHS):
        for mo in sorted(Path(directory).glob("*/LC_MESSAGES/djangojs.mo")):
            digest.update(str(mo.relative_to(directory)).encode())
            digest.update(mo.read_bytes())
    return digest.hexdigest()


def catalogue_url(language: str | None = None) -> str:
    """The versioned URL of the catalogue in `language` (the active one by default)."""
    return (
        f"{reverse('javascript-catalog')}?v={catalogue_version()}&lang={language or get_language()}"
    )


def _language(request: HttpRequest) -> str:
    asked = request.GET.get("lang", "")
    return asked if asked in dict(settings.LANGUAGES) else get_language()


@require_GET
def javascript_catalog(request: HttpRequest) -> HttpResponse:
    language = _language(request)
    version = catalogue_version()
    etag = f'"{version}-{language}"'
    # At its versioned URL the answer never changes; elsewhere it follows the language.
    versioned = request.GET.get("v") == version and request.GET.get("lang") == language
    if etag in request.headers.get("If-None-Match", ""):
        response = HttpResponseNotModified()
    else:
        key = f"jsi18n:{version}:{language}"
        content = cache.get(key)
        if content is None:
            with override(language):
                content = JavaScriptCatalog.as_view()(request).content
            cache.set(key, content, CATALOGUE_SECONDS)
        response = HttpResponse(content, content_type="text/javascript; charset=utf-8")
    response["ETag"] = etag
    if versioned:
        response["Cache-Control"] = f"public, max-age={YEAR}, immutable"
    else:
        response["Cache-Control"] = "no-cache"
        patch_vary_headers(response, ("Accept-Language", "Cookie"))
    return response
