"""P1: the thread page, 50 answers with comments and votes, anonymous and logged-in.

Targets (QUALITY.md): the number of queries does not grow with the number of answers
(at most 4 signed in, warm); the thread anonymous >= 60 % and signed in >= 40 % of a
hello-world view (/healthz) on the same server stack; P1b: the question lists (newest,
a tag, a category, unanswered), anonymous and signed in, >= 50 %, and each faster than
Askbot 0.13.0's question list (gunicorn, 2 sync workers, SQLite; bench/askbot_baseline.py)
measured in the same run; p99 at most 5x p50. Load: `wrk -t2 -c32 -d10s --latency`, on the
same box, against both layouts of bench/layout.py: one daphne process, and the production
layout (nginx with deploy/nginx.conf in front of one daphne per core plus the task worker);
prod settings, DEBUG off, a database connection per request.

While iterating on the thread page: `P1_ONLY=threads python bench/run.py p1` measures
only /healthz and the two thread pages (no lists), in the one-process layout only
(about 2 minutes instead of 8). Its result says so in `metrics.only`; the README's
figures come from full runs.
"""

from __future__ import annotations

import os
import re
import shutil
import statistics
import subprocess
import time
import urllib.request
from datetime import UTC, datetime
from pathlib import Path

from layout import LAYOUTS, nginx_available, start_layout
from wsbench import free_port

ROOT = Path(__file__).resolve().parent.parent
THREADS = {5: "Benchmark thread, 5 answers", 50: "Benchmark thread, 50 answers"}
# wrk only records latencies below its --timeout (2 s by default): a long one keeps slow
# pages in the figures instead of silently leaving them out.
WRK = ["wrk", "-t2", "-c32", "-d10s", "--latency", "--timeout", "60s"]
LOCAL_CACHE = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
ONLY_THREADS = os.environ.get("P1_ONLY") == "threads"
SERIAL = 10  # one-at-a-time requests per page: the latency of a page on an idle server
ANCHOR = datetime(2026, 1, 1, 12, tzinfo=UTC)


def ensure_threads() -> dict[int, int]:
    """The two benchmark threads (built once, then reused): answers -> question id."""
    from demo.seeding import build_thread
    from forum.models import Question

    ids = {}
    for answers, title in THREADS.items():
        existing = Question.objects.filter(title=title).values_list("pk", flat=True).first()
        ids[answers] = existing or build_thread(
            title=title, answers=answers, comments_per_post=2, votes_per_post=8, anchor=ANCHOR
        )
    return ids


def viewer_for(question_id: int):
    """A member who voted in the big thread, so the page shows their votes."""
    from forum.models import Vote

    return Vote.objects.filter(answer__question_id=question_id).order_by("pk").first().voter


def list_paths() -> dict[str, str]:
    """P1b: the question lists, with the most used tag and the first public category."""
    from forum import selectors
    from forum.models import Category

    tag = selectors.popular_tags(limit=1)
    category = Category.objects.filter(is_private=False).order_by("position", "name").first()
    paths = {"list": "/", "unanswered": "/?sort=unanswered"}
    if tag:
        paths["tag"] = f"/tags/{tag[0]['slug']}/"
    if category is not None:
        paths["category"] = f"/categories/{category.slug}/"
    return paths


