"""Shared pieces of the live benchmarks (P2 delivery, P3 fan-out, P4 connect storm).

- `start_daphne`: the server under test, one daphne process with production settings
  (DEBUG off), its output captured to a log file the benchmarks read errors from.
- The load client: `websockets` connections (no compression, no client pings) that
  subscribe like the site's pages do, and a reader per socket that hands every frame to
  a callback with the time it arrived.
- Counters read from /proc: CPU seconds of a process (all its threads), and how many
  connections a process holds to Redis.
- The baseline of P3, run as its own process: `python bench/wsbench.py bare-server PORT`
  is a bare `websockets` server speaking the same subscribe protocol that broadcasts to
  every socket when a control socket asks it to.
- P3's publisher, also its own process: `python bench/wsbench.py publish GROUP STREAM N`
  waits for a line on stdin, then sends N frames to GROUP through the channel layer as
  fast as it can (what `live.events` does after a commit, without the backlog).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import resource
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
DAPHNE = str(Path(sys.executable).with_name("daphne"))
CLK_TCK = os.sysconf("SC_CLK_TCK")
FD_LIMIT = 16384  # 1,000+ sockets per side, plus Redis and database connections
# Daphne options of a production deployment (see the README): incoming messages capped
# well above LIVE_MAX_MESSAGE_BYTES (the consumer closes on anything bigger than that),
# keepalive pings every 20 s, a socket that does not answer one in 30 s is dropped.
DAPHNE_OPTIONS = [
    "--websocket-max-message-size",
    "65536",
    "--ping-interval",
    "20",
    "--ping-timeout",
    "30",
]


# The listen queue of a production daphne (`-e tcp:port=8000:interface=...:backlog=1024`):
# with Twisted's default of 50, a reconnect storm overflows it while the process is busy,
# and the kernel drops the handshakes (ListenOverflows in /proc/net/netstat).
LISTEN_BACKLOG = 1024
# How long a WebSocket handshake may take before daphne drops it (its default is 5 s). In a
# storm the handshakes queue behind each other; a slow one is better than a dropped one
# that the browser retries on top of the storm. Slow-sending clients are nginx's job.
HANDSHAKE_TIMEOUT_S = 20


def raise_fd_limit(want: int = FD_LIMIT) -> int:
    """Raise this process's open-files limit (children inherit it); returns the new limit."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = want if hard == resource.RLIM_INFINITY else min(want, hard)
    if soft < target:
        resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
        soft = target
    return soft


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_http(url: str, process: subprocess.Popen, log: Path, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited: {log.read_text()[-2000:]}")
        try:
            with urllib.request.urlopen(url, timeout=1) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    process.terminate()
    raise RuntimeError(f"{url} did not answer within {timeout:.0f} s")


def start_daphne(
    port: int,
    log: Path,
    env: dict[str, str] | None = None,
    backlog: int | None = LISTEN_BACKLOG,
    connect_timeout: int | None = HANDSHAKE_TIMEOUT_S,
) -> subprocess.Popen:
    """One daphne process on 127.0.0.1:`port` with this process's environment (plus `env`),
    listening with a queue of `backlog` connections and allowing `connect_timeout` seconds
    for a WebSocket handshake (None: daphne's defaults, 50 and 5 s)."""
    endpoint = f"tcp:port={port}:interface=127.0.0.1"
    if backlog is not None:
        endpoint += f":backlog={backlog}"
    command = [DAPHNE, "-v", "0", "-e", endpoint, *DAPHNE_OPTIONS]
    if connect_timeout is not None:
        command += ["--websocket_connect_timeout", str(connect_timeout)]
    server = subprocess.Popen(
        [*command, "config.asgi:application"],
        cwd=ROOT,
        env={**os.environ, **(env or {})},
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
    )
    wait_for_http(f"http://127.0.0.1:{port}/healthz", server, log)
    return server


def start_bare_server(port: int, log: Path) -> subprocess.Popen:
    server = subprocess.Popen(
        [sys.executable, __file__, "bare-server", str(port)],
        cwd=ROOT,
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
    )
    wait_for_http(f"http://127.0.0.1:{port}/healthz", server, log)
    return server


def stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=10)


def error_lines(log: Path) -> list[str]:
    """Lines of a server log that report an error (tracebacks count once, by their head)."""
    words = ("error", "exception", "traceback", "critical")
    return [
        line.rstrip()
        for line in log.read_text(errors="replace").splitlines()
        if any(word in line.lower() for word in words) and not line.startswith(" ")
    ]


