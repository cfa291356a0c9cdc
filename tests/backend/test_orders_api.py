"""The demo brand API, `GET /api/v1/orders`, a resource server (RFC 6750): the customer's orders
for an access token granted `orders.read`; refusals with the `WWW-Authenticate: Bearer`
challenge of §3 (`invalid_token` 401, `insufficient_scope` 403 with `scope`)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import update
from werkzeug.test import TestResponse

from backend.db import get_db
from backend.models import AuthorizationCode, RefreshToken
from backend.models.base import utcnow
from tests.backend.test_refresh_token import assert_refreshed
from tests.support.backend_app import (
    answer_consent,
    authorize,
    bearer,
    delegated_tokens,
    issue_code,
    login,
    orders,
    redeem,
    redirect_params,
    refresh,
    snapshot,
)

ORDERS = "/api/v1/orders"


def assert_challenge(response: TestResponse, status: int, error: str | None) -> str:
    """§3: the status, the JSON body, and the challenge of realm "api" with the error."""
    assert response.status_code == status, response.data
    assert response.mimetype == "application/json"
    assert response.headers["Cache-Control"] == "no-store"
    challenge = response.headers["WWW-Authenticate"]
    assert challenge.startswith('Bearer realm="api"')
    if error is None:
        assert challenge == 'Bearer realm="api"'  # §3.1: no error code without a token
        assert "error" not in response.json
    else:
        assert f'error="{error}"' in challenge
        assert response.json["error"] == error
    return challenge


def test_the_customers_orders_newest_first(client):
    response = orders(client, delegated_tokens(client)["access_token"])
    assert response.status_code == 200, response.json
    assert response.headers["Cache-Control"] == "no-store"
    placed = response.json["orders"]
    assert [order["reference"] for order in placed] == ["A-1024", "A-1017", "A-1001"]
    assert placed[0]["status"] == "processing"
    assert placed[2] == {**placed[2], "total": "129.90", "currency": "EUR"}
    assert all(order["placed_at"].endswith("Z") for order in placed)


def test_an_access_token_from_a_refresh_works(client):
    tokens = delegated_tokens(client)
    renewed = assert_refreshed(refresh(client, tokens["refresh_token"]))
    assert orders(client, renewed["access_token"]).json["orders"]


def test_another_customers_token_sees_their_own_orders_only(app, client, runner):
    result = runner.invoke(args=["create-user", "ann@example.com", "--password", "ann-password"])
    assert result.exit_code == 0, result.output
    ann = app.test_client()
    login(ann, "ann@example.com", "ann-password")
    code = redirect_params(answer_consent(ann, authorize(ann)))["code"]
    assert orders(ann, redeem(ann, code).json["access_token"]).json == {"orders": []}


def test_no_token_gets_a_bare_challenge(app, client):
    before = snapshot(app)
    assert_challenge(client.get(ORDERS), 401, None)
    assert snapshot(app) == before


@pytest.mark.parametrize("authorization", ["Basic ZGVtbzpkZW1v", "Digest username=x"])
def test_another_scheme_counts_as_no_token(app, client, authorization):
    before = snapshot(app)
    assert_challenge(client.get(ORDERS, headers={"Authorization": authorization}), 401, None)
    assert snapshot(app) == before


def test_bearer_without_a_token_is_invalid_request(app, client):
    before = snapshot(app)
    assert_challenge(client.get(ORDERS, headers={"Authorization": "Bearer "}), 400, "invalid_request")
    assert snapshot(app) == before


@pytest.mark.parametrize("kind", ["unknown", "session-token", "refresh-token"])
def test_what_is_no_access_token_is_invalid_token(app, client, kind):
    tokens = delegated_tokens(client)
    token = {"unknown": "not-a-token", "session-token": login(client),
             "refresh-token": tokens["refresh_token"]}[kind]
    before = snapshot(app)
    assert_challenge(orders(client, token), 401, "invalid_token")
    assert snapshot(app) == before


@pytest.mark.parametrize("issued_by", ["code", "refresh"])
def test_an_expired_access_token_is_refused(app, client, issued_by):
    tokens = delegated_tokens(client)
    token = tokens["access_token"]
    if issued_by == "refresh":
        token = assert_refreshed(refresh(client, tokens["refresh_token"]))["access_token"]
    past = utcnow() - timedelta(seconds=1)
    with app.app_context():
        db = get_db()
        db.execute(update(AuthorizationCode).values(access_token_expires_at=past))
        db.execute(update(RefreshToken).values(access_token_expires_at=past))
        db.commit()
    before = snapshot(app)
    assert_challenge(orders(client, token), 401, "invalid_token")
    assert snapshot(app) == before


def test_a_token_without_orders_read_is_insufficient_scope(app, client):
    """LivePerson's consumer authentication token carries the identity scopes only."""
    access_token = redeem(client, issue_code(client)).json["access_token"]
    before = snapshot(app)
    response = orders(client, access_token)
    challenge = assert_challenge(response, 403, "insufficient_scope")
    assert 'scope="orders.read"' in challenge
    assert snapshot(app) == before


def test_the_token_is_not_read_from_the_query(app, client):
    """RFC 6750 §2.3 is not offered: a URI keeps the token in logs."""
    access_token = delegated_tokens(client)["access_token"]
    before = snapshot(app)
    assert_challenge(client.get(ORDERS, query_string={"access_token": access_token}), 401, None)
    assert snapshot(app) == before


@pytest.mark.parametrize("method", ["POST", "PUT", "DELETE"])
def test_other_methods_are_405_json(app, client, method):
    before = snapshot(app)
    response = client.open(ORDERS, method=method, headers=bearer("x"))
    assert snapshot(app) == before
    assert response.status_code == 405
    assert response.mimetype == "application/json"
    assert "GET" in response.headers["Allow"]
