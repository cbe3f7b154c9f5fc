"""The advocate programme's pages (included at the site root by config/urls.py)."""

from advocacy.programme.views import urlpatterns

app_name = "programme"

__all__ = ["app_name", "urlpatterns"]