# Counters ---------------------------------------------------------------------------------


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of process `pid`, all threads (from /proc/<pid>/stat)."""
    stat = Path(f"/proc/{pid}/stat").read_text()
    fields = stat[stat.rindex(")") + 2 :].split()
    return (int(fields[11]) + int(fields[12])) / CLK_TCK


def own_cpu_seconds() -> float:
    return time.process_time()


def _socket_inodes(pid: int) -> set[str]:
    inodes = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            target = os.readlink(fd)
        except OSError:
            continue  # closed meanwhile
        if target.startswith("socket:["):
            inodes.add(target[8:-1])
    return inodes


def connections_to(pid: int, port: int) -> int:
    """Established TCP connections that process `pid` holds to remote `port` (e.g. Redis)."""
    inodes = _socket_inodes(pid)
    count = 0
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            fields = line.split()
            remote_port = int(fields[2].rsplit(":", 1)[1], 16)
            if remote_port == port and fields[3] == "01" and fields[9] in inodes:
                count += 1
    return count


def redis_port() -> int:
    return urlsplit(os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")).port or 6379


class CpuMeter:
    """CPU seconds used by the server process and by this process (the load generator)
    between `start()` and `stop()`."""

    def __init__(self, server_pid: int | list[int]) -> None:
        # A list: every process of the layout (daphnes, nginx and its workers, the worker).
        self.server_pids = [server_pid] if isinstance(server_pid, int) else list(server_pid)

    def _server_cpu(self) -> float:
        return sum(cpu_seconds(pid) for pid in self.server_pids)

    def start(self) -> None:
        self.wall = time.perf_counter()
        self.server = self._server_cpu()
        self.client = own_cpu_seconds()

    def stop(self) -> dict[str, float]:
        wall = time.perf_counter() - self.wall
        server = self._server_cpu() - self.server
        client = own_cpu_seconds() - self.client
        return {
            "wall_s": round(wall, 3),
            "server_cpu_s": round(server, 3),
            "client_cpu_s": round(client, 3),
            "server_cpu_share": round(server / wall, 3) if wall else 0.0,
            "client_cpu_share": round(client / wall, 3) if wall else 0.0,
        }


def percentile(values: list[float], p: float) -> float:
    """Nearest-rank percentile (p99 of fewer than 100 values is their maximum)."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * p // 100))  # ceil(len * p / 100)
    return ordered[int(rank) - 1]


def summary_ms(seconds: list[float]) -> dict[str, float]:
    ms = [s * 1000 for s in seconds]
    if not ms:
        return {"n": 0}
    return {
        "n": len(ms),
        "p50": round(statistics.median(ms), 1),
        "p99": round(percentile(ms, 99), 1),
        "max": round(max(ms), 1),
    }


# Load client ------------------------------------------------------------------------------

FrameHandler = Callable[[str, float], None]


class Socket:
    """One client socket: connect, subscribe, then a reader task that passes every frame
    to `on_frame(text, arrival)` (perf_counter seconds) until the socket closes."""

    def __init__(self, connection, on_frame: FrameHandler | None = None) -> None:  # noqa: ANN001
        self.connection = connection
        self.on_frame = on_frame
        self.closed_by_server: str | None = None
        self.reader: asyncio.Task | None = None
        self.counter: FrameCounter | None = None

    @classmethod
    async def open(cls, port: int, timeout: float = 10, on_frame: FrameHandler | None = None):  # noqa: ANN206
        from websockets.asyncio.client import connect

        connection = await connect(
            f"ws://127.0.0.1:{port}/ws/",
            origin=f"http://127.0.0.1:{port}",
            compression=None,  # daphne does not negotiate it; the baseline must not either
            ping_interval=None,  # the server pings; client pings would only add frames
            proxy=None,
            open_timeout=timeout,
            close_timeout=1,
        )
        return cls(connection, on_frame)

    async def subscribe(self, stream: str, since: int | None = None, timeout: float = 10) -> dict:
        """Subscribe and wait for the answer (frames before it go to `on_frame`)."""
        message = {"action": "subscribe", "stream": stream}
        if since is not None:
            message["since"] = since
        await self.connection.send(json.dumps(message))
        async with asyncio.timeout(timeout):
            while True:
                text = await self.connection.recv()
                if '"subscribed"' in text or '"error"' in text:
                    frame = json.loads(text)
                    if frame.get("type") in ("subscribed", "error"):
                        return frame
                if self.on_frame is not None:
                    self.on_frame(text, time.perf_counter())

    def start_reading(self) -> None:
        self.reader = asyncio.get_running_loop().create_task(self._read())

    async def _read(self) -> None:
        from websockets.exceptions import ConnectionClosed

        try:
            async for text in self.connection:
                if self.on_frame is not None:
                    self.on_frame(text, time.perf_counter())
        except ConnectionClosed as closed:
            self.closed_by_server = f"{closed.rcvd.code if closed.rcvd else 'no close frame'}"
        else:
            rcvd = self.connection.close_rcvd
            self.closed_by_server = f"{rcvd.code if rcvd else 'no close frame'}"

    @property
    def is_open(self) -> bool:
        from websockets.protocol import State

        return self.connection.state is State.OPEN

    async def close(self) -> None:
        if self.reader is not None:
            self.reader.cancel()
        with contextlib.suppress(TimeoutError, OSError):
            await asyncio.wait_for(self.connection.close(), 2)


