"""The apps' JSON login API: `/api/session` and `/api/me`.

Always JSON (never an HTML page), never cached, the same refusal for unknown user and wrong
password, rate limited like the login page, and each login session revocable on its own.
"""

from __future__ import annotations

import pytest

from tests.support.backend_app import (
    EMAIL,
    PASSWORD,
    bearer,
    issue_code,
    login,
    redeem,
    snapshot,
    verify_id_token,
)

COOKIE = "backend_session"


def assert_json_error(response, status: int) -> dict:
    assert response.status_code == status, response.data
    assert response.mimetype == "application/json"
    assert b"<html" not in response.data.lower()
    assert response.headers.get("Cache-Control") == "no-store"
    body = response.json
    assert isinstance(body, dict) and body.get("error") and body.get("error_description")
    return body


def test_login_returns_a_token_the_profile_and_a_cookie(client):
    """A successful login: 200 JSON with session_token and user, plus the browser cookie."""
    response = client.post("/api/session", json={"email": EMAIL, "password": PASSWORD})
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    body = response.json
    assert isinstance(body["session_token"], str) and len(body["session_token"]) >= 32
    assert body["user"]["email"] == EMAIL
    assert body["user"]["sub"]
    assert "password_hash" not in body["user"]
    assert any(h.startswith(COOKIE + "=") for h in response.headers.getlist("Set-Cookie"))
    # The sub the app sees is the customer id LivePerson gets in the id_token.
    token = redeem(client, issue_code(client, body["session_token"])).json["id_token"]
    assert verify_id_token(client, token)["sub"] == body["user"]["sub"]


def test_email_is_matched_without_case_or_surrounding_spaces(client):
    """Users type their address as they like; the account is the same."""
    response = client.post("/api/session", json={"email": "  Demo@Example.COM ",
                                                 "password": PASSWORD})
    assert response.status_code == 200
    assert response.json["user"]["email"] == EMAIL


def test_bad_credentials_get_the_same_401_for_unknown_user_and_wrong_password(client):
    """the refusal reveals nothing about which accounts exist."""
    wrong = client.post("/api/session", json={"email": EMAIL, "password": "wrong-password"})
    unknown = client.post("/api/session", json={"email": "nobody@example.com",
                                                "password": "wrong-password"})
    assert assert_json_error(wrong, 401) == assert_json_error(unknown, 401)
    assert "Set-Cookie" not in wrong.headers
    assert client.get("/api/me").status_code == 401


def test_rate_limited_login_gets_429_json_with_retry_after(client):
    """after 5 failures even the right password gets 429 with retry_after."""
    for _ in range(5):
        response = client.post("/api/session", json={"email": EMAIL, "password": "guess"})
        assert response.status_code == 401
    limited = client.post("/api/session", json={"email": EMAIL, "password": PASSWORD})
    body = assert_json_error(limited, 429)
    assert isinstance(body["retry_after"], int) and body["retry_after"] > 0
    assert limited.headers["Retry-After"] == str(body["retry_after"])
    assert "session_token" not in body
    assert client.get("/api/me").status_code == 401


BAD_BODIES = {
    "form-encoded": {"data": {"email": EMAIL, "password": PASSWORD}},
    "JSON as text/plain": {"data": f'{{"email": "{EMAIL}", "password": "{PASSWORD}"}}',
                           "content_type": "text/plain"},
    "malformed JSON": {"data": '{"email": ', "content_type": "application/json"},
    "empty body": {"data": "", "content_type": "application/json"},
    "JSON array": {"json": [EMAIL, PASSWORD]},
    "JSON null": {"data": "null", "content_type": "application/json"},
    "JSON string": {"json": "email"},
    "missing password": {"json": {"email": EMAIL}},
    "missing email": {"json": {"password": PASSWORD}},
    "empty object": {"json": {}},
    "numeric email": {"json": {"email": 42, "password": PASSWORD}},
    "null password": {"json": {"email": EMAIL, "password": None}},
    "list password": {"json": {"email": EMAIL, "password": [PASSWORD]}},
    "object email": {"json": {"email": {"$ne": ""}, "password": PASSWORD}},
}


@pytest.mark.parametrize("kwargs", BAD_BODIES.values(), ids=BAD_BODIES.keys())
def test_malformed_login_request_gets_400_json(app, client, kwargs):
    """Only a JSON object of two strings is a login; anything else is invalid_request."""
    before = snapshot(app)
    response = client.post("/api/session", **kwargs)
    assert assert_json_error(response, 400)["error"] == "invalid_request"
    assert "Set-Cookie" not in response.headers
    assert snapshot(app) == before


