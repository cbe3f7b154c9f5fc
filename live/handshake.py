"""A WebSocket handshake without autobahn's eager debug formatting.

For every connection it accepts, autobahn's `WebSocketProtocol._connectionMade` logs its
configuration at debug level, and builds that message first, whether or not anything
logs debug: `self.log.debug("\\n{attrs}", attrs=pformat(configAttrLog))`, 40 options
pretty-printed. Profiled under a reconnect storm (bench/p4_storm.py, 1,000 sockets in 2
s to one daphne process), that `pformat` was 8 % of the server's CPU.

`install()` gives autobahn's module a `pformat` that defers the work: it returns an
object that pretty-prints when the log message is rendered, which only happens when a
debug observer renders it, and then with the same text. Like `live.writethrough`, it is
installed from `config.asgi` in a process that daphne serves, and is idempotent.
"""

from __future__ import annotations

import sys
from pprint import pformat


class DeferredPformat:
    """`pformat(value)`, computed when (and each time) the text is asked for."""

    __slots__ = ("value",)

    def __init__(self, value: object) -> None:
        self.value = value

    def __str__(self) -> str:
        return pformat(self.value)

    def __format__(self, spec: str) -> str:
        return format(str(self), spec)

    __repr__ = __str__


def install() -> None:
    if "daphne.server" not in sys.modules:
        return
    from autobahn.websocket import protocol

    protocol.pformat = DeferredPformat
