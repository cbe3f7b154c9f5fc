from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LiveConfig(AppConfig):
    """The live layer (docs/live.md). Other apps register their streams' authorisers in
    their own ready() with `live.streams.register(prefix, authorise)`."""

    name = "live"
    verbose_name = _("Live updates")
