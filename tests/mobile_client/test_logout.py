"""Logging out ends the session at the backend and deletes it from the secret store; the device
token stays, so the next login is the customer's own."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from tests.mobile_client.helpers import DEVICE, STORED, TIMEOUT, session_status
from tests.support import servers
from tests.support.servers import LiveServer


def test_logout_clears_the_stored_session(drive, backend, standin, secret_store):
    app = drive(backend.url, standin.url)
    app.log_in()
    token = secret_store.entries[STORED]
    app.press("home", "chat_button")
    app.wait_until(lambda: app.app.messaging.conversation is not None, "the conversation")
    app.press("conversation", "back_button")

    app.press("home", "logout_button")
    app.wait_until(lambda: app.current == "login", "the login screen")

    assert STORED not in secret_store.entries
    assert app.app.session_token is None
    assert app.app.user == {}
    assert session_status(backend, token) == 401
    assert app.text("home", "user_label") == ""
    assert app.text("login", "login_message") == ""


@pytest.fixture
def own_backend(tmp_path: Path) -> Iterator[LiveServer]:
    """A backend of this test's own: it locks the demo account to unknown devices."""
    with servers.backend(tmp_path) as server:
        yield server


def test_the_app_keeps_its_device_token_and_gets_in_while_the_account_is_under_attack(
    drive, own_backend, standin, secret_store
):
    """Someone else's wrong passwords lock the account to unknown devices; the customer's own
    app, which logged in before, still logs in after a logout (backend/login/throttle.py)."""
    app = drive(own_backend.url, standin.url)
    app.log_in()
    device_token = secret_store.entries[DEVICE]
    app.press("home", "logout_button")
    app.wait_until(lambda: app.current == "login", "the login screen")
    assert secret_store.entries[DEVICE] == device_token  # a logout keeps it

    for password in [*(f"guess-{n}" for n in range(5)), "demo-password"]:
        attacker = requests.post(f"{own_backend.url}/api/session",
                                 json={"email": "demo@example.com", "password": password},
                                 timeout=TIMEOUT)
    assert attacker.status_code == 429  # even the right password, from a device never seen

    app.log_in()

    assert app.current == "home", app.text("login", "login_message")
    assert session_status(own_backend, secret_store.entries[STORED]) == 200
