"""Webhook fixtures: a real receiver on 127.0.0.1 (private targets allowed for it)."""

from __future__ import annotations

import pytest

from integrations import services
from tests.integrations.receiver import start_receiver


@pytest.fixture
def allow_private(settings):
    settings.CIRCOLO_WEBHOOKS_ALLOW_PRIVATE = True


@pytest.fixture
def receiver(allow_private):
    receiver, server = start_receiver()
    yield receiver
    server.shutdown()
    server.server_close()


@pytest.fixture
def endpoint(manager, receiver):
    """An endpoint on the receiver subscribed to every event (not trusted with e-mails)."""
    from integrations.models import EVENT_TYPES

    return services.create_endpoint(actor=manager, url=receiver.url, events=list(EVENT_TYPES))