def count_queries(client, path: str, samples: int = 5) -> list[int]:  # noqa: ANN001
    """Queries of `samples` requests after a warm-up one. Shared caches (Redis) may expire
    or be cleared between requests, so the steady state is the smallest count."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(path)  # warm: caches, first-time lookups
    counts = []
    for _ in range(samples):
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(path)
        assert response.status_code == 200, (path, response.status_code)
        counts.append(len(ctx.captured_queries))
    return counts


def logged_in_client(member):
    from django.test import Client

    client = Client()
    client.force_login(member)
    return client


def settle(base: str, timeout: float = 120) -> None:
    """Wait until the server has worked off what the previous run left queued: a single
    process keeps answering requests whose clients wrk has already dropped."""
    deadline = time.monotonic() + timeout
    quick = 0
    while quick < 3 and time.monotonic() < deadline:
        started = time.monotonic()
        try:
            urllib.request.urlopen(base + "/healthz", timeout=30).read()
        except OSError:
            quick = 0
            continue
        quick = quick + 1 if time.monotonic() - started < 0.05 else 0
        time.sleep(0.2)


def serial_ms(base: str, path: str, cookie: str = "") -> float:
    """Median time of SERIAL requests sent one after the other (no queueing)."""
    settle(base)
    headers = {"Cookie": cookie} if cookie else {}
    times = []
    for _ in range(SERIAL):
        started = time.perf_counter()
        with urllib.request.urlopen(urllib.request.Request(base + path, headers=headers)) as r:
            r.read()
        times.append((time.perf_counter() - started) * 1000)
    return round(statistics.median(times), 1)


def wrk(base: str, path: str, cookie: str = "", *, fresh: bool = False) -> dict:
    """`wrk` on `path`, once the server has settled (`fresh`: just started, nothing to
    settle; a server without /healthz, like Askbot, must be measured fresh)."""
    if not fresh:
        settle(base)
    command = [*WRK, *(["-H", f"Cookie: {cookie}"] if cookie else []), base + path]
    out = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    result = parse_wrk(out)
    print(
        f"  {path}{' (logged in)' if cookie else ''}: {result['requests_per_s']:.1f} req/s "
        f"({result['requests']} requests), p50 {result['p50_ms']:.0f} ms, "
        f"p99 {result['p99_ms']:.0f} ms"
    )
    return result


def _ms(value: str, unit: str) -> float:
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}[unit]


def parse_wrk(out: str) -> dict:
    latency = {
        int(p): _ms(v, u)
        for p, v, u in re.findall(r"^\s+(50|75|90|99)%\s+([\d.]+)(us|ms|s|m)\b", out, re.M)
    }
    requests = int(re.search(r"(\d+) requests in", out).group(1))
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    return {
        "requests_per_s": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
        "p50_ms": latency[50],
        "p90_ms": latency[90],
        "p99_ms": latency[99],
        "requests": requests,
        "non_2xx": int(non_2xx.group(1)) if non_2xx else 0,
        "socket_errors": sum(int(n) for n in errors.groups()) if errors else 0,
        "timeouts": int(errors.group(4)) if errors else 0,
    }


def _latency(result: dict, key: str) -> float | str:
    """A wrk percentile, or why there is none (no request finished within the run)."""
    return round(result[key], 1) if result["requests"] else "none finished in 10 s: >10000"


def run() -> dict:
    from django.conf import settings

    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed (make bench installs it: apt-get install -y wrk)")
    threads = ensure_threads()
    member = viewer_for(threads[50])
    paths = {n: f"/q/{pk}/" for n, pk in threads.items()}

    from django.test import Client, override_settings

    anonymous, member_client = Client(), logged_in_client(member)
    # Counted with a cache of this process's own: Redis is shared, and another process
    # clearing it mid-page (test suites do) would add reloads that are not the page's.
    with override_settings(CACHES=LOCAL_CACHE):
        samples = {
            "anonymous": {n: count_queries(anonymous, p) for n, p in paths.items()},
            "logged_in": {n: count_queries(member_client, p) for n, p in paths.items()},
        }
        lists = {} if ONLY_THREADS else list_paths()
        list_queries = {
            f"{name} {who}": min(count_queries(c, p))
            for name, p in lists.items()
            for who, c in (("anonymous", anonymous), ("logged_in", member_client))
        }
    queries = {who: {n: min(c) for n, c in by_size.items()} for who, by_size in samples.items()}
    # The browser's cookies: the session and the CSRF token the page handed out.
    cookies = member_client.cookies
    cookie = f"{settings.SESSION_COOKIE_NAME}={cookies[settings.SESSION_COOKIE_NAME].value}"
    if settings.CSRF_COOKIE_NAME in cookies:
        cookie += f"; {settings.CSRF_COOKIE_NAME}={cookies[settings.CSRF_COOKIE_NAME].value}"

    layouts = {}
    for name in LAYOUTS[:1] if ONLY_THREADS else LAYOUTS:
        if name == "nginx" and nginx_available():
            print(f"  skipping the nginx layout: {nginx_available()}")
            continue
        print(f"  layout: {name}")
        with start_layout(name) as layout:
            layouts[name] = measure(layout, paths, lists, cookie)
    askbot = {} if ONLY_THREADS else measure_askbot()
    figures = {name: figures_of(m) for name, m in layouts.items()}
    constant = all(q[5] == q[50] for q in queries.values())
    return {
        "scenario": "P1",
        "title": "Thread page (50 answers, comments, votes), anonymous and logged-in",
        "metrics": {
            "load": " ".join(WRK),
            "only": "threads, one process (P1_ONLY=threads)" if ONLY_THREADS else "everything",
            "threads": {str(n): pk for n, pk in threads.items()},
            "viewer": member.username,
            "queries": {k: {str(n): c for n, c in v.items()} for k, v in queries.items()},
            "query_samples": {k: {str(n): c for n, c in v.items()} for k, v in samples.items()},
            "layouts": {
                name: {**m, **figures[name], "server": m["server"]} for name, m in layouts.items()
            },
            "list_paths": lists,
            "askbot_list": askbot,
            "list_queries": list_queries,
        },
        "checks": [
            {
                "metric": "queries, 5 vs 50 answers (anon / logged-in)",
                "value": f"{queries['anonymous'][5]}/{queries['anonymous'][50]}, "
                f"{queries['logged_in'][5]}/{queries['logged_in'][50]}",
                "target": "constant",
                "ok": constant,
            },
            *(c for name, m in layouts.items() for c in layout_checks(name, m)),
            *([] if ONLY_THREADS else askbot_checks(layouts, askbot)),
            {
                "metric": "thread logged-in queries (warm)",
                "value": queries["logged_in"][50],
                "target": "<= 4",
                "ok": queries["logged_in"][50] <= 4,
            },
        ],
    }


def measure(layout, paths: dict[int, str], lists: dict[str, str], cookie: str) -> dict:  # noqa: ANN001
    """One-at-a-time and `wrk -c32` figures of every page, /healthz before and after."""
    base = f"http://127.0.0.1:{layout.port}"
    for path in ("/healthz", paths[50]):  # warm every process: imports, templates, caches
        for _ in range(20 * len(layout.pids)):
            urllib.request.urlopen(base + path, timeout=10).read()
    for path in lists.values():  # each list rendered once, anonymous and signed in: wrk
        for headers in ({}, {"Cookie": cookie}):  # measures them served, not their first render
            request = urllib.request.Request(base + path, headers=headers)
            urllib.request.urlopen(request, timeout=30).read()
    serial = {
        "hello": serial_ms(base, "/healthz"),
        "thread_anonymous": serial_ms(base, paths[50]),
        "thread_logged_in": serial_ms(base, paths[50], cookie=cookie),
    }
    print(f"  one request at a time (median ms): {serial}")
    load = {
        "hello": wrk(base, "/healthz"),
        "thread_anonymous": wrk(base, paths[50]),
        "thread_logged_in": wrk(base, paths[50], cookie=cookie),
    }
    for name, path in lists.items():
        load[f"{name}_anonymous"] = wrk(base, path)
        load[f"{name}_logged_in"] = wrk(base, path, cookie=cookie)
    load["hello_again"] = wrk(base, "/healthz")  # the baseline, before and after
    return {
        "server": layout.description,
        "wrk": load,
        "one_at_a_time_median_ms": serial,
        "load_average": os.getloadavg(),
    }


def measure_askbot() -> dict:
    """`wrk` on Askbot 0.13.0's question list, served as bench/askbot_baseline.py ships it
    (built and seeded on the first run, about 4 minutes; reused after), or why not."""
    import askbot_baseline as askbot

    print("  Askbot's question list")
    port = free_port()
    try:
        askbot.prepare(askbot.DEFAULT_WORKDIR)
        server = askbot.start(askbot.DEFAULT_WORKDIR, port)
    except (OSError, RuntimeError) as error:  # no PyPI, say: the comparison is skipped
        return {"skipped": str(error)[:300]}
    try:
        base = f"http://127.0.0.1:{port}"
        return {
            "server": f"Askbot {askbot.ASKBOT_VERSION}, gunicorn {askbot.WORKERS} sync "
            f"workers, SQLite, {askbot.QUESTIONS} questions",
            **wrk(base, askbot.LIST_PATH, fresh=True),
        }
    finally:
        askbot.stop(server)


def askbot_checks(layouts: dict, askbot: dict) -> list[dict]:
    """P1b: every list, anonymous and signed in, faster than Askbot's list."""
    if "requests_per_s" not in askbot:
        reason = askbot.get("skipped", "not measured")
        return [{"metric": "P1b Askbot's list", "value": reason, "target": "", "ok": None}]
    theirs = askbot["requests_per_s"]
    checks = [
        {
            "metric": f"P1b Askbot's list ({askbot['server']})",
            "value": theirs,
            "unit": "req/s",
            "target": "baseline",
            "ok": None,
        }
    ]
    for name, measured in layouts.items():
        lists = {
            page: result["requests_per_s"]
            for page, result in measured["wrk"].items()
            if not page.startswith(("hello", "thread"))
        }
        slowest = min(lists, key=lists.get)
        checks.append(
            {
                "metric": f"[{name}] P1b slowest list ({slowest.replace('_', ' ')}) / Askbot's",
                "value": f"{lists[slowest]:,.1f} / {theirs:,.1f} req/s",
                "target": "faster",
                "ok": lists[slowest] > theirs,
            }
        )
    return checks


