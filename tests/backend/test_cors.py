"""Credentialed cross-origin API calls: the brand's listed web origins only."""

from __future__ import annotations

import pytest

from tests.backend.conftest import bearer, login, make_app

SITE = "http://127.0.0.1:8001"


def test_a_listed_origin_may_call_the_api_with_the_login_cookie(client):
    token = login(client)
    response = client.get("/api/me", headers={"Origin": SITE, **bearer(token)})
    assert response.headers["Access-Control-Allow-Origin"] == SITE
    assert response.headers["Access-Control-Allow-Credentials"] == "true"
    assert "Origin" in response.headers["Vary"]


def test_the_preflight_of_a_json_post_is_answered(client):
    response = client.options(
        "/api/liveperson/code",
        headers={
            "Origin": SITE,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type",
        },
    )
    assert response.status_code == 200
    assert response.headers["Access-Control-Allow-Origin"] == SITE
    assert "POST" in response.headers["Access-Control-Allow-Methods"]
    assert "Content-Type" in response.headers["Access-Control-Allow-Headers"]


@pytest.mark.parametrize("origin", ["https://evil.example", "http://127.0.0.1:8001.evil.example", "null"])
def test_other_origins_get_no_cors_headers(client, origin):
    response = client.post(
        "/api/session", json={"email": "x@example.com", "password": "nope"}, headers={"Origin": origin}
    )
    assert "Access-Control-Allow-Origin" not in response.headers
    assert "Access-Control-Allow-Credentials" not in response.headers


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
