"""The SSRF guard: only http(s) to public addresses, at registration and at delivery."""

from __future__ import annotations

import socket
from unittest import mock

import pytest

from integrations import ssrf
from integrations.models import Endpoint


def _resolving_to(*addresses: str):
    def fake(host, port, *args, **kwargs):
        return [
            (socket.AF_INET6 if ":" in a else socket.AF_INET, socket.SOCK_STREAM, 6, "", (a, port))
            for a in addresses
        ]

    return mock.patch("integrations.ssrf.socket.getaddrinfo", side_effect=fake)


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1/hook",
        "http://127.1.2.3:8080/hook",
        "http://localhost/hook",
        "http://10.0.0.5/hook",
        "http://172.16.3.4/hook",
        "http://192.168.1.10/hook",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::1]/hook",
        "http://[fd00::1]/hook",
        "http://[fe80::1]/hook",
        "http://[::ffff:127.0.0.1]/hook",
        "http://0.0.0.0/hook",
        "http://100.64.0.1/hook",
    ],
)
def test_private_loopback_link_local_and_metadata_targets_are_refused(url, settings):
    settings.CIRCOLO_WEBHOOKS_ALLOW_PRIVATE = False
    with pytest.raises(ssrf.UnsafeTarget, match="private, loopback"):
        ssrf.check_url(url)


def test_a_name_resolving_to_loopback_is_refused(settings):
    settings.CIRCOLO_WEBHOOKS_ALLOW_PRIVATE = False
    with _resolving_to("127.0.0.1"), pytest.raises(ssrf.UnsafeTarget):
        ssrf.check_url("https://crm.example.com/hooks")


def test_a_name_with_one_private_address_among_public_ones_is_refused(settings):
    settings.CIRCOLO_WEBHOOKS_ALLOW_PRIVATE = False
    with _resolving_to("93.184.215.14", "10.1.2.3"), pytest.raises(ssrf.UnsafeTarget):
        ssrf.check_url("https://crm.example.com/hooks")


def test_a_public_name_is_accepted_and_pinned_to_the_checked_address(settings):
    settings.CIRCOLO_WEBHOOKS_ALLOW_PRIVATE = False
    with _resolving_to("93.184.215.14"):
        target = ssrf.check_url("https://crm.example.com:8443/hooks?x=1")
    assert (target.scheme, target.host, target.port, target.path) == (
        "https",
        "crm.example.com",
        8443,
        "/hooks?x=1",
    )
    assert str(target.address) == "93.184.215.14"


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("ftp://example.com/x", "Only http and https"),
        ("file:///etc/passwd", "Only http and https"),
        ("gopher://example.com/", "Only http and https"),
        ("javascript:alert(1)", "Only http and https"),
        ("http:///nohost", "no host"),
        ("http://user:pw@example.com/", "user name or password"),
        ("http://example.com:99999/", "not a valid URL"),
    ],
)
def test_other_schemes_and_malformed_urls_are_refused(url, reason):
    with pytest.raises(ssrf.UnsafeTarget, match=reason):
        ssrf.check_url(url)


def test_an_unresolvable_name_is_refused(settings):
    with (
        mock.patch("integrations.ssrf.socket.getaddrinfo", side_effect=socket.gaierror("nope")),
        pytest.raises(ssrf.UnsafeTarget, match="does not resolve"),
    ):
        ssrf.check_url("https://nowhere.invalid/")


def test_the_setting_allows_private_targets(settings):
    settings.CIRCOLO_WEBHOOKS_ALLOW_PRIVATE = True
    assert str(ssrf.check_url("http://127.0.0.1:9/hook").address) == "127.0.0.1"
    assert str(ssrf.check_url("http://10.1.2.3/hook").address) == "10.1.2.3"


@pytest.mark.parametrize(
    "url",
    [
        "http://169.254.169.254/latest/",
        "http://[fd00:ec2::254]/",
        "http://[::ffff:169.254.169.254]/",
    ],
)
def test_metadata_services_are_refused_even_when_private_targets_are_allowed(url, settings):
    settings.CIRCOLO_WEBHOOKS_ALLOW_PRIVATE = True
    with pytest.raises(ssrf.UnsafeTarget):
        ssrf.check_url(url)


@pytest.mark.parametrize(
    "url",
    ["http://127.0.0.1/h", "http://10.0.0.1/h", "http://169.254.169.254/", "http://[::1]/h"],
)
def test_registration_through_the_api_refuses_private_targets(manager_client, url, settings):
    settings.CIRCOLO_WEBHOOKS_ALLOW_PRIVATE = False
    response = manager_client.post(
        "/api/v1/webhooks/", {"url": url, "events": ["answer.created"]}, "application/json"
    )
    assert response.status_code == 400
    assert "private, loopback" in response.json()["url"][0]
    assert not Endpoint.objects.exists()


def test_registration_refuses_a_name_resolving_to_loopback(manager_client, settings):
    settings.CIRCOLO_WEBHOOKS_ALLOW_PRIVATE = False
    with _resolving_to("127.0.0.1"):
        response = manager_client.post(
            "/api/v1/webhooks/",
            {"url": "https://rebind.example.com/h", "events": ["answer.created"]},
            "application/json",
        )
    assert response.status_code == 400
    assert not Endpoint.objects.exists()