def test_me_works_with_the_bearer_token_alone(app, client):
    """Apps authenticate with Authorization: Bearer, no cookie needed."""
    token = login(client)
    app_client = app.test_client(use_cookies=False)
    response = app_client.get("/api/me", headers=bearer(token))
    assert response.status_code == 200
    assert response.json["email"] == EMAIL
    assert response.headers["Cache-Control"] == "no-store"


def test_me_works_with_the_cookie_alone(client):
    """Browsers authenticate with the session cookie set at login."""
    login(client)
    response = client.get("/api/me")
    assert response.status_code == 200
    assert response.json["email"] == EMAIL


@pytest.mark.parametrize(("headers", "challenge"), [
    ({}, 'Bearer realm="api"'),
    ({"Authorization": "Bearer not-a-session-token"},
     'Bearer realm="api", error="invalid_token", '
     'error_description="The session token is unknown, expired or revoked."'),
    ({"Authorization": "Bearer "}, 'Bearer realm="api"'),
    ({"Authorization": "Basic ZGVtbzpkZW1v"}, 'Bearer realm="api"'),
], ids=["nothing", "unknown token", "empty token", "basic"])
def test_me_without_a_login_gets_401_json(app, headers, challenge):
    """No valid login: a JSON 401 naming the scheme that would succeed, not a redirect to the
    HTML login page."""
    response = app.test_client().get("/api/me", headers=headers)
    assert assert_json_error(response, 401)["error"] == "login_required"
    assert response.headers["WWW-Authenticate"] == challenge
    assert "Location" not in response.headers


def test_logout_revokes_only_that_token(app):
    """DELETE /api/session ends that login session; the user's other sessions keep working."""
    api = app.test_client(use_cookies=False)
    phone = login(api)
    tablet = login(api)
    response = api.delete("/api/session", headers=bearer(phone))
    assert response.status_code == 204
    assert response.headers["Cache-Control"] == "no-store"

    assert_json_error(api.get("/api/me", headers=bearer(phone)), 401)
    assert_json_error(api.post("/api/liveperson/code", headers=bearer(phone)), 401)
    assert_json_error(api.delete("/api/session", headers=bearer(phone)), 401)

    assert api.get("/api/me", headers=bearer(tablet)).status_code == 200
    assert redeem(api, issue_code(api, tablet)).status_code == 200


def test_logout_with_a_bearer_token_revokes_that_token_not_the_cookie(app, client):
    """The token the app sends decides which session ends, even if a cookie is also present."""
    app_token = login(app.test_client(use_cookies=False))
    login(client)  # the cookie holds a second, browser session
    response = client.delete("/api/session", headers=bearer(app_token))
    assert response.status_code == 204
    assert client.get("/api/me", headers=bearer(app_token)).status_code == 401
    assert client.get("/api/me").status_code == 200


def test_an_invalid_bearer_token_is_not_rescued_by_the_cookie(client):
    """A request that names a token is judged by that token alone."""
    login(client)
    response = client.get("/api/me", headers=bearer("revoked-or-forged"))
    assert_json_error(response, 401)


def test_logout_with_the_cookie_ends_the_browser_session(app, client):
    """DELETE /api/session with only the cookie ends it; a copy of the cookie is dead too."""
    login(client)
    copied = client.get_cookie(COOKIE).value
    assert client.delete("/api/session").status_code == 204
    assert client.get("/api/me").status_code == 401
    replay = app.test_client()
    replay.set_cookie(COOKIE, copied)
    assert replay.get("/api/me").status_code == 401


def test_api_responses_are_never_cached(client):
    """Session tokens and user data: Cache-Control no-store on every /api response."""
    ok = client.post("/api/session", json={"email": EMAIL, "password": PASSWORD})
    assert ok.headers["Cache-Control"] == "no-store"
    assert client.get("/api/me").headers["Cache-Control"] == "no-store"
    refused = client.post("/api/session", json={"email": EMAIL, "password": "x"})
    assert refused.headers["Cache-Control"] == "no-store"


@pytest.mark.parametrize(("method", "path", "status"), [
    ("GET", "/api/no-such-thing", 404),
    ("POST", "/api/liveperson/no-such-thing", 404),
    ("GET", "/api/session/extra", 404),
    ("GET", "/api/session", 405),
    ("PUT", "/api/me", 405),
])
def test_unknown_api_paths_answer_json_not_html(client, method, path, status):
    """An app parsing JSON must never receive the HTML error page."""
    response = client.open(path, method=method)
    assert_json_error(response, status)
