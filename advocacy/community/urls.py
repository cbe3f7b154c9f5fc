"""Community self-moderation pages (included at the site root by config/urls.py)."""

from advocacy.community.views import urlpatterns

app_name = "community"

__all__ = ["app_name", "urlpatterns"]
