"""Credentialed cross-origin API calls: the brand's listed web origins only."""

from __future__ import annotations

import pytest

from tests.support.backend_app import bearer, login, make_app

SITE = "http://127.0.0.1:8001"


def test_a_listed_origin_may_call_the_api_with_the_login_cookie(client):
    token = login(client)
    response = client.get("/api/me", headers={"Origin": SITE, **bearer(token)})
    assert response.headers["Access-Control-Allow-Origin"] == SITE
    assert response.headers["Access-Control-Allow-Credentials"] == "true"
    assert "Origin" in response.headers["Vary"]


def preflight(client, path: str, method: str, header: str):
    return client.options(path, headers={
        "Origin": SITE, "Access-Control-Request-Method": method, "Access-Control-Request-Headers": header,
    })


def allowed_headers(response) -> list[str]:
    """Header names are case-insensitive; browsers ask for them in lower case (Fetch standard)."""
    names = response.headers.get("Access-Control-Allow-Headers", "")
    return [name.strip().lower() for name in names.split(",")]


def test_the_preflight_of_a_json_post_is_answered(client):
    response = preflight(client, "/api/liveperson/code", "POST", "content-type")
    assert response.status_code == 200
    assert response.headers["Access-Control-Allow-Origin"] == SITE
    assert response.headers["Access-Control-Allow-Credentials"] == "true"
    assert "POST" in response.headers["Access-Control-Allow-Methods"]
    assert "content-type" in allowed_headers(response)
    assert response.headers["Access-Control-Max-Age"] == "600"


def test_the_preflight_of_a_delete_with_a_bearer_token_is_answered(client):
    response = preflight(client, "/api/session", "DELETE", "authorization")
    assert response.status_code == 200
    assert response.headers["Access-Control-Allow-Origin"] == SITE
    assert "DELETE" in response.headers["Access-Control-Allow-Methods"]
    assert "authorization" in allowed_headers(response)


@pytest.mark.parametrize(("method", "path", "kwargs", "status"), [
    ("POST", "/api/session", {"data": "{", "content_type": "application/json"}, 400),
    ("POST", "/api/session", {"json": {"email": "x\u0000@example.com", "password": "p"}}, 400),
    ("PUT", "/api/session", {}, 405),
    ("POST", "/api/session", {"data": "x" * (1024 * 1024 + 1), "content_type": "application/json"}, 413),
    ("GET", "/api/no-such-endpoint", {}, 404),
], ids=["bad JSON", "NUL", "405", "413", "404"])
def test_error_answers_carry_the_cors_headers_too(client, method, path, kwargs, status):
    """The page can read why it was refused (refusals before any view included)."""
    response = client.open(path, method=method, headers={"Origin": SITE}, **kwargs)
    assert response.status_code == status
    assert response.headers["Access-Control-Allow-Origin"] == SITE
    assert response.headers["Access-Control-Allow-Credentials"] == "true"


@pytest.mark.parametrize("origin", ["https://evil.example", "http://127.0.0.1:8001.evil.example", "null"])
def test_other_origins_get_no_cors_headers(client, origin):
    response = client.post(
        "/api/session", json={"email": "x@example.com", "password": "nope"}, headers={"Origin": origin}
    )
    assert "Access-Control-Allow-Origin" not in response.headers
    assert "Access-Control-Allow-Credentials" not in response.headers


def test_a_request_without_origin_gets_no_cors_headers(client):
    """Not even the allowed origin: nothing to tell a client that is not a browser."""
    response = client.get("/api/me")
    assert not [name for name, _ in response.headers if name.startswith("Access-Control-")]


def test_the_list_comes_from_the_setting(tmp_path):
    client = make_app(
        tmp_path, CORS_ORIGINS="https://www.brand.example, https://m.brand.example/"
    ).test_client()
    for origin in ("https://www.brand.example", "https://m.brand.example"):
        assert (
            client.get("/api/me", headers={"Origin": origin}).headers["Access-Control-Allow-Origin"] == origin
        )
    assert "Access-Control-Allow-Origin" not in client.get("/api/me", headers={"Origin": SITE}).headers


def test_pages_outside_the_api_are_not_shared(client):
    assert "Access-Control-Allow-Origin" not in client.get("/login", headers={"Origin": SITE}).headers


def test_listed_origins_are_literal_never_patterns(tmp_path):
    """A `*` in the setting admits no one, and an IPv6 origin with its brackets is matched."""
    client = make_app(tmp_path, CORS_ORIGINS="*, http://[::1]:8001").test_client()
    assert "Access-Control-Allow-Origin" not in client.get("/api/me", headers={"Origin": SITE}).headers
    response = client.get("/api/me", headers={"Origin": "http://[::1]:8001"})
    assert response.headers["Access-Control-Allow-Origin"] == "http://[::1]:8001"
