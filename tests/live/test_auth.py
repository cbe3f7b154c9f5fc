"""The socket's handshake: Origin checks, session cookie, token header or query."""

from __future__ import annotations

import pytest
from rest_framework.authtoken.models import Token

from tests.live.sockets import communicator, run, subscribe

pytestmark = pytest.mark.django_db(transaction=True)


async def handshake(socket) -> tuple[bool, int | None]:
    connected, code = await socket.connect(timeout=5)
    if connected:
        await socket.disconnect()
    return connected, code


@pytest.fixture
def token(customer):
    return Token.objects.create(user=customer).key


async def test_a_page_of_this_site_may_connect():
    # (other hosts, schemes and ports: tests/live/test_origins.py)
    assert await handshake(await communicator(origin=b"http://testserver")) == (True, None)


@pytest.mark.parametrize(
    "origin", [b"http://evil.example", b"http://testserver.evil.example", b"null", b"file://"]
)
async def test_a_foreign_origin_is_refused(origin):
    assert await handshake(await communicator(origin=origin)) == (False, 1000)


async def test_a_missing_origin_is_refused():
    assert await handshake(await communicator(origin=None)) == (False, 1000)


async def test_a_missing_origin_is_refused_even_when_every_host_is_allowed(settings):
    settings.ALLOWED_HOSTS = ["*"]
    from channels.testing import WebsocketCommunicator

    from live.routing import websocket_application

    socket = WebsocketCommunicator(websocket_application(), "/ws/", headers=[(b"host", b"x")])
    assert await handshake(socket) == (False, 1000)


async def test_a_foreign_origin_is_refused_for_a_logged_in_member(customer):
    # a page on another site cannot ride on the member's session cookie
    socket = await communicator(customer, origin=b"http://evil.example")
    assert await handshake(socket) == (False, 1000)


async def test_the_session_cookie_authenticates(connect, customer):
    socket = await connect(customer)
    assert (await subscribe(socket, "user"))["type"] == "subscribed"


async def test_a_token_in_the_authorization_header_authenticates(token):
    socket = await communicator(headers=[(b"authorization", f"Token {token}".encode())])
    assert (await socket.connect(timeout=5))[0]
    assert (await subscribe(socket, "user"))["type"] == "subscribed"
    await socket.disconnect()


async def test_a_token_in_the_query_string_authenticates(token):
    socket = await communicator(path=f"/ws/?token={token}")
    assert (await socket.connect(timeout=5))[0]
    assert (await subscribe(socket, "user"))["type"] == "subscribed"
    await socket.disconnect()


@pytest.mark.parametrize(
    "header",
    [
        b"Token 0123456789abcdef0123456789abcdef01234567",
        b"Token ",
        b"Bearer abc",
        b"Token " + b"a" * 300,
    ],
)
async def test_a_wrong_token_is_refused_not_downgraded_to_anonymous(header):
    assert await handshake(await communicator(headers=[(b"authorization", header)])) == (
        False,
        1000,
    )


async def test_a_wrong_token_in_the_query_is_refused():
    assert await handshake(await communicator(path="/ws/?token=nope")) == (False, 1000)


async def test_a_disabled_members_token_is_refused(customer, token):
    customer.is_active = False
    await run(lambda: customer.save(update_fields=["is_active"]))
    socket = await communicator(headers=[(b"authorization", f"Token {token}".encode())])
    assert await handshake(socket) == (False, 1000)


async def test_a_token_does_not_bypass_the_origin_check(token):
    socket = await communicator(
        origin=b"http://evil.example", headers=[(b"authorization", f"Token {token}".encode())]
    )
    assert await handshake(socket) == (False, 1000)


async def test_only_ws_is_routed(token):
    socket = await communicator(path="/other/")
    with pytest.raises(ValueError, match="No route found"):
        await socket.connect(timeout=5)


async def test_without_a_session_cookie_the_socket_is_anonymous_without_a_session_lookup(
    monkeypatch,
):
    # Other cookies (a CSRF token, a language) do not make a session: no trip to the
    # database thread for the session middleware to find none.
    async def no_lookup(scope):  # noqa: ANN001
        raise AssertionError("looked the session up")

    monkeypatch.setattr("channels.auth.get_user", no_lookup)
    socket = await communicator(headers=[(b"cookie", b"csrftoken=abc; django_language=it")])
    assert (await socket.connect(timeout=5))[0]
    assert await subscribe(socket, "user") == {
        "type": "error",
        "stream": "user",
        "reason": "login_required",
    }
    assert (await subscribe(socket, "feed"))["type"] == "subscribed"
    await socket.disconnect()


async def test_a_session_cookie_of_no_session_is_anonymous():
    socket = await communicator(headers=[(b"cookie", b"sessionid=gone; csrftoken=abc")])
    assert (await socket.connect(timeout=5))[0]
    assert (await subscribe(socket, "user"))["reason"] == "login_required"
    await socket.disconnect()
