"""Every failure reaches `on_authentication_failed` with its `LpError` kind, LivePerson's
internalErrorCode where it gave one, and a reason; none is raised into the host app."""

from __future__ import annotations

import socket
from collections.abc import Iterator

import pytest

from shared.messaging_sdk import AuthenticationParams, ConnectionState, LpError
from tests.messaging_sdk.host_app import DemoApp
from tests.support import servers
from tests.support.consumer import agent_get


def test_a_reused_code_fails_with_9011_and_opens_no_conversation(live_backend, standin, sdk):
    app = DemoApp(live_backend)
    params = app.code_params()
    first, _ = sdk(standin, params)
    first.close_conversation()
    before = agent_get(standin)["conversations"]
    client, recorder = sdk(standin)

    assert client.start_conversation(params) is None

    error = recorder.failure()
    assert (error.kind, error.code, error.status, error.check) == (LpError.IDP, "9011", 401, "token-exchange")
    assert "invalid_grant" in error.message
    assert error.reason.startswith("9011 Customer authentication failed: ")
    assert client.conversation is None
    assert client.connection_state is ConnectionState.DISCONNECTED
    assert agent_get(standin)["conversations"] == before


def test_a_bogus_code_fails_with_9011(live_backend, standin, sdk):
    redirect_uri = DemoApp(live_backend).code()["redirect_uri"]
    client, recorder = sdk(standin)

    client.start_conversation(AuthenticationParams.code("not-a-code-the-brand-issued", redirect_uri))

    assert (recorder.failure().kind, recorder.failure().code) == (LpError.IDP, "9011")


def test_a_tampered_jwt_fails_with_livepersons_number(live_backend, standin, sdk):
    header, claims, signature = DemoApp(live_backend).jwt_params().host_app_jwt.split(".")
    forged = claims[:-4] + ("AAAA" if not claims.endswith("AAAA") else "BBBB")
    client, recorder = sdk(standin)

    client.start_conversation(AuthenticationParams.jwt(f"{header}.{forged}.{signature}"))

    error = recorder.failure()
    assert error.kind is LpError.IDP
    assert error.code in ("9007", "9012")


def test_a_failed_reconnect_keeps_the_conversation_for_a_retry(live_backend, standin, sdk):
    app = DemoApp(live_backend)
    params = app.code_params()
    client, recorder = sdk(standin, params)
    conversation = client.conversation

    assert client.reconnect(params) is None  # the code was used already

    assert recorder.named("failed")[0].code == "9011"
    assert client.conversation == conversation
    assert client.connection_state is ConnectionState.DISCONNECTED
    again = client.reconnect(app.code_params())
    assert again is not None and again.conversation_id == conversation.conversation_id
    assert recorder.named("started") == [conversation]


def test_reconnect_without_a_conversation_does_nothing(live_backend, standin, sdk):
    client, recorder = sdk(standin)

    assert client.reconnect(DemoApp(live_backend).jwt_params()) is None

    assert recorder.events == []


def test_liveperson_unreachable_is_a_socket_failure_about_the_connection(live_backend, sdk):
    url = f"http://127.0.0.1:{servers.free_port()}"  # nothing listens there
    client, recorder = sdk(url)

    assert client.start_conversation(DemoApp(live_backend).jwt_params()) is None

    error = recorder.failure()
    assert (error.kind, error.code, error.status, error.error) == (
        LpError.SOCKET,
        None,
        None,
        "Connection failed",
    )
    assert "could not connect to LivePerson at " + url in error.reason
    assert "refused" in error.reason.lower()


@pytest.fixture
def silent_server() -> Iterator[str]:
    """Accepts connections (the kernel does, into the backlog) and never answers."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(8)
        yield f"http://127.0.0.1:{listener.getsockname()[1]}"


def test_liveperson_not_answering_is_a_timeout(live_backend, silent_server, sdk):
    client, recorder = sdk(silent_server, timeout=0.5)

    assert client.start_conversation(DemoApp(live_backend).jwt_params()) is None

    error = recorder.failure()
    assert (error.kind, error.code, error.error) == (LpError.TIMEOUT, None, "Timeout")
    assert "did not answer within 0.5 s" in error.reason


def test_a_server_that_is_not_liveperson_is_reported_as_such(live_backend, sdk):
    client, recorder = sdk(live_backend)

    client.start_conversation(DemoApp(live_backend).jwt_params())

    error = recorder.failure()
    assert (error.kind, error.code, error.status) == (LpError.UNKNOWN, None, 404)
    assert "without an error description" in error.reason
