"""`make bench`: run the benchmarks of QUALITY.md on PostgreSQL + Redis and print a table.

    python bench/run.py            every bench/p*.py module
    python bench/run.py p1 p6      the modules whose names start with these

Each module defines `run() -> dict` with `scenario`, `title`, `metrics` (free-form
figures) and `checks` (a list of {"metric", "value", "unit", "target", "ok"}). Each runs
in its own process with Django configured (prod settings, DEBUG off), and its result goes
to bench/results/<module>.json.

DATABASE_URL and REDIS_URL are used when set; otherwise
postgres://postgres@127.0.0.1:5432/circolo_bench and redis://127.0.0.1:6379/15. Nothing
is started: when PostgreSQL or Redis is not answering, this says so and exits non-zero.
The database is created when the server has no database of that name, then migrated and,
when it has no questions yet, seeded once with the 100k-question data set
(`seed_demo --questions 100000`); later runs reuse it.
"""

from __future__ import annotations

import importlib
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
RESULTS = BENCH / "results"
PYTHON = sys.executable
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/circolo_bench"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/15"
DATASET_QUESTIONS = 100_000
DATASET_USERS = 2_000
DATASET_SEED = 1
MODULE_TIMEOUT = 30 * 60


def bench_env() -> dict[str, str]:
    """The environment every benchmark process (and the server under test) runs with."""
    env = dict(os.environ)
    env.setdefault("DATABASE_URL", DEFAULT_DATABASE_URL)
    env.setdefault("REDIS_URL", DEFAULT_REDIS_URL)
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "config.settings.prod",
            "SECRET_KEY": env.get("BENCH_SECRET_KEY", "bench-only-secret-key-" + "x" * 40),
            "ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
            # Plain HTTP on loopback, as behind a TLS-terminating proxy.
            "SECURE_SSL_REDIRECT": "False",
            "SECURE_HSTS_SECONDS": "0",
            # One connection per request: under ASGI every request runs in its own thread,
            # so persistent connections would pile up (Django advises CONN_MAX_AGE=0).
            "CONN_MAX_AGE": env.get("CONN_MAX_AGE", "0"),
            "LOG_LEVEL": "WARNING",
            # The worker's e-mails go to files, not to its log (production's default is the
            # console): the benchmarks count a log's lines that say "error", and an e-mail
            # about a question titled "... errore 3DS-05" counted as two (P2 and P3 behind
            # nginx, on a day when accept reminders fell due for seeded questions).
            "EMAIL_URL": env.get(
                "EMAIL_URL", f"filemail:///{tempfile.gettempdir()}/circolo-bench-mail"
            ),
            # The load generator is one address for thousands of viewers (P2-P4); a site's
            # readers are many, each under the per-address limit (50 by default).
            "LIVE_MAX_SOCKETS_PER_ADDRESS": env.get("LIVE_MAX_SOCKETS_PER_ADDRESS", "100000"),
            "PYTHONPATH": str(ROOT),
        }
    )
    return env


def _redacted(url: str) -> str:
    parts = urlsplit(url)
    if parts.password:
        netloc = parts.netloc.replace(f":{parts.password}@", ":***@")
        return urlunsplit(parts._replace(netloc=netloc))
    return url


def check_services(env: dict[str, str]) -> str | None:
    """None when PostgreSQL and Redis answer (creating the database if needed), else why not."""
    import psycopg
    import redis

    url = env["DATABASE_URL"]
    parts = urlsplit(url)
    if parts.scheme not in ("postgres", "postgresql", "pgsql"):
        return f"DATABASE_URL must point at PostgreSQL for the benchmarks (got {parts.scheme}:)."
    dbname = parts.path.lstrip("/")
    admin = urlunsplit(parts._replace(scheme="postgresql", path="/postgres"))
    try:
        with psycopg.connect(admin, connect_timeout=3, autocommit=True) as conn:
            exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [dbname])
            if exists.fetchone() is None:
                print(f"Creating database {dbname}")
                conn.execute(f'CREATE DATABASE "{dbname}"')
    except psycopg.Error as exc:
        return f"PostgreSQL is not answering at {_redacted(url)}: {exc}".strip()
    try:
        redis.Redis.from_url(env["REDIS_URL"], socket_connect_timeout=3).ping()
    except redis.RedisError as exc:
        return f"Redis is not answering at {_redacted(env['REDIS_URL'])}: {exc}"
    return None


def manage(env: dict[str, str], *args: str) -> None:
    subprocess.run([PYTHON, "manage.py", *args], cwd=ROOT, env=env, check=True)


def prepare(env: dict[str, str]) -> None:
    """Migrate, collect static files (the manifest storage needs them), seed once, run
    what the task queue holds, gather the planner's statistics."""
    manage(env, "migrate", "--noinput", "-v0")
    manage(env, "collectstatic", "--noinput", "-v0")
    probe = subprocess.run(
        [PYTHON, __file__, "--count-questions"], cwd=ROOT, env=env, capture_output=True, text=True
    )
    if probe.returncode != 0:
        raise SystemExit(probe.stderr)
    count = int(probe.stdout.strip())
    if count == 0:
        print(f"Seeding the bench data set ({DATASET_QUESTIONS:,} questions, a few minutes)")
        started = time.monotonic()
        manage(
            env,
            "seed_demo",
            "--force",
            "--questions",
            str(DATASET_QUESTIONS),
            "--users",
            str(DATASET_USERS),
            "--seed",
            str(DATASET_SEED),
        )
        print(f"Seeded in {time.monotonic() - started:.0f} s")
    else:
        print(f"Reusing the bench database ({count:,} questions)")
    drain_tasks(env)
    analyze(env)


