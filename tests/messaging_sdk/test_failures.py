"""Every failure reaches `on_authentication_failed` with LivePerson's number and a reason; none is
raised into the host app."""

from __future__ import annotations

import socket
from collections.abc import Iterator

import pytest

from shared.messaging_sdk import AuthenticationParams, MessagingClient
from tests.messaging_sdk.host_app import ACCOUNT, DemoApp, ManualScheduler, Recorder, conversations
from tests.support import servers


def client_for(url: str, recorder: Recorder, **options) -> MessagingClient:
    return MessagingClient(url, ACCOUNT, listener=recorder, schedule=ManualScheduler(), **options)


def test_a_reused_code_fails_with_9011_and_opens_no_conversation(live_backend, standin):
    app = DemoApp(live_backend)
    params = app.code_params()
    assert client_for(standin.url, Recorder()).start_conversation(params) is not None
    before = conversations(standin)
    recorder = Recorder()
    client = client_for(standin.url, recorder)

    assert client.start_conversation(params) is None

    error = recorder.failure()
    assert (error.code, error.status) == ("9011", 401)
    assert "invalid_grant" in error.message
    assert error.reason.startswith("9011 ")
    assert client.conversation is None
    assert conversations(standin) == before


def test_a_bogus_code_fails_with_9011(live_backend, standin):
    redirect_uri = DemoApp(live_backend).code()["redirect_uri"]
    recorder = Recorder()

    assert (
        client_for(standin.url, recorder).start_conversation(
            AuthenticationParams.code("not-a-code-the-brand-issued", redirect_uri)
        )
        is None
    )

    assert recorder.failure().code == "9011"


def test_a_tampered_jwt_fails_with_livepersons_number(live_backend, standin):
    header, claims, signature = DemoApp(live_backend).jwt_params().host_app_jwt.split(".")
    forged = claims[:-4] + ("AAAA" if not claims.endswith("AAAA") else "BBBB")
    recorder = Recorder()

    client_for(standin.url, recorder).start_conversation(
        AuthenticationParams.jwt(f"{header}.{forged}.{signature}")
    )

    assert recorder.failure().code in ("9007", "9012")


def test_a_failed_reconnect_keeps_the_conversation_for_a_retry(live_backend, standin):
    app, recorder = DemoApp(live_backend), Recorder()
    client = client_for(standin.url, recorder)
    params = app.code_params()
    conversation = client.start_conversation(params)
    assert conversation is not None, recorder.events

    assert client.reconnect(params) is None  # the code was used already

    assert [event for event, _ in recorder.events] == ["started", "failed"]
    assert recorder.named("failed")[0].code == "9011"
    assert client.conversation == conversation
    assert client.reconnect(app.code_params()) is not None


def test_liveperson_unreachable_is_an_authentication_failure_about_the_connection(live_backend):
    url = f"http://127.0.0.1:{servers.free_port()}"  # nothing listens there
    recorder = Recorder()

    assert client_for(url, recorder).start_conversation(DemoApp(live_backend).jwt_params()) is None

    error = recorder.failure()
    assert (error.code, error.status, error.error) == (None, None, "Connection failed")
    assert "could not connect to LivePerson at " + url in error.reason
    assert "refused" in error.reason.lower()


@pytest.fixture
def silent_server() -> Iterator[str]:
    """Accepts connections (the kernel does, into the backlog) and never answers."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(8)
        yield f"http://127.0.0.1:{listener.getsockname()[1]}"


def test_liveperson_not_answering_is_an_authentication_failure_about_the_timeout(live_backend, silent_server):
    recorder = Recorder()

    client = client_for(silent_server, recorder, timeout=0.5)
    assert client.start_conversation(DemoApp(live_backend).jwt_params()) is None

    error = recorder.failure()
    assert (error.code, error.error) == (None, "Timeout")
    assert "did not answer within 0.5 s" in error.reason


def test_a_server_that_is_not_liveperson_is_reported_as_such(live_backend):
    recorder = Recorder()

    client_for(live_backend.url, recorder).start_conversation(DemoApp(live_backend).jwt_params())

    error = recorder.failure()
    assert (error.code, error.status) == (None, 404)
    assert "without an error description" in error.reason
