"""Calls that overlap: the host app runs the network calls on worker threads, and the customer may
log out or start again while one is in flight. The result of an overtaken call is dropped."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator

import pytest

from shared.messaging_sdk import AuthenticationParams, AuthType, MessagingClient
from tests.messaging_sdk.host_app import ACCOUNT, DemoApp, ManualScheduler, Recorder

WAIT = 30  # seconds a step may take on a slow machine


@pytest.fixture
def held_connection() -> Iterator[tuple[str, socket.socket]]:
    """A server that accepts the SDK's connection and answers nothing until the test closes it."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(1)
        listener.settimeout(WAIT)
        yield f"http://127.0.0.1:{listener.getsockname()[1]}", listener


def start_in_background(client: MessagingClient, params: AuthenticationParams) -> threading.Thread:
    worker = threading.Thread(target=client.start_conversation, args=(params,), daemon=True)
    worker.start()
    return worker


@pytest.mark.parametrize("overtaken_by", ["end_conversation", "start_unauthenticated"])
def test_a_call_overtaken_while_in_flight_is_dropped(live_backend, held_connection, overtaken_by):
    url, listener = held_connection
    recorder = Recorder()
    client = MessagingClient(url, ACCOUNT, listener=recorder, schedule=ManualScheduler(), timeout=WAIT)
    worker = start_in_background(client, DemoApp(live_backend).jwt_params())
    connection, _ = listener.accept()  # the call is now in flight

    if overtaken_by == "end_conversation":
        client.end_conversation()
        expected = None
    else:
        expected = client.start_conversation(AuthenticationParams.unauthenticated())
        assert expected is not None and expected.type is AuthType.UN_AUTH
    connection.close()  # the in-flight call fails now
    worker.join(WAIT)

    assert not worker.is_alive()
    assert client.conversation == expected
    assert recorder.named("failed") == []
    assert recorder.named("started") == ([] if expected is None else [expected])
