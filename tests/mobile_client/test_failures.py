"""Every failure is shown and the app keeps responding: the backend down, LivePerson down (then
back: the retry button works), the session ended behind the app's back."""

from __future__ import annotations

import contextlib
import socket
import threading

import requests

from tests.mobile_client.helpers import customer_id
from tests.support import servers


def test_backend_down_is_shown_and_the_ui_still_responds(drive, standin, secret_store):
    down = f"http://127.0.0.1:{servers.free_port()}"
    app = drive(down, standin.url)

    app.log_in()

    assert app.current == "login"
    message = app.text("login", "login_message")
    assert f"Cannot reach the backend at {down}" in message, message
    assert secret_store.entries == {}
    app.screenshot("backend-down")
    app.press("login", "settings_button")  # the buttons still work
    assert app.current == "settings"
    assert down in app.text("settings", "endpoints")
    app.press("settings", "back_button")
    assert app.current == "login"
    app.log_in()  # and the login can be tried again
    assert f"Cannot reach the backend at {down}" in app.text("login", "login_message")


def test_an_authentication_failure_is_shown_and_retry_reconnects(drive, backend, tmp_path):
    port = servers.port_for("liveperson", in_readme=True)  # its picture shows the address
    app = drive(backend.url, f"http://127.0.0.1:{port}")
    app.log_in()
    app.press("home", "chat_button")
    screen = app.screen("conversation")
    app.wait_until(lambda: screen.failed, "the failure to be shown")

    status = app.text("conversation", "conversation_status")
    assert status.startswith("Could not reach LivePerson: Connection failed"), status
    assert f"could not connect to LivePerson at http://127.0.0.1:{port}" in status
    assert app.text("conversation", "connection_state") == "Failed"
    app.screenshot("conversation-failed")

    with servers.standin(tmp_path, backend.url, port=port):  # LivePerson is back
        app.press("conversation", "retry_button")
        app.wait_until(lambda: not screen.connecting and not screen.failed, "the retry to connect")
        sub = customer_id(backend)
        assert (
            app.text("conversation", "conversation_status") == f"Authenticated as customer {sub} (code flow)"
        )
        assert app.widget("conversation", "retry_button").disabled


def test_a_session_ended_elsewhere_is_shown_in_the_conversation(drive, backend, standin, secret_store):
    app = drive(backend.url, standin.url)
    app.log_in()
    ended = requests.delete(
        f"{backend.url}/api/session",
        headers={"Authorization": f"Bearer {app.app.session_token}"},
        timeout=15,
    )
    assert ended.status_code == 204

    app.press("home", "chat_button")
    screen = app.screen("conversation")
    app.wait_until(lambda: screen.failed, "the failure to be shown")

    status = app.text("conversation", "conversation_status")
    assert "Could not get authentication from the backend" in status
    assert "Your session has expired. Log in again." in status
    app.press("conversation", "back_button")  # the app still responds
    assert app.current == "home"


def test_a_refusal_by_liveperson_is_shown_with_its_reason(drive, backend, tmp_path):
    """A stand-in that trusts another brand: the backend's JWT is refused, and the reason shown."""
    other_brand = f"http://127.0.0.1:{servers.free_port()}"
    with servers.standin(tmp_path, other_brand) as stranger:
        app = drive(backend.url, stranger.url, flow="implicit")
        app.log_in()
        app.press("home", "chat_button")
        screen = app.screen("conversation")
        app.wait_until(lambda: screen.failed, "the refusal to be shown")

        status = app.text("conversation", "conversation_status")
        assert status.startswith("LivePerson refused the authentication: "), status
        assert app.app.messaging.conversation is None
        assert not app.widget("conversation", "retry_button").disabled
        app.screenshot("conversation-refused")


class SilentServer:
    """Accepts connections on loopback and answers nothing until `hang_up()`: a backend that hangs."""

    def __init__(self) -> None:
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.listener.settimeout(0.05)  # so that the accepting thread notices `hang_up`
        self.url = f"http://127.0.0.1:{self.listener.getsockname()[1]}"
        self.accepted: list[socket.socket] = []
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self._accept, daemon=True)
        self.thread.start()

    def _accept(self) -> None:
        while not self.stopping.is_set():
            with contextlib.suppress(TimeoutError):
                self.accepted.append(self.listener.accept()[0])

    def hang_up(self) -> None:
        self.stopping.set()
        self.thread.join(timeout=10)
        self.listener.close()
        for connection in self.accepted:
            connection.close()


def test_the_ui_responds_while_the_backend_hangs(drive, standin, secret_store):
    silent = SilentServer()
    try:
        app = drive(silent.url, standin.url, timeout=60)
        app.type("login", "email", "demo@example.com")
        app.type("login", "password", "demo-password")
        app.press("login", "login_button")
        app.wait_until(lambda: silent.accepted, "the login request to arrive")

        assert app.screen("login").busy  # waiting for the backend, which does not answer
        assert app.widget("login", "login_button").disabled
        assert app.text("login", "login_button") == "Signing in..."
        app.press("login", "settings_button")  # meanwhile the app responds
        assert app.current == "settings"
        app.press("settings", "flow_implicit")
        assert app.app.client_settings.flow == "implicit"
        app.press("settings", "back_button")
        assert app.current == "login" and app.screen("login").busy
    finally:
        silent.hang_up()

    app.wait_until(lambda: not app.screen("login").busy, "the login to fail")
    assert f"Cannot reach the backend at {silent.url}" in app.text("login", "login_message")
    assert not app.widget("login", "login_button").disabled
    assert secret_store.entries == {}
