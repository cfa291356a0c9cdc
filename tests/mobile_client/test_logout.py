"""Logging out ends the session at the backend and deletes it from the secret store."""

from __future__ import annotations

from tests.mobile_client.helpers import STORED, session_status


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
