"""The socket's Origin check compares scheme, host and port with the site's own origin
(and CSRF_TRUSTED_ORIGINS); sockets per client address are capped."""

from __future__ import annotations

import pytest
from channels.testing import WebsocketCommunicator

from config.asgi import application
from live.routing import websocket_application
from tests.live.sockets import communicator, subscribe

pytestmark = pytest.mark.django_db(transaction=True)


async def handshake(host: bytes, origin: bytes, *extra: tuple[bytes, bytes], scheme=None):
    socket = WebsocketCommunicator(
        application, "/ws/", headers=[(b"host", host), (b"origin", origin), *extra]
    )
    if scheme:
        socket.scope["scheme"] = scheme
    connected, code = await socket.connect(timeout=5)
    if connected:
        await socket.disconnect()
    return connected, code


@pytest.mark.parametrize(
    "origin",
    [
        b"http://127.0.0.1:9999",  # another port
        b"https://localhost",  # another scheme and host
        b"https://127.0.0.1:8000",  # another scheme
        b"http://localhost:8000",  # another host
        b"http://127.0.0.1",  # the default port, 80
        b"http://127.0.0.1:8000.evil.example",
        b"http://127.0.0.1:notaport",
        b"ws://127.0.0.1:8000",
        b"null",
    ],
)
async def test_an_origin_differing_in_scheme_host_or_port_is_refused(origin):
    assert await handshake(b"127.0.0.1:8000", origin) == (False, 1000)


@pytest.mark.parametrize(
    ("host", "origin"),
    [
        (b"127.0.0.1:8000", b"http://127.0.0.1:8000"),
        (b"localhost", b"http://localhost"),
        (b"localhost", b"http://LOCALHOST:80"),
        (b"testserver", b"http://testserver"),
    ],
)
async def test_the_sites_own_origin_is_accepted(host, origin):
    assert await handshake(host, origin) == (True, None)


async def test_a_secure_site_accepts_its_https_origin_only():
    assert await handshake(b"localhost", b"https://localhost", scheme="wss") == (True, None)
    assert await handshake(b"localhost", b"http://localhost", scheme="wss") == (False, 1000)


async def test_behind_a_tls_proxy_the_forwarded_proto_decides(settings):
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    proto = (b"x-forwarded-proto", b"https")

    assert await handshake(b"localhost", b"https://localhost", proto) == (True, None)
    assert await handshake(b"localhost", b"http://localhost", proto) == (False, 1000)
    # without the proxy setting the header is not believed
    settings.SECURE_PROXY_SSL_HEADER = None
    assert await handshake(b"localhost", b"https://localhost", proto) == (False, 1000)


async def test_csrf_trusted_origins_are_accepted_exactly(settings):
    settings.CSRF_TRUSTED_ORIGINS = ["https://app.example.com", "https://*.example.org"]

    assert await handshake(b"localhost", b"https://app.example.com") == (True, None)
    assert await handshake(b"localhost", b"https://shop.example.org") == (True, None)
    assert await handshake(b"localhost", b"http://app.example.com") == (False, 1000)
    assert await handshake(b"localhost", b"https://app.example.com:8443") == (False, 1000)
    assert await handshake(b"localhost", b"https://example.org.evil.example") == (False, 1000)


async def test_a_host_outside_allowed_hosts_is_refused_even_with_a_matching_origin():
    assert await handshake(b"evil.example", b"http://evil.example") == (False, 1000)


async def test_the_routing_application_checks_the_origin_itself():
    socket = WebsocketCommunicator(
        websocket_application(),
        "/ws/",
        headers=[(b"host", b"127.0.0.1:8000"), (b"origin", b"http://127.0.0.1:9999")],
    )
    assert (await socket.connect(timeout=5))[0] is False


# Sockets per client address ------------------------------------------------------------


async def open_from(address: str, user=None):  # noqa: ANN001
    socket = await communicator(user)
    socket.scope["client"] = (address, 40000)
    connected, code = await socket.connect(timeout=5)
    assert connected, code
    return socket


async def closed_with(socket) -> int:
    output = await socket.receive_output(timeout=5)
    assert output["type"] == "websocket.close", output
    return output["code"]


async def test_sockets_beyond_the_limit_per_address_are_closed_with_4029(settings, customer):
    settings.LIVE_MAX_SOCKETS_PER_ADDRESS = 3
    first = [await open_from("192.0.2.10") for _ in range(2)]
    first.append(await open_from("192.0.2.10", customer))  # members count too
    for socket in first:
        assert (await subscribe(socket, "feed"))["type"] == "subscribed"

    extra = await open_from("192.0.2.10")
    member_extra = await open_from("192.0.2.10", customer)

    for socket in (extra, member_extra):
        assert await socket.receive_json_from(timeout=5) == {
            "type": "error",
            "stream": None,
            "reason": "too_many_sockets",
        }
        assert await closed_with(socket) == 4029
    # another address is not affected
    other = await open_from("192.0.2.11")
    assert (await subscribe(other, "feed"))["type"] == "subscribed"
    # closing one frees a place
    await first[0].disconnect()
    again = await open_from("192.0.2.10")
    assert (await subscribe(again, "feed"))["type"] == "subscribed"
    for socket in (*first[1:], other, again):
        await socket.disconnect()


async def test_forged_forwarded_for_does_not_escape_the_cap(settings):
    settings.LIVE_MAX_SOCKETS_PER_ADDRESS = 2
    sockets = []
    for n in range(3):
        socket = await communicator(headers=[(b"x-forwarded-for", f"10.0.0.{n}".encode())])
        socket.scope["client"] = ("192.0.2.20", 40000 + n)
        assert (await socket.connect(timeout=5))[0]
        sockets.append(socket)

    assert (await subscribe(sockets[0], "feed"))["type"] == "subscribed"
    assert (await sockets[2].receive_json_from(timeout=5))["reason"] == "too_many_sockets"
    assert await closed_with(sockets[2]) == 4029
    for socket in sockets[:2]:
        await socket.disconnect()


async def test_sixty_anonymous_sockets_from_one_address_get_the_default_fifty_places():
    opened = [await open_from("192.0.2.30") for _ in range(60)]
    refused = 0
    for socket in opened[50:]:
        assert await closed_with_after_error(socket) == 4029
        refused += 1
    assert refused == 10
    assert (await subscribe(opened[49], "feed"))["type"] == "subscribed"
    for socket in opened[:50]:
        await socket.disconnect()


async def closed_with_after_error(socket) -> int:
    assert (await socket.receive_json_from(timeout=5))["reason"] == "too_many_sockets"
    return await closed_with(socket)
