"""Calls that overlap: the host app runs the network calls on worker threads, and the customer may
log out or start again while one is in flight. The result of an overtaken call is dropped, and
nothing of it reaches the listener."""

from __future__ import annotations

import contextlib
import socket
import threading
from collections.abc import Iterator

import pytest

from shared.messaging_sdk import AuthenticationParams, AuthType, ConnectionState, MessagingClient
from tests.messaging_sdk.host_app import WAIT, DemoApp
from tests.support.servers import LiveServer


class HoldFirstProxy:
    """A loopback proxy to the stand-in that holds its first connection unanswered (a call in
    flight) and forwards every later one."""

    def __init__(self, target: LiveServer) -> None:
        self.target_port = int(target.url.rsplit(":", 1)[1])
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self.listener.getsockname()[1]}"
        self.first_arrived = threading.Event()
        self.first: socket.socket | None = None
        self.sockets: list[socket.socket] = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                accepted, _ = self.listener.accept()
            except OSError:
                return  # closed
            self.sockets.append(accepted)
            if self.first is None:
                self.first = accepted
                self.first_arrived.set()
                continue
            upstream = socket.create_connection(("127.0.0.1", self.target_port))
            self.sockets.append(upstream)
            for source, sink in ((accepted, upstream), (upstream, accepted)):
                threading.Thread(target=_pipe, args=(source, sink), daemon=True).start()

    def release_first(self) -> None:
        """The held call fails now: its connection closes without an answer."""
        assert self.first is not None
        self.first.shutdown(socket.SHUT_RDWR)

    def close(self) -> None:
        self.listener.close()
        for held in self.sockets:
            with contextlib.suppress(OSError):
                held.shutdown(socket.SHUT_RDWR)
            held.close()


def _pipe(source: socket.socket, sink: socket.socket) -> None:
    with contextlib.suppress(OSError):
        while data := source.recv(65536):
            sink.sendall(data)
    with contextlib.suppress(OSError):
        sink.shutdown(socket.SHUT_WR)


@pytest.fixture
def proxy(standin: LiveServer) -> Iterator[HoldFirstProxy]:
    held = HoldFirstProxy(standin)
    yield held
    held.close()


def start_in_background(client: MessagingClient, params: AuthenticationParams) -> threading.Thread:
    worker = threading.Thread(target=client.start_conversation, args=(params,), daemon=True)
    worker.start()
    return worker


def test_a_start_overtaken_by_logout_is_dropped(live_backend, proxy, sdk):
    client, recorder = sdk(proxy.url, timeout=WAIT)
    worker = start_in_background(client, DemoApp(live_backend).jwt_params())
    assert proxy.first_arrived.wait(WAIT)  # the call is now in flight

    client.logout()
    proxy.release_first()
    worker.join(WAIT)

    assert not worker.is_alive()
    assert client.conversation is None
    assert recorder.events == [
        ("state", ConnectionState.CONNECTING),
        ("state", ConnectionState.DISCONNECTED),
    ]


def test_a_start_overtaken_by_another_start_is_dropped(live_backend, proxy, sdk):
    client, recorder = sdk(proxy.url, timeout=WAIT)
    worker = start_in_background(client, DemoApp(live_backend).jwt_params())
    assert proxy.first_arrived.wait(WAIT)

    second = client.start_conversation(AuthenticationParams.unauthenticated())
    proxy.release_first()
    worker.join(WAIT)

    assert not worker.is_alive()
    assert second is not None and second.type is AuthType.UN_AUTH, recorder.events
    assert client.conversation == second
    assert recorder.named("failed") == []
    assert recorder.named("started") == [second]
    assert client.connection_state is ConnectionState.CONNECTED
    client.logout()


def test_a_callback_on_the_reader_thread_cannot_wait_on_its_own_socket(standin, sdk):
    """`send_text` from `on_message_received` would wait for an answer only the blocked reader
    could read: it is refused at once, saying why, instead of hanging."""
    client, recorder = sdk(standin, AuthenticationParams.unauthenticated())
    refusals: list[Exception] = []
    answered = threading.Event()

    def answer(message: object) -> None:
        try:
            client.send_text("An answer from the callback")
        except RuntimeError as refused:
            refusals.append(refused)
        answered.set()

    recorder.on_message_received = answer  # type: ignore[method-assign]
    client.send_text("Hello")

    assert answered.wait(WAIT)
    assert len(refusals) == 1 and "reader thread" in str(refusals[0])
    assert client.send_text("From another thread") == 1  # the socket still serves
