"""Askbot 0.13.0 as the baseline of the question list: set up, seeded and served by gunicorn.

P1b (bench/p1_pages.py) wants Circolo's question lists faster than Askbot's, measured in the
same run, with Askbot 0.13.0 (PyPI `askbot==0.13.0`) served by gunicorn with 2 sync workers
on SQLite. This module builds that site as shipped, in a virtualenv of its own (Askbot is
not imported here: the bench process has Circolo's Django configured):

- `prepare(workdir)`: once, a venv with askbot and gunicorn, a project made by Askbot's own
  `askbot-setup` (SQLite, DEBUG off, ALLOWED_HOSTS 127.0.0.1 and localhost), the WSGI file
  Askbot ships (setup_templates/django.wsgi, which askbot-setup does not copy), migrations,
  collectstatic (django-compressor renders the pages' CSS and JS bundles from STATIC_ROOT)
  and QUESTIONS questions posted through Askbot's model API. Later calls return at once.
- `start(workdir, port)` / `stop(process)`: gunicorn, 2 sync workers, on 127.0.0.1.

    python bench/askbot_baseline.py [workdir]    prepare, start, one wrk run on LIST_PATH, stop
"""

from __future__ import annotations

import http.client
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

from wsbench import free_port

ASKBOT_VERSION = "0.13.0"
# 1,000 questions (about 2,000 answers): Askbot's post_question/post_answer take about
# 0.17 s for a question and its answers on this 2-core box (alerts, badges, summary caches),
# so seeding takes about 3 minutes (168 s on an idle box, 223 s beside a CI run): the most
# that fits the time allowed, and 34 pages of the list (30 questions a page).
QUESTIONS = 1000
LIST_PATH = "/questions/"  # what an anonymous visitor sees first: "/" answers 302 to it
TITLE_PREFIX = "Bench question"  # every seeded title starts with it
DEFAULT_WORKDIR = Path("/tmp/circolo-bench-askbot")
SITE = "askbot-site"  # askbot-setup refuses "site" (the name of a stdlib module)
PROJECT = "askbot_site"  # the Django project package inside SITE, askbot-setup's default
WORKERS = 2
# As in p1_pages: wrk only records latencies below its --timeout (2 s by default).
WRK = ["wrk", "-t2", "-c32", "-d10s", "--latency", "--timeout", "60s"]

SEED_SCRIPT = '''\
"""Posts the missing bench questions and their answers through Askbot's model API."""
import random
import sys
import time
from datetime import timedelta

import django

django.setup()

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation

from askbot.conf import settings as askbot_settings
from askbot.models import Thread, User
from askbot.utils.translation import get_language

questions, prefix = int(sys.argv[1]), sys.argv[2]
seeded = Thread.objects.filter(title__startswith=prefix).count()
if seeded >= questions:
    print(f"{seeded} questions already")
    sys.exit(0)

NAMES = ["alice", "bruno", "chiara", "dmitri", "emma", "farid"]
TAGS = ["install", "email", "search", "upload", "profile", "rss", "badges", "karma",
        "moderation", "markdown", "login", "sidebar", "sqlite", "gunicorn", "upgrade"]
SUBJECTS = ["email alerts", "the tag cloud", "user profiles", "search results",
            "file uploads", "the RSS feed", "badges", "karma points", "the moderation queue",
            "the sidebar", "login by email", "markdown tables"]
BODY = ("I followed the documentation but {s} still does not behave as described. "
        "Is there a setting for it, or do I need to change a template? **Thanks!**")
ANSWER = ("Check the settings page first: {s} is configured there. If that does not "
          "help, clear the cache and restart the workers.")
# As askbot_add_test_content: no alert subscriptions for the new users while seeding.
ALERTS = ["DEFAULT_NOTIFICATION_DELIVERY_SCHEDULE_" + key
          for key in ("Q_ASK", "Q_ANS", "Q_ALL", "Q_SEL", "M_AND_C")]

began = time.monotonic()
translation.activate(settings.LANGUAGE_CODE)
saved = {key: getattr(askbot_settings, key) for key in ALERTS}
for key in ALERTS:
    askbot_settings.update(key, "n")
try:
    with transaction.atomic():
        users = []
        for name in NAMES:
            user = User.objects.filter(username=name).first()
            if user is None:
                user = User.objects.create_user(name, f"{name}@example.com")
                user.receive_reputation(500, get_language())
                user.save()
            users.append(user)
        start = timezone.now() - timedelta(hours=questions + 1)
        for n in range(seeded, questions):
            rnd = random.Random(n)
            author = users[n % len(users)]
            subject = SUBJECTS[n % len(SUBJECTS)]
            asked = start + timedelta(hours=n)
            question = author.post_question(
                title=f"{prefix} {n:04d}: how do I set up {subject}?",
                body_text=BODY.format(s=subject),
                tags=" ".join(rnd.sample(TAGS, 3)),
                timestamp=asked,
            )
            others = [user for user in users if user != author]
            for i, answerer in enumerate(rnd.sample(others, rnd.randint(1, 3))):
                answerer.post_answer(
                    question=question,
                    body_text=ANSWER.format(s=subject),
                    timestamp=asked + timedelta(minutes=10 * (i + 1)),
                )
            if (n + 1) % 100 == 0:
                print(f"{n + 1} questions, {time.monotonic() - began:.0f} s", flush=True)
finally:
    for key, value in saved.items():
        askbot_settings.update(key, value)
print("seeded")
'''


