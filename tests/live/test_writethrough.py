"""live.writethrough: a write with nothing queued goes straight to the socket, without
registering the connection as a writer; what the kernel does not take is queued behind,
in order, through Twisted's stock path."""

from __future__ import annotations

import contextlib
import socket
import time
from typing import TYPE_CHECKING

import pytest

from live import writethrough

if TYPE_CHECKING:
    from twisted.internet import tcp

# The suite's autouse fixtures read the gamification tuning from the database.
pytestmark = pytest.mark.django_db


class FakeReactor:
    def __init__(self) -> None:
        self.writers: list[object] = []

    def addWriter(self, writer: object) -> None:  # noqa: N802 - Twisted's interface
        if writer not in self.writers:
            self.writers.append(writer)

    def removeWriter(self, writer: object) -> None:  # noqa: N802
        if writer in self.writers:
            self.writers.remove(writer)

    def addReader(self, reader: object) -> None:  # noqa: N802
        pass

    def removeReader(self, reader: object) -> None:  # noqa: N802
        pass

    def callLater(self, *args: object, **kwargs: object) -> None:  # noqa: N802
        pass


def connection(sock: socket.socket, reactor: FakeReactor) -> tcp.Connection:
    import daphne.server  # noqa: F401  (daphne's command line imports it before the site)
    from twisted.internet import tcp

    writethrough.install()  # as config.asgi does in the server; idempotent
    sock.setblocking(False)
    conn = tcp.Connection(sock, protocol=None, reactor=reactor)
    conn.connected = 1
    return conn


def read_all(sock: socket.socket, size: int) -> bytes:
    sock.settimeout(5)
    chunks, got = [], 0
    while got < size:
        chunk = sock.recv(size - got)
        assert chunk, "peer closed early"
        chunks.append(chunk)
        got += len(chunk)
    return b"".join(chunks)


def test_a_write_with_nothing_queued_is_sent_without_registering_a_writer() -> None:
    ours, peer = socket.socketpair()
    reactor = FakeReactor()
    conn = connection(ours, reactor)
    conn.write(b"first frame")
    conn.write(b"second frame")
    assert reactor.writers == []
    assert conn._tempDataBuffer == []
    assert conn.dataBuffer == b""
    assert read_all(peer, 23) == b"first framesecond frame"
    ours.close()
    peer.close()


def test_what_the_kernel_does_not_take_is_queued_in_order_behind_what_was_sent() -> None:
    ours, peer = socket.socketpair()
    ours.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 4096)
    reactor = FakeReactor()
    conn = connection(ours, reactor)
    big = bytes(range(256)) * 4096  # 1 MiB: more than the socket buffer holds
    conn.write(big)
    assert reactor.writers == [conn]  # the rest waits for doWrite, as stock Twisted does
    conn.write(b"after")  # queued behind, never sent ahead of the rest
    assert conn._tempDataBuffer[-1] == b"after"
    received = bytearray()
    peer.setblocking(False)
    deadline = time.monotonic() + 10
    while len(received) < len(big) + 5 and time.monotonic() < deadline:
        if reactor.writers:
            conn.doWrite()
        with contextlib.suppress(BlockingIOError):
            received += peer.recv(1 << 20)
    assert bytes(received) == big + b"after"
    assert reactor.writers == []
    ours.close()
    peer.close()


def test_a_closed_peer_falls_back_to_the_stock_path() -> None:
    ours, peer = socket.socketpair()
    reactor = FakeReactor()
    conn = connection(ours, reactor)
    peer.close()
    conn.write(b"x" * 10)  # the send fails (EPIPE): no exception, left to doWrite
    assert reactor.writers == [conn]
    assert isinstance(conn.doWrite(), Exception)  # doWrite reports the loss, as stock
    ours.close()


# Frames built once per event (text_frame, direct_writer) ------------------------------------


def parse_frame(frame: bytes) -> tuple[int, bool, str]:
    """(opcode, masked, text) of one complete server frame, per RFC 6455 section 5.2."""
    fin_opcode, mask_len = frame[0], frame[1]
    size, offset = mask_len & 0x7F, 2
    if size == 126:
        size, offset = int.from_bytes(frame[2:4], "big"), 4
    elif size == 127:
        size, offset = int.from_bytes(frame[2:10], "big"), 10
    assert fin_opcode & 0x80, "FIN set: one frame per message"
    assert len(frame) == offset + size
    return fin_opcode & 0x0F, bool(mask_len & 0x80), frame[offset:].decode()


@pytest.mark.parametrize("length", [0, 1, 125, 126, 127, 65535, 65536, 70000])
def test_text_frame_is_one_unmasked_text_frame_of_any_length(length: int) -> None:
    text = ("é" * length)[: length // 2] + "x" * (length - length // 2)
    frame, size = writethrough.text_frame(text)
    assert size == len(text.encode())
    assert parse_frame(frame) == (1, False, text)


def test_text_frame_matches_autobahns_own_framing() -> None:
    from autobahn.websocket.protocol import TrafficStats, WebSocketProtocol

    class Wire(WebSocketProtocol):
        def __init__(self) -> None:
            self.written = b""
            self.factory = type("F", (), {"isServer": True})()
            self.maskServerFrames = False
            self.send_queue = []
            self.logFrames = False
            self.state = WebSocketProtocol.STATE_OPEN
            self.trafficStats = TrafficStats()

        def sendData(self, data: bytes, sync: bool = False, chopsize: int | None = None) -> None:  # noqa: N802, FBT001, FBT002
            self.written += data

    for text in ("{}", '{"id":1,"stream":"question.1","type":"answer.created"}', "ü" * 40000):
        wire = Wire()
        wire.sendFrame(opcode=1, payload=text.encode())
        assert writethrough.text_frame(text)[0] == wire.written


def test_the_direct_writer_is_found_behind_the_session_middlewares_send() -> None:
    """In the server, a consumer's `send` is channels' session wrapper around daphne's
    (live.auth); frames must still take the direct path."""
    from functools import partial

    from channels.sessions import InstanceSessionWrapper
    from daphne.server import Server
    from daphne.ws_protocol import WebSocketProtocol

    server, protocol = Server.__new__(Server), WebSocketProtocol.__new__(WebSocketProtocol)
    daphnes = partial(server.handle_reply, protocol)
    wrapper = InstanceSessionWrapper.__new__(InstanceSessionWrapper)
    wrapper.real_send = daphnes
    for send in (daphnes, wrapper.send):
        writer = writethrough.direct_writer(send)
        assert writer is not None
        assert (writer.server, writer.protocol) == (server, protocol)


def test_no_direct_writer_outside_daphne() -> None:
    async def send(message: dict) -> None:
        pass

    assert writethrough.direct_writer(send) is None
    assert writethrough.direct_writer(None) is None
