"""Content-Security-Policy (django-csp): nonces for inline scripts, none without one, and
violation reports logged by POST /csp-report/ (forum.csp)."""

from __future__ import annotations

import json
import logging
import re

import pytest
from django.test import Client

REPORT = {
    "csp-report": {
        "document-uri": "http://testserver/questions/1/",
        "violated-directive": "script-src-elem",
        "blocked-uri": "inline",
        "line-number": 12,
        "original-policy": "default-src 'self'",
    }
}


def directives(response) -> dict[str, list[str]]:
    policy = response["Content-Security-Policy"]
    return {
        part.split()[0]: part.split()[1:] for part in (p.strip() for p in policy.split(";")) if part
    }


@pytest.mark.parametrize(
    "url", ["/", "/tags/", "/leaderboard/", "/accounts/login/", "/accounts/signup/"]
)
def test_pages_allow_only_own_scripts_and_the_nonced_inline_one(client, db, url):
    response = client.get(url)

    assert response.status_code == 200
    policy = directives(response)
    html = response.content.decode()
    nonce = re.search(r'<script nonce="([^"]+)">', html).group(1)
    assert policy["script-src"] == ["'self'", f"'nonce-{nonce}'"]
    assert policy["object-src"] == ["'none'"]
    assert policy["base-uri"] == ["'self'"]
    assert policy["report-uri"] == ["/csp-report/"]
    # every other script is a file of this site
    for tag in re.findall(r"<script\b[^>]*>", html):
        assert 'src="/' in tag or f'nonce="{nonce}"' in tag, tag
    assert not re.search(r"\son[a-z]+=", html)
    assert "javascript:" not in html


def test_each_response_gets_a_fresh_nonce(client, db):
    first = directives(client.get("/"))["script-src"]
    second = directives(client.get("/"))["script-src"]

    assert first != second


def test_the_api_docs_page_has_no_inline_script(client, db):
    response = client.get("/api/docs/")

    html = response.content.decode()
    assert response.status_code == 200
    scripts = re.findall(r"<script\b[^>]*>", html)
    assert len(scripts) == 3
    assert all("src=" in tag for tag in scripts)
    start = re.search(r'<script src="([^"]*\?script=)"', html).group(1)
    assert client.get(start).status_code == 200


def test_the_admin_runs_under_the_policy(admin_client):
    response = admin_client.get("/admin/")

    assert response.status_code == 200
    assert directives(response)["script-src"][0] == "'self'"
    assert "'unsafe-inline'" not in directives(response)["script-src"]


# Reports -------------------------------------------------------------------------------


def post_report(
    client: Client, body: object, content_type: str = "application/csp-report", **extra
):  # noqa: ANN003
    data = body if isinstance(body, str | bytes) else json.dumps(body)
    return client.post("/csp-report/", data, content_type=content_type, **extra)


def test_a_report_is_logged_and_answered_204(db, caplog, django_assert_num_queries):
    client = Client(enforce_csrf_checks=True)  # browsers send no CSRF token with reports

    with caplog.at_level(logging.WARNING, logger="circolo.csp"), django_assert_num_queries(0):
        response = post_report(client, REPORT)

    assert response.status_code == 204
    [record] = [r for r in caplog.records if r.name == "circolo.csp"]
    assert record.getMessage() == (
        'CSP violation: {"blocked-uri": "inline", "document-uri": '
        '"http://testserver/questions/1/", "line-number": "12", '
        '"violated-directive": "script-src-elem"}'
    )


def test_reporting_api_batches_are_logged_each(db, caplog):
    batch = [
        {
            "type": "csp-violation",
            "body": {"documentURL": "http://testserver/", "blockedURL": "eval"},
        },
        {"type": "csp-violation", "body": {"documentURL": "http://testserver/tags/"}},
    ]
    with caplog.at_level(logging.WARNING, logger="circolo.csp"):
        response = post_report(Client(), batch, content_type="application/reports+json")

    assert response.status_code == 204
    assert len([r for r in caplog.records if r.name == "circolo.csp"]) == 2


@pytest.mark.parametrize(
    "body", ["not json", "[]", '{"csp-report": "x"}', "null", '"text"', b"\xff\xfe"]
)
def test_what_is_not_a_report_is_400_and_not_logged(db, caplog, body):
    with caplog.at_level(logging.WARNING, logger="circolo.csp"):
        response = post_report(Client(), body)

    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert not [r for r in caplog.records if r.name == "circolo.csp"]


def test_an_oversized_report_is_413(db, caplog):
    big = {"csp-report": {"blocked-uri": "x" * (16 * 1024)}}
    with caplog.at_level(logging.WARNING, logger="circolo.csp"):
        response = post_report(Client(), big)

    assert response.status_code == 413
    assert not [r for r in caplog.records if r.name == "circolo.csp"]


def test_logged_fields_are_capped(db, caplog):
    with caplog.at_level(logging.WARNING, logger="circolo.csp"):
        post_report(Client(), {"csp-report": {"blocked-uri": "y" * 5000}})

    [record] = [r for r in caplog.records if r.name == "circolo.csp"]
    assert len(record.getMessage()) < 400


@pytest.mark.usefixtures("fresh_rate_window")
def test_reports_are_rate_limited_per_address(db):
    client = Client(REMOTE_ADDR="10.3.3.3")
    statuses = [
        post_report(client, REPORT, HTTP_X_FORWARDED_FOR=f"1.2.3.{n}").status_code
        for n in range(61)
    ]

    assert statuses == [204] * 60 + [429]
    last = post_report(client, REPORT)
    assert last.status_code == 429
    assert 1 <= int(last["Retry-After"]) <= 60
    assert post_report(Client(REMOTE_ADDR="10.3.3.4"), REPORT).status_code == 204


def test_only_post(client, db):
    assert client.get("/csp-report/").status_code == 405
