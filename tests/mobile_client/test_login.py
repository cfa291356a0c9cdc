"""Logging in: the home screen shows who; a wrong password is shown; a saved session is reused,
an expired one is dropped."""

from __future__ import annotations

from tests.mobile_client.helpers import STORED, customer_id, session_status


def test_login_shows_the_user_and_keeps_the_session_in_the_secret_store(
    drive, backend, standin, secret_store
):
    app = drive(backend.url, standin.url)
    assert app.current == "login"
    app.type("login", "email", "demo@example.com")
    app.screenshot("login")

    app.log_in()

    assert app.current == "home", app.text("login", "login_message")
    shown = app.text("home", "user_label")
    assert "demo@example.com" in shown
    assert customer_id(backend) in shown
    token = secret_store.entries[STORED]
    assert token == app.app.session_token
    assert session_status(backend, token) == 200
    app.screenshot("home")


def test_a_wrong_password_is_shown_and_nothing_is_stored(drive, backend, standin, secret_store):
    app = drive(backend.url, standin.url)

    app.log_in(password="not-the-password")

    assert app.current == "login"
    assert "Wrong email or password." in app.text("login", "login_message")
    assert not app.widget("login", "login_button").disabled
    assert secret_store.entries == {}
    app.screenshot("login-failed")


def test_a_saved_session_opens_the_home_screen(drive, backend, standin, secret_store):
    first = drive(backend.url, standin.url)
    first.log_in()
    assert first.current == "home"
    first.stop()

    second = drive(backend.url, standin.url)  # a restart: the token comes from the secret store

    assert second.current == "home"
    assert customer_id(backend) in second.text("home", "user_label")


def test_an_expired_saved_session_is_dropped_and_the_user_is_told(drive, backend, standin, secret_store):
    secret_store.entries[STORED] = "a-session-the-backend-does-not-know"

    app = drive(backend.url, standin.url)

    assert app.current == "login"
    assert "expired" in app.text("login", "login_message")
    app.wait_until(lambda: STORED not in secret_store.entries, "the stale token to be deleted")
