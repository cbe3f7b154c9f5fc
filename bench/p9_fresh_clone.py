"""P9: a fresh clone to the first page of `make run`, and to the first test of `make test`.

Each path starts from `git clone` of the committed HEAD into an empty folder, with empty
package caches and uv not installed (the Makefile bootstraps it from PyPI), as on a new
machine. Measured beside the pip path in the same run: the same clone, but the virtualenv
made the way the Makefile did before the lock (`pip install -e .`, resolving the ranges in
pyproject.toml), then the same `make` target.

  uv  = the Makefile as shipped (`uv sync --frozen` from uv.lock; `make test` adds the
        browser suite's and the linters' tools when the browser suite starts)
  pip = python3 -m venv + pip install -e '.[extras]' (for `make test`, every test tool,
        browser and linters included, as the Makefile installed them before the lock),
        then the same `make` target, which finds everything installed (and no uv)

Target (issue 17): each uv time at most a third of the pip time. The site runs on SQLite
with dev settings, as a new user's does; the terminal output of `make run` is kept and its
lines reported with the time each arrived (one line per step, nothing from the installers).
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PORT = int(os.environ.get("BENCH_FRESH_PORT", "8291"))
TIMEOUT = 15 * 60
# pytest -q prints one character per result ('.', 's', 'x', 'F', ...) on a line of its own.
FIRST_RESULT = re.compile(r"^[.sxXFE]+")
# What the clone's processes must not inherit from the benchmark runner. A new machine
# has no PYTHONDONTWRITEBYTECODE either: inherited, it makes every Python process of the
# clone compile the modules it imports again (pip precompiles what it installs, uv does
# not), several seconds of each start-up that no user's machine pays.
DROPPED = (
    "PYTHONDONTWRITEBYTECODE",
    "DATABASE_URL",
    "REDIS_URL",
    "DJANGO_SETTINGS_MODULE",
    "SECRET_KEY",
    "ALLOWED_HOSTS",
    "PYTHONPATH",
    "VIRTUAL_ENV",
    "SECURE_SSL_REDIRECT",
    "SECURE_HSTS_SECONDS",
    "CONN_MAX_AGE",
    "LOG_LEVEL",
)


def _env(scratch: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in DROPPED}
    env["UV_CACHE_DIR"] = str(scratch / "uv-cache")
    env["PIP_CACHE_DIR"] = str(scratch / "pip-cache")
    env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    return env


def _clone(scratch: Path, name: str) -> Path:
    target = scratch / name
    subprocess.run(["git", "clone", "-q", str(ROOT), str(target)], check=True)
    return target


def _pip_venv(clone: Path, env: dict[str, str], extras: str) -> None:
    """The virtualenv as the Makefile made it before uv.lock existed."""
    pip = [".venv/bin/pip", "install", "-q"]
    for command in (
        ["python3", "-m", "venv", ".venv"],
        [*pip, "--upgrade", "pip"],
        [*pip, "-e", f".{extras}"],
    ):
        subprocess.run(command, cwd=clone, env=env, check=True, capture_output=True)
    stamps = [".venv/.installed"]
    if extras:
        stamps += [".venv/.installed-test", ".venv/.installed-browser", ".venv/.installed-lint"]
    for stamp in stamps:
        (clone / stamp).touch()


def _stop(proc: subprocess.Popen) -> None:
    try:
        os.killpg(proc.pid, signal.SIGINT)
        proc.wait(timeout=20)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()


def _first_page(
    clone: Path, env: dict[str, str], started: float, uv: str
) -> tuple[float, list[str]]:
    """Seconds until `make run` serves its first page, and its output, each line with the
    seconds since the clone began (when the line reached the pipe: a Python process's
    lines, written to a pipe, arrive when it flushes them or exits)."""
    proc = subprocess.Popen(
        ["make", "run", f"PORT={PORT}", f"UV={uv}"],
        cwd=clone,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    lines: list[str] = []

    def read() -> None:
        for raw in proc.stdout:
            line = raw.decode(errors="replace").rstrip()
            lines.append(f"{time.monotonic() - started:5.1f} s  {line}")

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    try:
        while time.monotonic() - started < TIMEOUT:
            if proc.poll() is not None:
                reader.join(5)
                raise RuntimeError("make run stopped:\n" + "\n".join(lines))
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{PORT}/", timeout=5) as r:
                    if r.status == 200:
                        return time.monotonic() - started, list(lines)
            except OSError:
                time.sleep(0.1)
        raise RuntimeError("no page within the time limit")
    finally:
        _stop(proc)


def _first_test(clone: Path, env: dict[str, str], started: float, uv: str) -> float:
    """Seconds until pytest reports its first result. pytest -q writes one character per
    test and ends the line only after a row of them, and a pipe buffers its output, so
    the clone runs unbuffered and the output is read as it comes, not by lines."""
    proc = subprocess.Popen(
        ["make", "test", f"UV={uv}"],
        cwd=clone,
        env={**env, "PYTHONUNBUFFERED": "1"},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        line = b""
        while chunk := os.read(proc.stdout.fileno(), 4096):
            line = (line + chunk).rsplit(b"\n", 1)[-1]  # the line being written
            if FIRST_RESULT.match(line.decode(errors="replace")):
                return time.monotonic() - started
        raise RuntimeError("make test ended before any test ran")
    finally:
        _stop(proc)


def _measure(kind: str, target: str, scratch: Path) -> dict:
    env = _env(scratch)
    started = time.monotonic()
    clone = _clone(scratch, "circolo")
    # The uv path fetches uv as a new machine does; the pip path never needs it (its
    # stamps are fresh, and /bin/true stands for the uv the Makefile would fetch).
    uv = ".uv/bin/uv"
    if kind == "pip":
        _pip_venv(clone, env, "" if target == "run" else "[test,browser,lint]")
        uv = "/bin/true"
    if target == "run":
        seconds, lines = _first_page(clone, env, started, uv)
        return {"seconds": round(seconds, 1), "make_run_lines": lines[:40]}
    return {"seconds": round(_first_test(clone, env, started, uv), 1)}


def run() -> dict:
    metrics: dict[str, dict] = {}
    checks = []
    # Every clone is removed at the end, not after its measurement: ext4 does not reuse an
    # inode for a minute or more after its file is deleted, and a creation beside thousands
    # of them scans past each (recently_deleted(), seen with perf), so the next path's
    # install would pay for the previous one's clean-up, several seconds of kernel time.
    root = Path(tempfile.mkdtemp(prefix="circolo-p9-"))
    try:
        for target, label in (
            ("run", "first page of make run"),
            ("test", "first test of make test"),
        ):
            uv = _measure("uv", target, root / f"uv-{target}")
            pip = _measure("pip", target, root / f"pip-{target}")
            ratio = uv["seconds"] / pip["seconds"]
            metrics[target] = {"uv": uv, "pip": pip, "uv_over_pip": round(ratio, 3)}
            checks.append(
                {
                    "metric": f"{label}: uv {uv['seconds']} s, pip {pip['seconds']} s",
                    "value": round(100 * ratio, 1),
                    "unit": "% of pip",
                    "target": "<= 33 %",
                    "ok": ratio <= 1 / 3,
                }
            )
    finally:
        shutil.rmtree(root, ignore_errors=True)
    return {
        "scenario": "P9",
        "title": "Fresh clone to first page and to first test, uv.lock vs pip",
        "metrics": metrics,
        "checks": checks,
    }
