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

`install()` runs from `live.apps` once per process; it is idempotent.
"""

from __future__ import annotations

_installed = False


def install() -> None:
    global _installed
    if _installed:
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
