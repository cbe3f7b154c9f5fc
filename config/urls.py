from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from forum.live.jsi18n import javascript_catalog
from forum.views import health

urlpatterns = [
    path("", include("forum.urls")),
    path("", include("gamification.urls")),
    path("", include("advocacy.programme.urls")),
    path("", include("advocacy.community.urls")),
    path("", include("advocacy.desk.urls")),
    path("", include("advocacy.mail.urls")),
    path("", include("advocacy.moderation.urls")),
    path("", include("advocacy.health.views")),
    path("accounts/", include("allauth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    # The djangojs catalogue, cached and at a versioned URL (forum.live.jsi18n).
    path("jsi18n/", javascript_catalog, name="javascript-catalog"),
    path("admin/", admin.site.urls),
    path("api/v1/", include("forum.api.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("healthz", health, name="health"),
]

if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