def _env() -> dict[str, str]:
    """This environment without the bench's Django and Python settings, plus Askbot's."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "PYTHON", "VIRTUAL_ENV"))
    }
    env["DJANGO_SETTINGS_MODULE"] = f"{PROJECT}.settings"
    return env


def _tail(path: Path, lines: int = 40) -> str:
    if not path.exists():
        return f"(no {path})"
    return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])


def _run(command: list[str], log: Path, cwd: Path | None = None) -> None:
    with log.open("a") as out:
        out.write(f"\n$ {' '.join(command)}\n")
        out.flush()
        done = subprocess.run(command, cwd=cwd, env=_env(), stdout=out, stderr=out, check=False)
    if done.returncode:
        raise RuntimeError(f"{command[0]} failed ({done.returncode}); {log}:\n{_tail(log)}")


def prepare(workdir: Path) -> Path:
    """The Askbot site directory, built and seeded on the first call (idempotent)."""
    workdir = Path(workdir).resolve()
    workdir.mkdir(parents=True, exist_ok=True)
    venv, site = workdir / "venv", workdir / SITE
    python, log, done = venv / "bin" / "python", workdir / "prepare.log", site / ".prepared"
    installed = list(venv.glob(f"lib/python3*/site-packages/askbot-{ASKBOT_VERSION}.dist-info"))
    expected = f"askbot {ASKBOT_VERSION}, {QUESTIONS} questions\n"
    if installed and done.exists() and done.read_text() == expected:
        return site
    if not installed or not (venv / "bin" / "gunicorn").exists():
        base = shutil.which("python3.11") or shutil.which("python3") or "python3"
        _run([base, "-m", "venv", str(venv)], log)
        pip = [str(python), "-m", "pip", "install", "--disable-pip-version-check"]
        _run([*pip, f"askbot=={ASKBOT_VERSION}", "gunicorn"], log)
    wsgi = site / PROJECT / "wsgi.py"
    if not wsgi.exists():  # askbot-setup stops when its directory exists: start afresh
        shutil.rmtree(site, ignore_errors=True)
        settings = "DEBUG = False\nALLOWED_HOSTS = ['127.0.0.1', 'localhost']"
        setup = [str(venv / "bin" / "askbot-setup"), "--noinput", "--root-directory", str(site)]
        setup += ["--proj-name", PROJECT, "--db-engine", "sqlite"]
        setup += ["--db-name", str(site / "askbot.sqlite"), "--append-settings", settings]
        _run([*setup, "--admin-name", "Bench", "--admin-email", "bench@example.com"], log)
        shipped = venv.glob("lib/python3*/site-packages/askbot/setup_templates/django.wsgi")
        shutil.copyfile(next(shipped), wsgi)
    manage = [str(python), "manage.py"]
    _run([*manage, "migrate", "--noinput"], log, cwd=site)
    _run([*manage, "collectstatic", "--noinput", "-v0"], log, cwd=site)
    (site / "bench_seed.py").write_text(SEED_SCRIPT)  # beside manage.py: the project imports
    _run([str(python), "bench_seed.py", str(QUESTIONS), TITLE_PREFIX], log, cwd=site)
    done.write_text(expected)
    return site


def _get(port: int, path: str) -> tuple[int, str]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        return response.status, response.read().decode(errors="replace")
    finally:
        connection.close()


def start(workdir: Path, port: int, timeout: float = 60) -> subprocess.Popen:
    """gunicorn (2 sync workers) on 127.0.0.1:`port`, once LIST_PATH lists seeded questions."""
    workdir = Path(workdir).resolve()
    site, log = workdir / SITE, workdir / "gunicorn.log"
    command = [str(workdir / "venv" / "bin" / "gunicorn"), "--workers", str(WORKERS)]
    command += ["--bind", f"127.0.0.1:{port}", "--chdir", str(site)]
    # gunicorn 27 opens a control socket in ~/.gunicorn by default, which no run here needs.
    command += ["--no-control-socket", f"{PROJECT}.wsgi:application"]
    with log.open("wb") as out:
        process = subprocess.Popen(
            command, cwd=site, env=_env(), stdout=out, stderr=out, start_new_session=True
        )
    deadline, seen = time.monotonic() + timeout, "no answer"
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn exited ({process.returncode}); {log}:\n{_tail(log)}")
        try:
            status, body = _get(port, LIST_PATH)
        except OSError as error:
            seen = str(error)
            time.sleep(0.3)
            continue
        if status == 200 and TITLE_PREFIX in body:
            return process
        seen = f"HTTP {status}, {'with' if TITLE_PREFIX in body else 'without'} seeded titles"
        time.sleep(0.5)
    stop(process)
    raise RuntimeError(
        f"{LIST_PATH} not ready within {timeout:.0f} s ({seen}); {log}:\n{_tail(log)}"
    )


def stop(process: subprocess.Popen) -> None:
    """Stops gunicorn: the master ends its workers on SIGTERM; SIGKILL to its group if not."""
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)


def main() -> None:
    workdir = Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_WORKDIR
    began = time.monotonic()
    site = prepare(workdir)
    print(f"prepared {site} in {time.monotonic() - began:.1f} s", flush=True)
    port = free_port()
    process = start(workdir, port)
    try:
        url = f"http://127.0.0.1:{port}{LIST_PATH}"
        print(f"Askbot {ASKBOT_VERSION} question list: {url}", flush=True)
        result = subprocess.run([*WRK, url], capture_output=True, text=True, check=True)
        print(result.stdout, end="")
    finally:
        stop(process)


if __name__ == "__main__":
    main()