def drain_tasks(env: dict[str, str]) -> None:
    """Work off what the seed (or the calendar since the last run) left to the worker:
    the automation's due steps (reminders to accept, thousands at 100,000 questions, 200
    a minute), the periodic jobs that are due (the fair-play sweep, the health figures),
    then the queued tasks (e-mails, follower notifications, vote settlements).
    Production's worker did this long ago; left to the bench, the first scenario that
    starts a worker measures it working them off (P4's nginx layout did: 200 reminders,
    250 tasks and every periodic job during its storm, and twice the CPU of the variant
    measured after it). The e-mails are printed by the console backend, so the output
    goes nowhere."""
    quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL}
    subprocess.run([PYTHON, __file__, "--worker-backlog"], cwd=ROOT, env=env, check=True, **quiet)
    subprocess.run(
        [
            PYTHON,
            "manage.py",
            "run_worker",
            "--batch",
            "--no-reload",
            "--no-scheduler",
            "--no-startup-delay",
            "--queue-name",
            "*",
        ],
        cwd=ROOT,
        env=env,
        check=True,
        **quiet,
    )


def analyze(env: dict[str, str]) -> None:
    """Planner statistics for every table, as autovacuum keeps them in production. A
    PostgreSQL without autovacuum (some development machines run so) never gathers them
    for the rows earlier runs added, and plans the points ledger's fair-play checks for an
    empty table: 50 ms a vote settled instead of 0.3 ms."""
    import psycopg

    url = urlunsplit(urlsplit(env["DATABASE_URL"])._replace(scheme="postgresql"))
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("ANALYZE")


def discover(prefixes: list[str]) -> list[str]:
    names = sorted(p.stem for p in BENCH.glob("p*.py"))
    if prefixes:
        names = [n for n in names if any(n.startswith(p) for p in prefixes)]
    return names


def _setup_django() -> None:
    sys.path.insert(0, str(ROOT))
    sys.path.insert(0, str(BENCH))
    import django

    django.setup()


def environment() -> dict:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        pg = cursor.fetchone()[0]
    return {
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        "postgresql": pg,
        "machine": platform.machine(),
    }


def run_one(name: str) -> int:
    """Child process: run one module, write its JSON."""
    _setup_django()
    module = importlib.import_module(name)
    started = time.monotonic()
    result = module.run()
    result = {
        "name": name,
        **result,
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "duration_s": round(time.monotonic() - started, 1),
        "environment": environment(),
    }
    RESULTS.mkdir(exist_ok=True)
    tmp = RESULTS / f"{name}.json.tmp"
    tmp.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n")
    tmp.replace(RESULTS / f"{name}.json")
    return 0


def print_table(results: list[dict]) -> None:
    rows = [("bench", "metric", "value", "target", "")]
    for result in results:
        for check in result.get("checks", []):
            value = check["value"]
            shown = f"{value:,.1f}" if isinstance(value, float) else f"{value}"
            rows.append(
                (
                    result["scenario"],
                    check["metric"],
                    f"{shown} {check.get('unit', '')}".strip(),
                    check.get("target", ""),
                    "ok" if check["ok"] else "MISSED" if check["ok"] is False else "",
                )
            )
    widths = [max(len(str(r[i])) for r in rows) for i in range(5)]
    for n, row in enumerate(rows):
        print("  ".join(str(c).ljust(w) for c, w in zip(row, widths, strict=True)).rstrip())
        if n == 0:
            print("  ".join("-" * w for w in widths))


def main(argv: list[str]) -> int:
    if argv[:1] == ["--one"]:
        return run_one(argv[1])
    if argv[:1] == ["--worker-backlog"]:
        _setup_django()
        from advocacy.automation.engine import run_rules
        from core.periodic import enqueue_due_jobs

        for _run in range(1000):  # 200 steps per rule per run; every step is done once
            if not any(run_rules().values()):
                break
        enqueue_due_jobs()
        return 0
    if argv[:1] == ["--count-questions"]:
        _setup_django()
        from forum.models import Question

        print(Question.objects.count())
        return 0
    env = bench_env()
    problem = check_services(env)
    if problem:
        print(problem, file=sys.stderr)
        print("Start PostgreSQL and Redis (or set DATABASE_URL / REDIS_URL).", file=sys.stderr)
        return 2
    print(f"PostgreSQL {_redacted(env['DATABASE_URL'])}, Redis {_redacted(env['REDIS_URL'])}")
    prepare(env)
    results, failed = [], []
    for name in discover(argv):
        print(f"\n== {name}")
        try:
            subprocess.run(
                [PYTHON, __file__, "--one", name],
                cwd=ROOT,
                env=env,
                check=True,
                timeout=MODULE_TIMEOUT,
            )
        except (subprocess.CalledProcessError, subprocess.TimeoutExpired) as exc:
            print(f"{name} failed: {exc}", file=sys.stderr)
            failed.append(name)
            continue
        results.append(json.loads((RESULTS / f"{name}.json").read_text()))
    print()
    print_table(results)
    checks = [c for r in results for c in r.get("checks", []) if c["ok"] is not None]
    met = sum(1 for c in checks if c["ok"])
    print(f"\n{met}/{len(checks)} targets met; results in {RESULTS.relative_to(ROOT)}/")
    if failed:
        print(f"Failed to run: {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
