"""A minimal WebSocket client over asyncio streams (RFC 6455, text frames only), for tests
that talk to a real daphne process; the `websockets` package is not a dependency."""

from __future__ import annotations

import asyncio
import base64
import json
import os
import struct


class WebSocketClient:
    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader = reader
        self.writer = writer

    @classmethod
    async def connect(
        cls, host: str, port: int, path: str = "/ws/", headers: dict[str, str] | None = None
    ) -> WebSocketClient:
        reader, writer = await asyncio.open_connection(host, port)
        key = base64.b64encode(os.urandom(16)).decode()
        lines = [
            f"GET {path} HTTP/1.1",
            f"Host: {host}:{port}",
            "Upgrade: websocket",
            "Connection: Upgrade",
            f"Sec-WebSocket-Key: {key}",
            "Sec-WebSocket-Version: 13",
            *(f"{name}: {value}" for name, value in (headers or {}).items()),
        ]
        writer.write(("\r\n".join(lines) + "\r\n\r\n").encode())
        await writer.drain()
        status = await reader.readline()
        while (await reader.readline()) not in (b"\r\n", b""):
            pass
        if b" 101 " not in status:
            writer.close()
            raise ConnectionRefusedError(status.decode().strip())
        return cls(reader, writer)

    async def send_json(self, data: object) -> None:
        payload = json.dumps(data).encode()
        mask = os.urandom(4)
        header = bytes([0x81])
        if len(payload) < 126:
            header += bytes([0x80 | len(payload)])
        elif len(payload) < 65536:
            header += bytes([0x80 | 126]) + struct.pack("!H", len(payload))
        else:
            header += bytes([0x80 | 127]) + struct.pack("!Q", len(payload))
        masked = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
        self.writer.write(header + mask + masked)
        await self.writer.drain()

    async def receive_json(self, timeout: float = 5) -> dict:
        """The next text frame as JSON (pings are answered, other control frames skipped)."""
        while True:
            opcode, payload = await asyncio.wait_for(self._frame(), timeout)
            if opcode == 0x1:
                return json.loads(payload)
            if opcode == 0x8:
                raise ConnectionError("closed by the server")
            if opcode == 0x9:  # ping -> pong
                mask = os.urandom(4)
                self.writer.write(
                    bytes([0x8A, 0x80 | len(payload)])
                    + mask
                    + bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
                )

    async def _frame(self) -> tuple[int, bytes]:
        first, second = await self.reader.readexactly(2)
        length = second & 0x7F
        if length == 126:
            (length,) = struct.unpack("!H", await self.reader.readexactly(2))
        elif length == 127:
            (length,) = struct.unpack("!Q", await self.reader.readexactly(8))
        return first & 0x0F, await self.reader.readexactly(length)

    async def close(self) -> None:
        mask = os.urandom(4)
        self.writer.write(bytes([0x88, 0x80]) + mask)
        try:
            await self.writer.drain()
        finally:
            self.writer.close()
