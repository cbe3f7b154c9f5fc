"""The WebSocket side of the ASGI application (mounted by `config.asgi`)."""

from __future__ import annotations

from channels.routing import URLRouter
from django.urls import path

from live.auth import RequireOrigin, TokenOrSessionAuthMiddleware
from live.consumers import LiveConsumer

websocket_urlpatterns = [path("ws/", LiveConsumer.as_asgi())]


def websocket_application():  # noqa: ANN201 - an ASGI application
    """Origin checks first (missing or foreign: refused), then who the member is."""
    return RequireOrigin(TokenOrSessionAuthMiddleware(URLRouter(websocket_urlpatterns)))
