from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.shortcuts import redirect
from django.templatetags.static import static as static_url
from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from forum.api.notfound import api_not_found
from forum.csp import csp_report
from forum.views import health
from live.jsi18n import javascript_catalog


def favicon(request):
    """Pages that name no icon (the admin's) make the browser ask for /favicon.ico."""
    return redirect(static_url("favicon.svg"))


urlpatterns = [
    path("", include("forum.urls")),
    path("", include("gamification.urls")),
    path("", include("advocacy.programme.views")),
    path("", include("advocacy.community.views")),
    path("", include("advocacy.desk.urls")),
    path("", include("notifications.urls")),
    path("", include("notifications.mail.urls")),
    path("", include("advocacy.moderation.urls")),
    path("feeds/", include("integrations.urls")),
    path("", include("privacy.urls")),
    path("", include("advocacy.health.views")),
    path("", include("advocacy.automation.views")),
    path("accounts/", include("allauth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    # The djangojs catalogue, cached and at a versioned URL (live.jsi18n).
    path("jsi18n/", javascript_catalog, name="javascript-catalog"),
    path("admin/", admin.site.urls),
    path("api/v1/", include("config.api_urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # The split view serves Swagger UI's start-up script as a file: no inline script (CSP).
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
    path("csp-report/", csp_report, name="csp-report"),
    # Last of the api/ paths: whatever matched none of them is a JSON 404 (forum.api.notfound),
    # a path with a line break in it included (a prefix, not `.*$`, which stops at one).
    re_path(r"^api/", api_not_found, name="api-not-found"),
    path("healthz", health, name="health"),
    path("favicon.ico", favicon, name="favicon"),
]

if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
