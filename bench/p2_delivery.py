"""P2: an answer posted through the API reaches every viewer of its question.

N viewers (10, then 100, then 1,000; anonymous, as most readers are) hold sockets to the
server (production settings, DEBUG off, PostgreSQL + Redis) subscribed to
`question.<id>`. Members post answers through the REST API (token auth) one after the
other, and every viewer timestamps the `answer.created` frame of each. Latency runs from
the start of the POST to the frame's arrival, measured in the one load-generator process
(one clock). Each post is by another member, as on the site (posting is rate-limited per
member).

Targets (QUALITY.md): 100% delivered; p99 from POST to the last viewer <= 150 ms at
1,000 viewers, in both layouts of bench/layout.py (one daphne process; nginx in front of
one daphne per core plus the worker, the viewers spread over the daphnes). The p99 of "last viewer" is over POSTS posts (nearest rank: with fewer
than 100 posts it is their maximum); the p99 over every single delivery is also given.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import statistics
import time
import urllib.error
import urllib.request

from layout import LAYOUTS, nginx_available, start_layout
from wsbench import (
    CpuMeter,
    ensure_question,
    error_lines,
    load_average,
    open_subscribed,
    quiet,
    raise_fd_limit,
    reset_stream,
    summary_ms,
)

SIZES = (10, 100, 1000)
POSTS = 30  # per size
GAP_S = 0.25  # between posts: each post is measured on its own
DELIVERY_TIMEOUT_S = 10
TARGET_MS = 150.0
TITLE = "Benchmark live thread (P2 delivery)"


def posting_tokens(question_id: int, count: int = 200) -> list[str]:
    """API tokens of up to `count` active members other than the asker."""
    from rest_framework.authtoken.models import Token

    from forum.models import Question, User

    asker = Question.objects.values_list("author_id", flat=True).get(pk=question_id)
    members = (
        User.objects.filter(is_active=True, is_staff=False).exclude(pk=asker).order_by("?")[:count]
    )
    return [Token.objects.get_or_create(user=member)[0].key for member in members]


def post_answer(port: int, question_id: int, token: str, n: int) -> tuple[int, int | None]:
    """POST one answer; (HTTP status, answer id or None)."""
    body = {"body": f"Benchmark answer {n} ({time.time():.6f}): dial *123# to check the credit."}
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/api/v1/questions/{question_id}/answers/",
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json", "Authorization": f"Token {token}"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.loads(response.read())["id"]
    except urllib.error.HTTPError as error:
        return error.code, None


async def measure(port: int, question_id: int, tokens: list[str], server_pid: int) -> dict:
    stream = f"question.{question_id}"
    # answer id -> viewer number -> arrival (first one); repeated frames are counted apart
    arrivals: dict[int, dict[int, float]] = {}
    duplicates = 0
    frames = 0

    def handler_for(viewer: int):  # noqa: ANN202
        def on_frame(text: str, at: float) -> None:
            nonlocal frames, duplicates
            frames += 1
            if '"answer.created"' in text:
                answer_id = json.loads(text)["data"]["id"]
                seen = arrivals.setdefault(answer_id, {})
                if viewer in seen:
                    duplicates += 1
                else:
                    seen[viewer] = at

        return on_frame

    token_cycle = itertools.cycle(tokens)
    sockets, results, n = [], {}, 0
    try:
        for size in SIZES:
            sockets += await open_subscribed(
                port, stream, size - len(sockets), handler_for, first=len(sockets)
            )
            await quiet(lambda: frames)  # the joins' presence events have all arrived
            meter = CpuMeter(server_pid)
            meter.start()
            posts, throttled = [], 0
            while len(posts) < POSTS:
                n += 1
                started = time.perf_counter()
                status, answer_id = await asyncio.to_thread(
                    post_answer, port, question_id, next(token_cycle), n
                )
                responded = time.perf_counter()
                if status == 429:  # that member's posting budget is spent: the next one
                    throttled += 1
                    if throttled > len(tokens):
                        raise RuntimeError("every member's posting budget is spent")
                    continue
                if status != 201:
                    raise RuntimeError(f"POST answer: HTTP {status}")
                deadline = time.monotonic() + DELIVERY_TIMEOUT_S
                while len(arrivals.get(answer_id, ())) < size and time.monotonic() < deadline:
                    await asyncio.sleep(0.002)
                times = sorted(at - started for at in arrivals.get(answer_id, {}).values())
                posts.append(
                    {
                        "post_ms": (responded - started) * 1000,
                        "delivered": len(times),
                        "first_ms": times[0] * 1000 if times else None,
                        "median_ms": statistics.median(times) * 1000 if times else None,
                        "last_ms": times[-1] * 1000 if times else None,
                        "all": times,
                    }
                )
                await asyncio.sleep(GAP_S)
            cpu = meter.stop()
            results[size] = summarise(size, posts, cpu, throttled)
            print(
                f"  {size:>5} viewers: delivered {results[size]['delivered_pct']}%, "
                f"last viewer p50 {results[size]['last_viewer_ms']['p50']} ms, "
                f"p99 {results[size]['last_viewer_ms']['p99']} ms; "
                f"server CPU {results[size]['server_cpu_ms_per_post']} ms/post"
            )
        still_open = sum(1 for sock in sockets if sock.is_open)
    finally:
        await asyncio.gather(*(sock.close() for sock in sockets))
    return {
        "sizes": results,
        "duplicates": duplicates,
        "sockets_open_at_end": still_open,
        "sockets": len(sockets),
    }


def summarise(size: int, posts: list[dict], cpu: dict, throttled: int) -> dict:
    delivered = sum(p["delivered"] for p in posts)
    last = [p["last_ms"] / 1000 for p in posts if p["last_ms"] is not None]
    every = [t for p in posts for t in p["all"]]
    return {
        "viewers": size,
        "posts": len(posts),
        "throttled_posts_retried": throttled,
        "delivered": delivered,
        "expected": size * len(posts),
        "delivered_pct": round(100 * delivered / (size * len(posts)), 2),
        "post_response_ms": summary_ms([p["post_ms"] / 1000 for p in posts]),
        "first_viewer_ms": summary_ms([p["first_ms"] / 1000 for p in posts if p["first_ms"]]),
        "last_viewer_ms": summary_ms(last),
        "every_delivery_ms": summary_ms(every),
        "last_viewer_all_ms": [round(t * 1000, 1) for t in last],
        "cpu": cpu,
        "server_cpu_ms_per_post": round(1000 * cpu["server_cpu_s"] / len(posts), 1),
        "client_cpu_ms_per_post": round(1000 * cpu["client_cpu_s"] / len(posts), 1),
    }


def run() -> dict:
    limit = raise_fd_limit()
    question_id = ensure_question(TITLE)
    tokens = posting_tokens(question_id)
    load_before = load_average()
    layouts = {}
    for name in LAYOUTS:
        if name == "nginx" and nginx_available():
            print(f"  skipping the nginx layout: {nginx_available()}")
            continue
        print(f"  layout: {name}")
        reset_stream(f"question.{question_id}")
        with start_layout(name) as layout:
            # Warm the processes: imports, the API view, the first database connections.
            asyncio.run(warm(layout.port, question_id, tokens))
            measured = asyncio.run(measure(layout.port, question_id, tokens, layout.pids))
        layouts[name] = {
            "server": layout.description,
            **measured,
            "server_errors": [e for log in layout.logs for e in error_lines(log)][:20],
        }
    checks = [c for name, m in layouts.items() for c in layout_checks(name, m)]
    return {
        "scenario": "P2",
        "title": "Answer posted via the API, delivered to 10 / 100 / 1,000 viewers",
        "metrics": {
            "client": "websockets, one asyncio process on the same box; anonymous viewers",
            "posts_per_size": POSTS,
            "question": question_id,
            "fd_limit": limit,
            "load_average_before": load_before,
            "load_average_after": load_average(),
            "layouts": layouts,
        },
        "checks": checks,
    }


async def warm(port: int, question_id: int, tokens: list[str]) -> None:
    """One viewer, three posts: imports, the API view and the layer are warm."""
    got = []
    sockets = await open_subscribed(
        port, f"question.{question_id}", 1, lambda _i: lambda text, at: got.append(text)
    )
    for n in range(3):
        await asyncio.to_thread(post_answer, port, question_id, tokens[-1 - n], -n)
    await asyncio.sleep(0.5)
    await asyncio.gather(*(sock.close() for sock in sockets))


def layout_checks(name: str, measured: dict) -> list[dict]:
    """The checks of one layout, each metric prefixed with the layout's name."""
    errors = measured["server_errors"]
    big = measured["sizes"][max(SIZES)]
    checks = []
    for size, r in measured["sizes"].items():
        checks.append(
            {
                "metric": f"{size} viewers: delivered",
                "value": r["delivered_pct"],
                "unit": "%",
                "target": "100 %",
                "ok": r["delivered"] == r["expected"],
            }
        )
        checks.append(
            {
                "metric": f"{size} viewers: POST -> last viewer p50 / p99",
                "value": f"{r['last_viewer_ms']['p50']} / {r['last_viewer_ms']['p99']}",
                "unit": "ms",
                "target": f"p99 <= {TARGET_MS:.0f} ms" if size == max(SIZES) else "",
                "ok": r["last_viewer_ms"]["p99"] <= TARGET_MS if size == max(SIZES) else None,
            }
        )
    checks.append(
        {
            "metric": f"{max(SIZES)} viewers: server / client CPU per post",
            "value": f"{big['server_cpu_ms_per_post']} / {big['client_cpu_ms_per_post']}",
            "unit": "ms",
            "target": "",
            "ok": None,
        }
    )
    checks.append(
        {
            "metric": "errors in the server logs",
            "value": len(errors),
            "target": "0",
            "ok": not errors,
        }
    )
    for check in checks:
        check["metric"] = f"[{name}] {check['metric']}"
    return checks
