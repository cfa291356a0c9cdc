"""Login throttling an attacker cannot turn against the customer (backend/login/throttle.py).

Failures from browsers and apps that never logged in to an account lock out only those; the
customer's own browser (a cookie) and app (a device token it keeps) still get in, and are
limited on their own. Under concurrency, no more guesses are evaluated than the limit.
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select

from backend.db import get_db
from backend.login.devices import COOKIE
from backend.models import LoginFailure
from tests.backend.test_login_page import csrf_token, logged_in, post_login
from tests.support.backend_app import EMAIL, PASSWORD, bearer, make_app

ATTACKER = {"REMOTE_ADDR": "203.0.113.66"}


def api_login(client: FlaskClient, password: str = PASSWORD, **extra: str):
    return client.post("/api/session", json={"email": EMAIL, "password": password, **extra})


def lock_out_unknown_devices(app) -> None:
    """What the attacker does: wrong passwords from a browser that never logged in here."""
    attacker = app.test_client()
    for _ in range(app.config["LOGIN_MAX_FAILURES_PER_ACCOUNT"]):
        response = attacker.post("/api/session", json={"email": EMAIL, "password": "guess"},
                                 environ_base=ATTACKER)
        assert response.status_code == 401
    locked = attacker.post("/api/session", json={"email": EMAIL, "password": PASSWORD},
                           environ_base=ATTACKER)
    assert locked.status_code == 429


def failures(app) -> int:
    with app.app_context():
        return get_db().scalar(select(func.count()).select_from(LoginFailure))


def test_a_login_hands_out_a_device_token_as_json_and_as_a_cookie(client):
    response = api_login(client)
    assert response.status_code == 200
    token = response.json["device_token"]
    cookie = client.get_cookie(COOKIE)
    assert cookie is not None and cookie.value == token
    assert cookie.http_only and cookie.same_site == "Lax"
    # The proof of a login outlives the login: a logout keeps it.
    assert client.delete("/api/session").status_code == 204
    assert client.get_cookie(COOKIE).value == token


def test_the_customers_browser_still_logs_in_while_the_account_is_under_attack(app, client):
    """The login page: a browser that logged in before keeps its cookie and gets in."""
    assert post_login(client, csrf=csrf_token(client)).status_code == 303
    client.post("/logout", data={"csrf_token": csrf_token(client, "/")})
    assert not logged_in(client)

    lock_out_unknown_devices(app)

    assert post_login(client, csrf=csrf_token(client)).status_code == 303
    assert logged_in(client)


def test_the_customers_app_still_logs_in_with_its_device_token(app):
    """The app API: the device token the app kept is sent back in the body."""
    phone = app.test_client(use_cookies=False)
    device_token = api_login(phone).json["device_token"]

    lock_out_unknown_devices(app)

    response = api_login(phone, device_token=device_token)
    assert response.status_code == 200
    assert phone.get("/api/me", headers=bearer(response.json["session_token"])).status_code == 200


def test_an_unknown_device_is_told_what_to_do(app):
    lock_out_unknown_devices(app)
    response = api_login(app.test_client())
    assert response.status_code == 429
    message = response.json["error_description"]
    assert "log in from one you have used before" in message and "minutes" in message
    assert response.headers["Retry-After"] == str(response.json["retry_after"])


@pytest.mark.parametrize("token", ["forged.token.value", "", "x" * 100])
def test_a_forged_device_token_counts_as_an_unknown_device(app, token):
    lock_out_unknown_devices(app)
    assert api_login(app.test_client(use_cookies=False), device_token=token).status_code == 429


def test_another_accounts_device_token_counts_as_an_unknown_device(app):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["create-user", "other@example.com", "--password", "other-password"])
    assert result.exit_code == 0, result.output
    other = app.test_client(use_cookies=False)
    response = other.post("/api/session", json={"email": "other@example.com",
                                                "password": "other-password"})
    lock_out_unknown_devices(app)
    assert api_login(other, device_token=response.json["device_token"]).status_code == 429


def test_a_known_device_is_limited_on_its_own(tmp_path):
    """Guessing from a known device is bounded too, by its own counter; other devices of
    the customer are not affected."""
    app = make_app(tmp_path, LOGIN_MAX_FAILURES_PER_DEVICE=3)
    stolen, own = (api_login(app.test_client()).json["device_token"] for _ in range(2))
    thief = app.test_client(use_cookies=False)
    for _ in range(3):
        assert api_login(thief, "guess", device_token=stolen).status_code == 401
    limited = api_login(thief, device_token=stolen)
    assert limited.status_code == 429
    assert "from this browser or app" in limited.json["error_description"]
    assert api_login(app.test_client(use_cookies=False), device_token=own).status_code == 200
    # Its failures did not count against the account: unknown devices still get in.
    assert api_login(app.test_client()).status_code == 200


def test_a_right_password_leaves_no_failure_behind(app, client):
    assert api_login(client, "guess").status_code == 401
    assert api_login(client).status_code == 200
    assert failures(app) == 1


def test_simultaneous_wrong_passwords_evaluate_at_most_the_limit(app):
    """40 wrong passwords at once: at most the limit reach the password hash (401); the rest
    are refused before it (429). Counting first and recording after the hash let 18 through."""
    limit = app.config["LOGIN_MAX_FAILURES_PER_ACCOUNT"]
    start = threading.Barrier(40)

    def guess(index: int) -> int:
        client = app.test_client()
        start.wait()
        response = client.post("/api/session", json={"email": EMAIL, "password": f"guess-{index}"},
                               environ_base={"REMOTE_ADDR": f"198.51.100.{index}"})
        return response.status_code

    with ThreadPoolExecutor(max_workers=40) as pool:
        statuses = list(pool.map(guess, range(40)))
    assert set(statuses) <= {401, 429}
    evaluated = statuses.count(401)
    assert 1 <= evaluated <= limit
    assert failures(app) == evaluated