class FrameCounter:
    """Reads a subscribed socket's frames straight off its transport, for fan-out rates.

    The `websockets` client costs ~30 us of CPU per frame received, so one client
    process could not keep up with the bare server it measures (~64,000 frames/s on this
    kind of box) and would make the baseline look slower than it is. After connecting
    and subscribing with `websockets`, the socket's incoming bytes go to this minimal
    RFC 6455 reader instead: server frames are unmasked, so it only parses headers,
    calls `on_frame(payload, arrival)` for text frames and answers pings.
    """

    def __init__(self, sock: Socket, on_frame: Callable[[bytes, float], None]) -> None:
        self.transport = sock.connection.transport
        self.on_frame = on_frame
        self.buffer = bytearray()
        self.closed_by_server: int | None = None  # the close code, if the server closed
        sock.connection.data_received = self.data_received  # this instance only
        self.transport.resume_reading()  # in case the client had paused it (full queue)

    def data_received(self, data: bytes) -> None:
        at = time.perf_counter()
        buffer = self.buffer
        buffer += data
        pos, size = 0, len(buffer)
        while size - pos >= 2:
            opcode, length, header = buffer[pos] & 0x0F, buffer[pos + 1] & 0x7F, 2
            if length == 126:
                if size - pos < 4:
                    break
                length, header = int.from_bytes(buffer[pos + 2 : pos + 4], "big"), 4
            elif length == 127:
                if size - pos < 10:
                    break
                length, header = int.from_bytes(buffer[pos + 2 : pos + 10], "big"), 10
            end = pos + header + length
            if end > size:
                break
            if opcode == 0x1:
                self.on_frame(bytes(buffer[pos + header : end]), at)
            elif opcode == 0x9:
                self.pong(bytes(buffer[pos + header : end]))
            elif opcode == 0x8:
                code = buffer[pos + header : pos + header + 2]
                self.closed_by_server = int.from_bytes(code, "big") if len(code) == 2 else 1005
            pos = end
        del buffer[:pos]

    def pong(self, payload: bytes) -> None:
        mask = os.urandom(4)
        masked = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
        self.transport.write(bytes([0x8A, 0x80 | len(payload)]) + mask + masked)

    @property
    def lost(self) -> bool:
        """The connection ended (closed or dropped by the server, or by us)."""
        return self.transport.is_closing()

    def close(self) -> None:
        """Say goodbye (a masked close frame, 1000) and drop the connection."""
        mask = os.urandom(4)
        code = (1000).to_bytes(2, "big")
        self.transport.write(
            bytes([0x88, 0x82]) + mask + bytes(b ^ mask[i] for i, b in enumerate(code))
        )
        asyncio.get_running_loop().call_later(0.5, self.transport.close)


async def open_subscribed(
    port: int,
    stream: str,
    count: int,
    handler_for: Callable[[int], Callable],
    first: int = 0,
    batch: int = 50,
    raw: bool = False,
) -> list[Socket]:
    """`count` sockets subscribed to `stream`, opened `batch` at a time (not a storm).

    Socket number i (from `first`) reads with `handler_for(i)`: text frames through the
    `websockets` client, or, with `raw`, payload bytes through a FrameCounter (set as
    `sock.counter`) from the moment it is subscribed. Either way every socket is read
    from then on, so its pings are answered: a socket left unread stops reading once
    `websockets` has queued 16 frames, and the server drops it when a ping goes
    unanswered."""
    sockets: list[Socket] = []

    async def one(index: int) -> Socket:
        handler = handler_for(index)
        sock = await Socket.open(port, on_frame=None if raw else handler)
        answer = await sock.subscribe(stream)
        if answer.get("type") != "subscribed":
            raise RuntimeError(f"subscription refused: {answer}")
        if raw:
            sock.counter = FrameCounter(sock, handler)
        else:
            sock.start_reading()
        return sock

    for start in range(first, first + count, batch):
        stop_at = min(start + batch, first + count)
        sockets += await asyncio.gather(*(one(i) for i in range(start, stop_at)))
    return sockets


