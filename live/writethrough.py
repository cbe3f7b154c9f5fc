"""Socket writes that skip Twisted's writer registration when nothing is queued.

Daphne serves the sockets on Twisted's asyncio reactor. `FileDescriptor.write` never
sends: it buffers the bytes and registers the connection as a writer
(`loop.add_writer`, an epoll_ctl), the loop calls `doWrite` on the next turn, which
sends and, the buffer being empty, unregisters it (`loop.remove_writer`, another
epoll_ctl). Profiled under P3 (bench/p3_fanout.py, one stream fanned out to 1,000
sockets), registering and unregistering around every frame was 26 % of the server's
CPU, more than the send itself (16 %).

Here a write to a plain TCP or unix-socket connection with nothing already queued
tries `send` at once, as asyncio's own transports do; only what the kernel does not
take (a slow reader, a full buffer) goes through the stock path: buffered, writer
registered, flushed by `doWrite`. Order is kept because the direct send happens only
when the buffer is empty and the connection is not writing. A send that fails (the
peer went away) is handed to the stock path too, so the loss is reported by `doWrite`
as before. TLS connections (Twisted's own TLS; ours terminates in nginx) and
connections closing keep the stock path.

`install()` runs from `config.asgi` and patches only a process that daphne serves (one
that has imported `daphne.server`, as daphne's command line does before it loads the
application): the test workers and the task worker import `config.asgi` without daphne,
and importing Twisted there would cost each of them 0.3-0.9 s of start-up for nothing. It
is idempotent.
"""

from __future__ import annotations

import sys

_installed = False


def install() -> None:
    global _installed
    if _installed or "daphne.server" not in sys.modules:
        return
    from twisted.internet import tcp

    stock_write = tcp.Connection.write

    def write(self, data: bytes) -> None:  # noqa: ANN001
        if (
            type(data) is bytes
            and data
            and not self.TLS
            and self.connected
            and not self.disconnecting
            and not self._writeDisconnected
            and not self._tempDataBuffer
            and self.offset == len(self.dataBuffer)
        ):
            sent = self.writeSomeData(data)
            if isinstance(sent, int) and sent >= 0:
                if sent == len(data):
                    return
                data = data[sent:]
        stock_write(self, data)

    write.__doc__ = stock_write.__doc__
    tcp.Connection.write = write
    _installed = True


# Frames written once per event -----------------------------------------------------------
#
# A frame the hub fans out is the same bytes on every socket: server frames are not masked
# and ours are not compressed (daphne offers no permessage-deflate). autobahn's
# `sendMessage` builds them again for each socket (checks, header, traffic counters, a
# debug log call), about a third of a socket's CPU per frame under P2/P3. `text_frame`
# encodes an event's frame once; `DirectWriter.write` puts those bytes on one daphne
# socket's transport, or says False when that socket must take the stock path.


def text_frame(text: str) -> tuple[bytes, int]:
    """The complete, unmasked, unfragmented RFC 6455 text frame carrying `text`, and the
    size of its payload."""
    payload = text.encode()
    size = len(payload)
    if size <= 125:
        header = bytes((0x81, size))
    elif size <= 0xFFFF:
        header = bytes((0x81, 126)) + size.to_bytes(2, "big")
    else:
        header = bytes((0x81, 127)) + size.to_bytes(8, "big")
    return header + payload, size


class DirectWriter:
    """Writes pre-built frames to one daphne WebSocket connection."""

    def __init__(self, server: object, protocol: object) -> None:
        self.server = server
        self.protocol = protocol

    def write(self, frame: bytes, payload_size: int) -> bool:
        """Write `frame` (from `text_frame`); False when the stock path must send it:
        the socket is not open, a message is being sent in parts, something is queued in
        autobahn, or its options (compression, masking, fragmenting, a size cap, timing
        tracking) would change the bytes. What daphne's `handle_reply` drops (a socket
        already disconnected) is dropped here too."""
        p = self.protocol
        if (
            p.state != p.STATE_OPEN
            or p.send_state != p.SEND_STATE_GROUND
            or p._perMessageCompress is not None
            or p.maskServerFrames
            or p.send_queue
            or p.trackedTimings
            or 0 < p.autoFragmentSize < payload_size
            or 0 < p.maxMessagePayloadSize < payload_size
        ):
            return False
        connection = self.server.connections.get(p)
        if connection is None or connection.get("disconnected"):
            return True
        p.transport.write(frame)
        return True


def direct_writer(send: object) -> DirectWriter | None:
    """The writer of the daphne WebSocket connection behind an ASGI `send`, or None when
    `send` is not daphne's (the test communicator, another server)."""
    from functools import partial

    try:
        from channels.sessions import InstanceSessionWrapper
        from daphne.server import Server
        from daphne.ws_protocol import WebSocketProtocol
    except ImportError:  # pragma: no cover - daphne is a dependency
        return None
    # Channels' session middleware (live.auth) hands the consumer its own `send`, which
    # saves the session on an HTTP response and passes every WebSocket message through
    # untouched: the writer looks through it to daphne's.
    while getattr(send, "__func__", None) is InstanceSessionWrapper.send:
        send = send.__self__.real_send
    if not isinstance(send, partial) or len(send.args) != 1 or send.keywords:
        return None
    server = getattr(send.func, "__self__", None)
    if not isinstance(server, Server) or send.func.__func__ is not Server.handle_reply:
        return None
    protocol = send.args[0]
    if not isinstance(protocol, WebSocketProtocol):
        return None
    return DirectWriter(server, protocol)