def figures_of(measured: dict) -> dict:
    load = measured["wrk"]
    hello = (load["hello"]["requests_per_s"] + load["hello_again"]["requests_per_s"]) / 2
    return {
        "hello_req_s": round(hello, 1),
        "over_hello": {
            name: round(result["requests_per_s"] / hello, 3)
            for name, result in load.items()
            if not name.startswith("hello")
        },
        "p99_over_p50": {
            name: round(result["p99_ms"] / result["p50_ms"], 1) if result["p50_ms"] else None
            for name, result in load.items()
        },
        "errors": sum(r["non_2xx"] + r["socket_errors"] for r in load.values()),
    }


def layout_checks(name: str, measured: dict) -> list[dict]:
    """The checks of one layout, each metric prefixed with the layout's name."""
    load, serial = measured["wrk"], measured["one_at_a_time_median_ms"]
    f = figures_of(measured)
    ratio, ratios, tails, errors = (
        f["over_hello"]["thread_anonymous"],
        f["over_hello"],
        f["p99_over_p50"],
        f["errors"],
    )
    checks = [
        {
            "metric": "hello /healthz",
            "value": load["hello"]["requests_per_s"],
            "unit": "req/s",
            "target": "baseline",
            "ok": None,
        },
        {
            "metric": "thread anonymous",
            "value": load["thread_anonymous"]["requests_per_s"],
            "unit": "req/s",
            "target": "",
            "ok": None,
        },
        {
            "metric": "thread anonymous / hello",
            "value": round(100 * ratio, 1),
            "unit": "%",
            "target": ">= 60 %",
            "ok": ratio >= 0.6,
        },
        {
            "metric": "thread anonymous p50 / p99",
            "value": f"{_latency(load['thread_anonymous'], 'p50_ms')} / "
            f"{_latency(load['thread_anonymous'], 'p99_ms')}",
            "unit": "ms",
            "target": "",
            "ok": None,
        },
        {
            "metric": "thread page alone, anonymous / logged-in",
            "value": f"{serial['thread_anonymous']:.0f} / {serial['thread_logged_in']:.0f}",
            "unit": "ms",
            "target": "",
            "ok": None,
        },
        {
            "metric": f"thread logged-in ({load['thread_logged_in']['requests']} requests)",
            "value": load["thread_logged_in"]["requests_per_s"],
            "unit": "req/s",
            "target": "",
            "ok": None,
        },
        {
            "metric": "thread logged-in p50",
            "value": _latency(load["thread_logged_in"], "p50_ms"),
            "unit": "ms",
            "target": "",
            "ok": None,
        },
        {
            "metric": "thread logged-in p99",
            "value": _latency(load["thread_logged_in"], "p99_ms"),
            "unit": "ms",
            "target": "<= 100 ms",
            "ok": load["thread_logged_in"]["p99_ms"] <= 100
            and load["thread_logged_in"]["requests"] > 0
            and load["thread_logged_in"]["timeouts"] == 0,
        },
        {
            "metric": "thread logged-in / hello",
            "value": round(100 * ratios["thread_logged_in"], 1),
            "unit": "%",
            "target": ">= 40 %",
            "ok": ratios["thread_logged_in"] >= 0.4,
        },
        *(
            {
                "metric": f"P1b {name.replace('_', ' ')} / hello",
                "value": round(100 * value, 1),
                "unit": "%",
                "target": ">= 50 %",
                "ok": value >= 0.5,
            }
            for name, value in ratios.items()
            if not name.startswith("thread")
        ),
        {
            "metric": "worst p99 / p50 (pages)",
            "value": max(v for k, v in tails.items() if v and not k.startswith("hello")),
            "target": "<= 5",
            "ok": all(
                v is not None and v <= 5 for k, v in tails.items() if not k.startswith("hello")
            ),
        },
        {
            "metric": "errors (non-2xx, socket)",
            "value": errors,
            "target": "0",
            "ok": errors == 0,
        },
    ]
    for check in checks:
        check["metric"] = f"[{name}] {check['metric']}"
    return checks
