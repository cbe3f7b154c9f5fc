"""The two server layouts the benchmarks measure, each started and stopped as a whole.

- "one process": one daphne on a TCP port, as `make run` serves the site.
- "nginx": the production layout of the README: nginx (deploy/nginx.conf, rendered with
  the bench's port, paths and user, and without its TLS lines) in front of one daphne per
  core on unix sockets (`--proxy-headers`, the same daphne options as production), plus
  the task worker beside them.

    with start_layout("nginx", workers=2) as layout:
        layout.port        # what the clients connect to (HTTP and WebSockets)
        layout.pids        # the server processes whose CPU counts (daphnes, nginx, worker)
        layout.logs        # the logs the benchmarks read errors from

When nginx is not installed, `nginx_available()` says why and the benchmarks skip that
layout with a clear line (`make bench` installs it: `apt-get install -y nginx`).
"""

from __future__ import annotations

import contextlib
import getpass
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from wsbench import (
    DAPHNE,
    DAPHNE_OPTIONS,
    HANDSHAKE_TIMEOUT_S,
    LISTEN_BACKLOG,
    ROOT,
    free_port,
    start_daphne,
    stop,
    wait_for_http,
)

NGINX_CONF = ROOT / "deploy" / "nginx.conf"
LAYOUTS = ("one process", "nginx")
DEFAULT_WORKERS = os.cpu_count() or 2  # one daphne per core, as the README says


@dataclass
class Layout:
    name: str
    port: int
    pids: list[int]
    logs: list[Path]
    processes: list[subprocess.Popen] = field(default_factory=list)
    description: str = ""


def nginx_binary() -> str | None:
    return shutil.which("nginx") or next(
        (p for p in ("/usr/sbin/nginx", "/usr/local/sbin/nginx") if Path(p).exists()), None
    )


def nginx_available() -> str | None:
    """None when nginx can be run, else why not."""
    if nginx_binary() is None:
        return "nginx is not installed (make bench installs it: apt-get install -y nginx)"
    return None


def _replace_once(text: str, old: str, new: str) -> str:
    if text.count(old) != 1:
        raise RuntimeError(f"deploy/nginx.conf: expected {old!r} once, found {text.count(old)}")
    return text.replace(old, new)