def load_average() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


async def quiet(counter: Callable[[], int], seconds: float = 1.0, timeout: float = 60) -> None:
    """Wait until `counter()` (frames received so far) has not moved for `seconds`:
    the presence events a burst of subscriptions causes have all arrived."""
    deadline = time.monotonic() + timeout
    last, since = counter(), time.monotonic()
    while time.monotonic() < deadline:
        await asyncio.sleep(0.1)
        now = counter()
        if now != last:
            last, since = now, time.monotonic()
        elif time.monotonic() - since >= seconds:
            return


def ensure_question(title: str) -> int:
    """A benchmark question (built once with a few answers, then reused)."""
    from datetime import UTC, datetime

    from demo.seeding import build_thread
    from forum.models import Question

    existing = Question.objects.filter(title=title).values_list("pk", flat=True).first()
    return existing or build_thread(
        title=title,
        answers=5,
        comments_per_post=1,
        votes_per_post=3,
        anchor=datetime(2026, 1, 1, 12, tzinfo=UTC),
    )


def reset_stream(*streams: str) -> None:
    """Forget the streams' group members and viewers left behind by earlier runs (a server
    that is killed keeps its sockets in the group until `group_expiry`, a day), so sends
    go to this run's sockets only."""
    import redis
    from django.conf import settings

    from live.presence import KEY_PREFIX
    from live.streams import group_name

    prefix = settings.CHANNEL_LAYERS["default"]["CONFIG"].get("prefix", "asgi")
    client = redis.Redis.from_url(settings.REDIS_URL)
    client.delete(
        *(f"{prefix}:group:{group_name(stream)}" for stream in streams),
        *(f"{KEY_PREFIX}:viewers:{stream}" for stream in streams),
    )
    client.close()


def tick_frame(stream: str, n: int) -> str:
    """A typical small event frame (a score change), as `live.events` encodes them."""
    data = {"target": "answer", "id": 1, "score": n}
    return json.dumps(
        {"id": n, "stream": stream, "type": "vote.changed", "data": data}, separators=(",", ":")
    )


# The bare `websockets` broadcast server (P3's baseline) -------------------------------------


async def _bare_server(port: int) -> None:
    from http import HTTPStatus

    from websockets.asyncio.server import broadcast, serve

    subscribers: set = set()

    def healthz(connection, request):  # noqa: ANN001, ANN202
        if request.path == "/healthz":
            return connection.respond(HTTPStatus.OK, "ok\n")
        return None

    async def handler(connection) -> None:  # noqa: ANN001
        async for text in connection:
            message = json.loads(text)
            action = message.get("action")
            if action == "subscribe":
                subscribers.add(connection)
                reply = {"type": "subscribed", "stream": message["stream"], "last_id": 0}
                await connection.send(json.dumps(reply))
            elif action == "broadcast":  # the control socket: send N frames to everyone
                stream = message["stream"]
                for n in range(1, message["count"] + 1):
                    broadcast(subscribers, tick_frame(stream, n))
                    await asyncio.sleep(0)  # let the loop write, as a real server would
                await connection.send(json.dumps({"type": "done"}))
        subscribers.discard(connection)

    async with serve(
        handler,
        "127.0.0.1",
        port,
        compression=None,
        ping_interval=20,
        ping_timeout=30,
        process_request=healthz,
    ) as server:
        await server.serve_forever()


# P3's publisher ---------------------------------------------------------------------------


async def _publish(group: str, stream: str, count: int) -> dict:
    from channels.layers import get_channel_layer

    layer = get_channel_layer()
    await layer.group_send("bench.warm-up", {"type": "live.frame"})  # no members: connects
    sys.stdout.write("ready\n")
    sys.stdout.flush()
    await asyncio.to_thread(sys.stdin.readline)
    started, cpu = time.perf_counter(), own_cpu_seconds()
    for n in range(1, count + 1):
        text = tick_frame(stream, n)
        await layer.group_send(
            group, {"type": "live.frame", "stream": stream, "id": n, "text": text}
        )
    return {
        "publish_s": round(time.perf_counter() - started, 3),
        "publisher_cpu_s": round(own_cpu_seconds() - cpu, 3),
    }


def main(argv: list[str]) -> int:
    if argv[:1] == ["bare-server"]:
        raise_fd_limit()
        asyncio.run(_bare_server(int(argv[1])))
        return 0
    if argv[:1] == ["publish"]:
        sys.path.insert(0, str(ROOT))
        import django

        django.setup()
        result = asyncio.run(_publish(argv[1], argv[2], int(argv[3])))
        sys.stdout.write(json.dumps(result) + "\n")
        return 0
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
