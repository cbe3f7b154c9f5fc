"""live.handshake: autobahn's per-connection debug message is built only when rendered."""

from __future__ import annotations

from pprint import pformat

import pytest

from live import handshake

pytestmark = pytest.mark.django_db  # the live layer's autouse fixtures clean up in the database


def test_the_handshake_debug_message_is_formatted_only_when_a_log_renders_it(monkeypatch):
    import daphne.server  # noqa: F401  (as in a process daphne serves)
    from autobahn.websocket import protocol
    from twisted.logger import formatEvent

    monkeypatch.setattr(protocol, "pformat", protocol.pformat)  # restored afterwards
    handshake.install()
    assert protocol.pformat is handshake.DeferredPformat

    options = [("autoPingInterval", 20), ("maxFramePayloadSize", 0)]
    formatted = []
    monkeypatch.setattr(handshake, "pformat", lambda v: formatted.append(v) or pformat(v))
    message = protocol.pformat(options)  # what _connectionMade passes to log.debug
    assert formatted == []
    assert formatEvent({"log_format": "\n{attrs}", "attrs": message}) == "\n" + pformat(options)
    assert formatted == [options]