def render_nginx_conf(port: int, run_dir: Path, workers: int) -> str:
    """deploy/nginx.conf as the bench runs it: its port, a run directory of its own for
    the sockets, pid and logs, this checkout's static files, this user, plain HTTP (TLS is
    the same for both layouts' clients and is left out of the measure)."""
    text = NGINX_CONF.read_text()
    text = _replace_once(text, "user www-data;", f"user {getpass.getuser()};")
    text = _replace_once(text, "pid /run/circolo/nginx.pid;", f"pid {run_dir}/nginx.pid;")
    text = _replace_once(
        text,
        "error_log /var/log/nginx/circolo.error.log warn;",
        f"error_log {run_dir}/nginx-error.log warn;",
    )
    text = _replace_once(text, "listen 443 ssl;", f"listen 127.0.0.1:{port} backlog=4096;")
    text = "".join(line for line in text.splitlines(True) if "ssl_certificate" not in line)
    servers = "".join(
        f"        server unix:/run/circolo/daphne-{n}.sock;\n" for n in range(1, workers + 1)
    )
    text = _replace_once(
        text,
        "        server unix:/run/circolo/daphne-1.sock;\n"
        "        server unix:/run/circolo/daphne-2.sock;\n",
        servers,
    )
    # Temporary files of nginx's own, so that no system directory needs to be writable.
    temp = "".join(
        f"    {kind}_temp_path {run_dir}/{kind}_temp;\n"
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    text = _replace_once(text, "http {\n", "http {\n" + temp)
    text = text.replace("/run/circolo/", f"{run_dir}/").replace("/srv/circolo/", f"{ROOT}/")
    return text


def daphne_unix_command(sock: Path) -> list[str]:
    """The production daphne command of the README, on a unix socket."""
    return [
        DAPHNE,
        "-v",
        "0",
        "-e",
        f"unix:{sock}:backlog={LISTEN_BACKLOG}:mode=666",
        "--proxy-headers",
        *DAPHNE_OPTIONS,
        "--websocket_connect_timeout",
        str(HANDSHAKE_TIMEOUT_S),
        "config.asgi:application",
    ]


@contextlib.contextmanager
def start_layout(
    name: str, workers: int = DEFAULT_WORKERS, env: dict[str, str] | None = None
) -> Iterator[Layout]:
    if name == "one process":
        port = free_port()
        log = Path(tempfile.gettempdir()) / f"circolo-bench-daphne-{port}.log"
        server = start_daphne(port, log, env=env)
        try:
            yield Layout(
                name,
                port,
                [server.pid],
                [log],
                [server],
                "daphne, 1 process (TCP), config.settings.prod (DEBUG off)",
            )
        finally:
            stop(server)
        return
    if name != "nginx":
        raise ValueError(name)
    problem = nginx_available()
    if problem:
        raise RuntimeError(problem)
    run_dir = Path(tempfile.mkdtemp(prefix="circolo-bench-nginx-"))
    port = free_port()
    full_env = {**os.environ, **(env or {})}
    processes: list[subprocess.Popen] = []
    logs: list[Path] = []
    try:
        for n in range(1, workers + 1):
            log = run_dir / f"daphne-{n}.log"
            logs.append(log)
            processes.append(
                subprocess.Popen(
                    daphne_unix_command(run_dir / f"daphne-{n}.sock"),
                    cwd=ROOT,
                    env=full_env,
                    stdout=log.open("w"),
                    stderr=subprocess.STDOUT,
                )
            )
        worker_log = run_dir / "worker.log"
        logs.append(worker_log)
        processes.append(
            subprocess.Popen(
                [sys.executable, "manage.py", "run_worker", "--no-reload", "--queue-name", "*"],
                cwd=ROOT,
                env=full_env,
                stdout=worker_log.open("w"),
                stderr=subprocess.STDOUT,
            )
        )
        conf = run_dir / "nginx.conf"
        conf.write_text(render_nginx_conf(port, run_dir, workers))
        nginx_log = run_dir / "nginx-error.log"
        nginx = subprocess.Popen(
            [nginx_binary(), "-c", str(conf), "-p", str(run_dir), "-g", "daemon off;"],
            stdout=(run_dir / "nginx.out").open("w"),
            stderr=subprocess.STDOUT,
        )
        processes.append(nginx)
        for n in range(1, workers + 1):  # every daphne answers through its own socket
            _wait_for_socket(run_dir / f"daphne-{n}.sock", processes[n - 1], logs[n - 1])
        wait_for_http(f"http://127.0.0.1:{port}/healthz", nginx, run_dir / "nginx.out")
        _wait_for_quiet_worker(processes[workers], worker_log)
        pids = [p.pid for p in processes] + _children(nginx.pid)
        yield Layout(
            "nginx",
            port,
            pids,
            [*logs, nginx_log],
            processes,
            f"nginx {_nginx_version()} (deploy/nginx.conf) in front of {workers} daphne "
            "processes on unix sockets plus the task worker, config.settings.prod",
        )
    finally:
        for process in reversed(processes):  # the run directory stays: its logs are read
            if process.poll() is None:
                stop(process)


def _wait_for_quiet_worker(worker: subprocess.Popen, log: Path, timeout: float = 300) -> None:
    """Until the layout's task worker has started (it ran a probe task) and has nothing
    left to do: no task due or running, no periodic job due. Its start-up (a second of
    CPU) and the periodic jobs it finds due (every job, for the first layout of a run;
    none for the next one, started seconds later) otherwise land in whichever variant is
    measured first: in P4 the first nginx variant spent 4 s of CPU where the second
    spent 2.2. The probe is the settlement of a vote by no member, which pays nothing."""
    from django.db.models import Q
    from django.utils import timezone
    from django_tasks import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    from core.models import PeriodicJob
    from gamification.tasks import settle_vote

    since = timezone.now()
    probe = DBTaskResult.objects.filter(pk=settle_vote.enqueue(0, 0, None, 0, 1).id)
    deadline = time.monotonic() + timeout
    while True:
        now = timezone.now()
        busy = DBTaskResult.objects.filter(
            Q(status=TaskResultStatus.READY, run_after__lte=now)
            | Q(status=TaskResultStatus.RUNNING, started_at__gte=since)
        )
        due = PeriodicJob.objects.filter(enabled=True, next_run_at__lte=now)
        if not probe.filter(status=TaskResultStatus.READY).exists() and not (
            busy.exists() or due.exists()
        ):
            break
        if worker.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError(f"task worker not ready and idle: {log.read_text()[-2000:]}")
        time.sleep(0.1)
    probe.delete()


def _wait_for_socket(
    sock: Path, process: subprocess.Popen, log: Path, timeout: float = 120
) -> None:
    deadline = time.monotonic() + timeout
    while not sock.exists():
        if process.poll() is not None:
            raise RuntimeError(f"daphne exited: {log.read_text()[-2000:]}")
        if time.monotonic() > deadline:
            raise RuntimeError(f"daphne did not open {sock} within {timeout:.0f} s")
        time.sleep(0.1)


def _children(pid: int) -> list[int]:
    """nginx's worker processes (their CPU is the proxy's cost)."""
    try:
        text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    except OSError:
        return []
    return [int(p) for p in text.split()]


def _nginx_version() -> str:
    out = subprocess.run([nginx_binary(), "-v"], capture_output=True, text=True).stderr
    return out.strip().rsplit("/", 1)[-1]
