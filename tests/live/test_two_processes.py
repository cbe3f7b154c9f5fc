"""End to end, scaled out: two daphne processes share PostgreSQL and Redis; a socket on one
hears of an answer posted through the API of the other, and catches up after reconnecting
to the other process.

Needs DATABASE_URL (PostgreSQL) and REDIS_URL; skipped otherwise.
"""

from __future__ import annotations

import asyncio
import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from rest_framework.authtoken.models import Token

from tests.live.sockets import run
from tests.live.wsclient import WebSocketClient

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql" or not settings.REDIS_URL,
        reason="needs PostgreSQL and Redis (DATABASE_URL, REDIS_URL)",
    ),
]

BASE_DIR = Path(__file__).resolve().parents[2]
DAPHNE = str(Path(sys.executable).with_name("daphne"))


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def database_url() -> str:
    db = connection.settings_dict
    auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


@pytest.fixture
def daphnes(transactional_db, tmp_path):
    """Two daphne processes on the test database and this worker's Redis database."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.dev",
        "DEBUG": "False",
        "DATABASE_URL": database_url(),
        "REDIS_URL": settings.LIVE_REDIS_URL,
        "ALLOWED_HOSTS": "127.0.0.1",
        "LOG_LEVEL": "WARNING",
    }
    ports = [free_port(), free_port()]
    processes = []
    for port in ports:
        log = (tmp_path / f"daphne-{port}.log").open("w")
        processes.append(
            subprocess.Popen(
                [DAPHNE, "-b", "127.0.0.1", "-p", str(port), "config.asgi:application"],
                cwd=BASE_DIR,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        )
    try:
        for port in ports:
            deadline = time.monotonic() + 30
            while True:
                try:
                    urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1)
                    break
                except OSError:
                    if time.monotonic() > deadline:
                        logs = "\n".join(p.read_text() for p in tmp_path.glob("daphne-*.log"))
                        pytest.fail(f"daphne on {port} did not start:\n{logs}")
                    time.sleep(0.2)
        yield ports
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait(timeout=10)


def post_json(url: str, token: str, body: dict) -> dict:
    request = urllib.request.Request(
        url,
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json", "Authorization": f"Token {token}"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        assert response.status == 201
        return json.loads(response.read())


async def until(client: WebSocketClient, event_type: str) -> dict:
    while True:
        frame = await client.receive_json()
        if frame.get("type") == event_type:
            return frame


async def test_an_answer_posted_on_one_process_reaches_a_socket_on_the_other(
    daphnes, customer, other_customer, question
):
    port_a, port_b = daphnes
    asker_token = (await run(Token.objects.create, user=customer)).key
    answerer_token = (await run(Token.objects.create, user=other_customer)).key
    origin = {"Origin": f"http://127.0.0.1:{port_a}"}

    # given a viewer on process A watching the question, and the asker's bell on A
    viewer = await WebSocketClient.connect("127.0.0.1", port_a, headers=origin)
    await viewer.send_json({"action": "subscribe", "stream": f"question.{question.pk}"})
    assert (await viewer.receive_json())["type"] == "subscribed"
    bell = await WebSocketClient.connect(
        "127.0.0.1", port_a, headers={**origin, "Authorization": f"Token {asker_token}"}
    )
    await bell.send_json({"action": "subscribe", "stream": "user"})
    assert (await bell.receive_json())["type"] == "subscribed"

    # when bruno answers through the API of process B
    answer = await asyncio.to_thread(
        post_json,
        f"http://127.0.0.1:{port_b}/api/v1/questions/{question.pk}/answers/",
        answerer_token,
        {"body": "Dial *123# and follow the menu to top up."},
    )

    # then both sockets on A hear of it
    created = await until(viewer, "answer.created")
    assert created["data"] == {"id": answer["id"], "question": question.pk, "author": "bruno"}
    notification = await until(bell, "notification.created")
    assert notification["data"]["answer"] == answer["id"]
    await viewer.close()

    # and a viewer reconnecting to B with since=0 catches up from the shared backlog
    late = await WebSocketClient.connect(
        "127.0.0.1", port_b, headers={"Origin": f"http://127.0.0.1:{port_b}"}
    )
    await late.send_json({"action": "subscribe", "stream": f"question.{question.pk}", "since": 0})
    assert (await late.receive_json())["last_id"] == created["id"]
    assert (await until(late, "answer.created")) == created
    await late.close()
    await bell.close()


async def test_a_socket_without_origin_is_refused_by_a_real_server(daphnes):
    with pytest.raises(ConnectionRefusedError, match="403"):
        await WebSocketClient.connect("127.0.0.1", daphnes[0])
