"""`flask --app backend purge-expired`: what can no longer be used goes; what still matters stays."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select, update

from backend.db import get_db
from backend.models import AuthorizationCode, LoginFailure, LoginSession, RefreshToken
from backend.models.base import utcnow
from tests.support.backend_app import bearer, delegated_tokens, issue_code, login, redeem, refresh


def count(app, model) -> int:
    with app.app_context():
        return get_db().scalar(select(func.count()).select_from(model))


def age(app, model, column, seconds: int) -> None:
    """Move every row's timestamp `seconds` into the past, instead of waiting."""
    with app.app_context():
        db = get_db()
        db.execute(update(model).values({column: utcnow() - timedelta(seconds=seconds)}))
        db.commit()


def purge(runner) -> str:
    result = runner.invoke(args=["purge-expired"])
    assert result.exit_code == 0, result.output
    return result.output


def test_a_recently_expired_code_is_kept_so_its_reuse_still_revokes(app, client, runner):
    code = issue_code(client)
    access = redeem(client, code).json["access_token"]
    age(app, AuthorizationCode, "expires_at", 120)  # expired, but its token lives for an hour
    purge(runner)
    assert count(app, AuthorizationCode) == 1
    assert redeem(client, code).json["error"] == "invalid_grant"
    assert client.get("/oauth2/v3/userinfo", headers=bearer(access)).status_code == 401


def test_codes_and_tokens_past_every_use_are_deleted(app, client, runner):
    redeem(client, issue_code(client))
    issue_code(client)  # never redeemed
    age(app, AuthorizationCode, "expires_at", 60)
    age(app, AuthorizationCode, "access_token_expires_at", 1)
    output = purge(runner)
    assert count(app, AuthorizationCode) == 0
    assert "2 authorization codes" in output


def test_live_sessions_stay_and_ended_ones_go(app, runner):
    client = app.test_client(use_cookies=False)  # two apps' logins, neither replacing the other
    kept = login(client)
    ended = login(client)
    assert client.delete("/api/session", headers=bearer(ended)).status_code == 204
    purge(runner)
    assert count(app, LoginSession) == 1
    assert client.get("/api/me", headers=bearer(kept)).status_code == 200


def test_failed_logins_outside_the_window_go(app, client, runner):
    client.post("/api/session", json={"email": "demo@example.com", "password": "wrong password"})
    purge(runner)
    assert count(app, LoginFailure) == 1  # still counts against the rate limit
    age(app, LoginFailure, "at", 900 + 1)
    purge(runner)
    assert count(app, LoginFailure) == 0


def test_a_live_refresh_token_keeps_its_grant_and_expired_ones_go(app, client, runner):
    """A code whose grant has a live refresh token stays (it holds the grant's revocation); once
    every refresh token and access token of the grant has expired, all of it goes."""
    tokens = delegated_tokens(client)
    age(app, AuthorizationCode, "expires_at", 120)
    age(app, AuthorizationCode, "access_token_expires_at", 1)
    purge(runner)
    assert count(app, AuthorizationCode) == 1
    assert count(app, RefreshToken) == 1
    renewed = refresh(client, tokens["refresh_token"])
    assert renewed.status_code == 200, renewed.json

    age(app, RefreshToken, "expires_at", 1)
    age(app, RefreshToken, "access_token_expires_at", 1)
    output = purge(runner)
    assert "2 refresh tokens" in output and "1 authorization codes" in output
    assert count(app, RefreshToken) == 0
    assert count(app, AuthorizationCode) == 0
