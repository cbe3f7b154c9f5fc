"""ASGI entry point: HTTP through Django, WebSockets through Channels (served by daphne)."""

import os

from config.view_threads import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")

# Django must be set up before anything imports models.
django_asgi_app = get_asgi_application()

from channels.routing import ProtocolTypeRouter  # noqa: E402

from config.gc_tuning import freeze_after_startup  # noqa: E402
from forum.views.fast_list import fast_list_pages  # noqa: E402
from forum.views.questions.fast_page import fast_thread_pages  # noqa: E402
from live import handshake, writethrough  # noqa: E402
from live.routing import websocket_application  # noqa: E402

# daphne's socket writes send at once (live/writethrough.py), and its handshakes format
# no debug message that nothing logs (live/handshake.py). Here, not in the app's ready(),
# and only where daphne serves: importing Twisted costs every other process (seeding, the
# task worker, each test worker) 0.3 s or more.
writethrough.install()
handshake.install()

application = ProtocolTypeRouter(
    {
        # Stored anonymous question pages are served on the event loop, not in Django's
        # one view thread (forum/views/questions/fast_page.py); everything else is Django.
        # Anonymous list pages likewise (forum/views/fast_list.py).
        "http": fast_list_pages(fast_thread_pages(django_asgi_app)),
        # /ws/: the live layer (live); Origin-checked, session or token auth.
        "websocket": websocket_application(),
    }
)

freeze_after_startup()  # collections then walk only what requests leave (config/gc_tuning.py)
