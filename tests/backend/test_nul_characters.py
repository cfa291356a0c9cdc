"""A NUL character in any parameter is a clear 400 in the endpoint's own format, on every
database (PostgreSQL text cannot hold one), and changes nothing."""

from __future__ import annotations

import pytest

from tests.backend.conftest import CLIENT_ID, REDIRECT_URI, basic, snapshot


@pytest.mark.parametrize(
    ("method", "path", "options", "json_error"),
    [
        ("post", "/api/session", {"json": {"email": "demo\x00@example.com", "password": "x"}},
         "invalid_request"),
        ("post", "/oauth2/v3/token", {"data": {"grant_type": "authorization_code", "code": "c",
                                               "redirect_uri": REDIRECT_URI + "\x00"},
                                      "headers": basic()}, "invalid_request"),
        ("get", "/oauth2/v3/userinfo", {"query_string": {"access_token": "a\x00b"}}, "invalid_request"),
        ("get", "/oauth2/v3/authorize", {"query_string": {"client_id": CLIENT_ID + "\x00",
                                                          "response_type": "code",
                                                          "redirect_uri": REDIRECT_URI}}, None),
        ("post", "/login", {"data": {"email": "demo\x00@example.com", "password": "x"}}, None),
    ],
    ids=["app-login", "token", "userinfo", "authorize", "login-page"],
)
def test_nul_is_a_bad_request(app, client, method, path, options, json_error):
    before = snapshot(app)
    response = getattr(client, method)(path, **options)
    assert response.status_code == 400
    if json_error is None:  # people get a page, and no redirect to a doubtful URI
        assert response.mimetype == "text/html"
        assert b"NUL characters" in response.data
    else:
        assert response.json["error"] == json_error
        assert "NUL characters" in response.json["error_description"]
    assert snapshot(app) == before
