"""Logging out ends the session at the backend, deletes it from the secret store and logs out
of the Messaging SDK: the customer's conversation is no longer held or shown. The login screen
then offers a new guest chat, which (as at LivePerson) does not see the customer's history. The
device token stays, so the next login is the customer's own."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from shared.messaging_sdk import ConnectionState
from tests.mobile_client.helpers import DEVICE, STORED, TIMEOUT, conversation, session_status
from tests.support import servers
from tests.support.consumer import agent_post
from tests.support.servers import LiveServer


def test_logout_clears_the_session_and_the_sdk_and_a_guest_chat_starts_afresh(
    drive, backend, standin, secret_store
):
    app = drive(backend.url, standin.url)
    sdk, screen = app.app.messaging, app.screen("conversation")
    app.log_in()
    token = secret_store.entries[STORED]
    app.press("home", "chat_button")
    app.wait_until(lambda: screen.can_send, "the conversation")
    customers = sdk.conversation
    app.type("conversation", "message_input", "My address is 1 Private Lane")
    app.press("conversation", "send_button")
    app.wait_until(lambda: "My address is 1 Private Lane" in app.thread(), "the message")
    app.press("conversation", "back_button")

    app.press("home", "logout_button")
    app.wait_until(lambda: app.current == "login", "the login screen")

    assert STORED not in secret_store.entries
    assert app.app.session_token is None
    assert app.app.user == {}
    assert session_status(backend, token) == 401
    assert app.text("home", "user_label") == ""
    assert app.text("login", "login_message") == ""
    # The SDK's identity is gone: no token, no conversation, no socket; nothing of it on screen.
    assert sdk.client.conversation is None and sdk.client.messages == []
    assert sdk.client.connection_state is ConnectionState.DISCONNECTED
    assert app.thread() == [] and screen.status == "" and screen.info == ""
    assert conversation(standin, customers.conversation_id)["state"] == "OPEN"  # kept at LivePerson

    assert app.text("login", "guest_chat_button") == "Chat as a guest"
    app.press("login", "guest_chat_button")
    app.wait_until(lambda: screen.can_send, "a guest's conversation")

    guest = sdk.conversation
    assert guest.conversation_id != customers.conversation_id
    assert (guest.authenticated, guest.customer_id) == (False, None)
    assert app.thread() == []  # the logged-out customer's history is not the guest's
    assert app.text("conversation", "conversation_status") == "Unauthenticated conversation"
    noted = agent_post(standin, f"/{customers.conversation_id}/messages", {"text": "Noted."})
    assert noted.status_code == 201
    quiet_until = time.monotonic() + 1  # time enough for the reply to reach any socket of the customer
    app.wait_until(lambda: time.monotonic() > quiet_until, "a second")
    assert app.thread() == []  # nor are the agent's replies to the customer
    assert conversation(standin, guest.conversation_id)["authenticated"] is False
    app.press("conversation", "back_button")


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
