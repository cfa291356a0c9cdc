"""The refresh token grant (RFC 6749 §6) of Consumer Delegation: a delegated code exchange
returns a refresh token; each refresh rotates it; a spent one used again revokes the whole grant
(RFC 9700 §4.14.2); it is bound to its client, expires, may narrow the scope but never widen
it; of concurrent refreshes exactly one succeeds. Every refused request leaves the database as
it was, except that a reuse revokes."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import update
from werkzeug.datastructures import MultiDict
from werkzeug.test import TestResponse

from backend.db import get_db
from backend.models import RefreshToken
from backend.models.base import utcnow
from tests.backend.test_token import assert_no_cache, assert_oauth_error, create_client, post_credentials
from tests.support.backend_app import (
    CLIENT_ID,
    REDIRECT_URI,
    answer_consent,
    authorize,
    basic,
    bearer,
    delegated_tokens,
    issue_code,
    login,
    make_app,
    orders,
    redeem,
    redirect_params,
    refresh,
    snapshot,
)

USERINFO = "/oauth2/v3/userinfo"
GRANT_SCOPE = "openid orders.read"


def assert_refreshed(response: TestResponse, scope: str = GRANT_SCOPE) -> dict[str, str]:
    """§5.1: a new access token and refresh token, the scope, no id_token (OIDC Core §12.2)."""
    assert response.status_code == 200, response.data
    body = response.json
    assert set(body) == {"access_token", "token_type", "expires_in", "refresh_token", "scope"}
    assert body["token_type"] == "Bearer"
    assert body["expires_in"] == 3600
    assert body["scope"] == scope
    assert_no_cache(response)
    return body


def assert_refused_at_the_api(client: FlaskClient, *access_tokens: str) -> None:
    for access_token in access_tokens:
        answer = orders(client, access_token)
        assert answer.status_code == 401, answer.json
        assert 'error="invalid_token"' in answer.headers["WWW-Authenticate"]
        assert client.get(USERINFO, headers=bearer(access_token)).status_code == 401


# -- issued with the code ----------------------------------------------------------------------


def test_a_delegated_code_exchange_returns_a_refresh_token_and_the_scope(client):
    """§5.1: `scope` names what was granted; the API scope makes it a delegation (§1.5)."""
    tokens = delegated_tokens(client)
    assert tokens["scope"] == GRANT_SCOPE
    assert tokens["refresh_token"] != tokens["access_token"]
    assert orders(client, tokens["access_token"]).status_code == 200


def test_a_code_for_identity_scopes_only_gets_no_refresh_token(client):
    """LivePerson's consumer authentication as before: no API scope, no refresh token."""
    response = redeem(client, issue_code(client))
    assert response.status_code == 200, response.json
    assert response.json["scope"] == "openid profile email phone"
    assert "refresh_token" not in response.json


def test_a_client_without_delegation_is_not_granted_api_scopes(client, runner):
    """RFC 6749 §3.3: a scope the client is not registered for is left out, silently."""
    create_client(runner, "no-delegation", "no-delegation-secret")
    login(client)
    response = authorize(client, client_id="no-delegation")
    assert response.status_code == 302  # no consent page: nothing to consent to
    exchanged = redeem(client, redirect_params(response)["code"],
                       headers=basic("no-delegation", "no-delegation-secret"))
    assert exchanged.json["scope"] == "openid"
    assert "refresh_token" not in exchanged.json


# -- refreshing and rotation -------------------------------------------------------------------


@pytest.mark.parametrize("credentials", ["basic", "post"])
def test_a_refresh_returns_a_working_access_token_and_a_new_refresh_token(client, credentials):
    tokens = delegated_tokens(client)
    if credentials == "basic":
        response = refresh(client, tokens["refresh_token"])
    else:
        response = refresh(client, tokens["refresh_token"], headers={}, **post_credentials())
    body = assert_refreshed(response)
    assert body["refresh_token"] != tokens["refresh_token"]
    assert body["access_token"] != tokens["access_token"]
    assert orders(client, body["access_token"]).status_code == 200
    assert client.get(USERINFO, headers=bearer(body["access_token"])).json["sub"]
    # The code exchange's access token stays valid until it expires.
    assert orders(client, tokens["access_token"]).status_code == 200


def test_each_refresh_spends_its_token_and_the_successor_works(client):
    """RFC 9700 §4.14.2: rotation, along a chain of refreshes."""
    refresh_token = delegated_tokens(client)["refresh_token"]
    seen = {refresh_token}
    for _ in range(3):
        body = assert_refreshed(refresh(client, refresh_token))
        refresh_token = body["refresh_token"]
        assert refresh_token not in seen
        seen.add(refresh_token)


def test_a_spent_refresh_token_used_again_revokes_the_whole_grant(client):
    """RFC 9700 §4.14.2: reuse means two parties hold the family. Every refresh token of it and
    every access token issued from its code is revoked, and stays so."""
    tokens = delegated_tokens(client)
    first = assert_refreshed(refresh(client, tokens["refresh_token"]))
    second = assert_refreshed(refresh(client, first["refresh_token"]))

    reused = refresh(client, tokens["refresh_token"])

    assert_oauth_error(reused, 400, "invalid_grant")
    assert "already used" in reused.json["error_description"]
    assert_oauth_error(refresh(client, second["refresh_token"]), 400, "invalid_grant")
    assert_refused_at_the_api(client, tokens["access_token"], first["access_token"],
                              second["access_token"])


def test_a_reused_code_revokes_its_refresh_tokens_too(client):
    """RFC 6749 §4.1.2: a code used twice revokes every token issued from it."""
    login(client)
    code = redirect_params(answer_consent(client, authorize(client)))["code"]
    tokens = redeem(client, code).json
    assert_oauth_error(redeem(client, code), 400, "invalid_grant")
    assert_oauth_error(refresh(client, tokens["refresh_token"]), 400, "invalid_grant")
    assert_refused_at_the_api(client, tokens["access_token"])


# -- what is refused, and changes nothing ------------------------------------------------------


def test_a_refresh_token_of_another_client_is_refused_and_stays_usable(app, client, runner):
    """Bound to its client (RFC 6749 §6, §10.4): another client learns nothing and burns nothing."""
    create_client(runner, "other-client", "other-client-secret")
    tokens = delegated_tokens(client)
    before = snapshot(app)
    response = refresh(client, tokens["refresh_token"], headers=basic("other-client", "other-client-secret"))
    assert_oauth_error(response, 400, "invalid_grant")
    assert snapshot(app) == before
    assert_refreshed(refresh(client, tokens["refresh_token"]))


@pytest.mark.parametrize(("headers", "challenged"), [
    pytest.param(basic(secret="wrong-secret-value"), True, id="wrong-secret"),
    pytest.param(basic(client_id="nobody"), True, id="unknown-client"),
    pytest.param({}, False, id="no-credentials"),
])
def test_client_authentication_is_required(app, client, headers, challenged):
    tokens = delegated_tokens(client)
    before = snapshot(app)
    response = refresh(client, tokens["refresh_token"], headers=headers)
    assert_oauth_error(response, 401, "invalid_client")
    assert ("WWW-Authenticate" in response.headers) is challenged
    assert snapshot(app) == before
    assert_refreshed(refresh(client, tokens["refresh_token"]))


def expire_refresh_tokens(app: Flask) -> None:
    with app.app_context():
        db = get_db()
        db.execute(update(RefreshToken).values(expires_at=utcnow() - timedelta(seconds=1)))
        db.commit()


def test_an_expired_refresh_token_is_refused(app, client):
    tokens = delegated_tokens(client)
    expire_refresh_tokens(app)
    before = snapshot(app)
    response = refresh(client, tokens["refresh_token"])
    assert_oauth_error(response, 400, "invalid_grant")
    assert "expired" in response.json["error_description"]
    assert snapshot(app) == before


def test_the_lifetime_is_a_setting(tmp_path):
    """REFRESH_TOKEN_LIFETIME: with 0 seconds, a refresh token is born expired."""
    app = make_app(tmp_path, REFRESH_TOKEN_LIFETIME=0)
    client = app.test_client()
    tokens = delegated_tokens(client)
    before = snapshot(app)
    assert_oauth_error(refresh(client, tokens["refresh_token"]), 400, "invalid_grant")
    assert snapshot(app) == before


@pytest.mark.parametrize("form", [
    pytest.param({"refresh_token": "not-a-refresh-token"}, id="unknown"),
    pytest.param({"refresh_token": "a" * 513}, id="longer-than-any-issued"),
])
def test_an_unknown_refresh_token_is_refused(app, client, form):
    delegated_tokens(client)
    before = snapshot(app)
    response = refresh(client, form["refresh_token"])
    assert response.status_code == 400
    assert response.json["error"] in ("invalid_grant", "invalid_request")
    assert snapshot(app) == before


def test_an_access_token_is_no_refresh_token(app, client):
    tokens = delegated_tokens(client)
    before = snapshot(app)
    assert_oauth_error(refresh(client, tokens["access_token"]), 400, "invalid_grant")
    assert snapshot(app) == before


def test_a_repeated_refresh_token_is_invalid_request(app, client):
    """RFC 6749 §3.2: no parameter twice."""
    tokens = delegated_tokens(client)
    before = snapshot(app)
    data = MultiDict([("grant_type", "refresh_token"), ("refresh_token", tokens["refresh_token"]),
                      ("refresh_token", tokens["refresh_token"])])
    assert_oauth_error(client.post("/oauth2/v3/token", data=data, headers=basic()), 400,
                       "invalid_request")
    assert snapshot(app) == before


# -- scope (§6) ------------------------------------------------------------------------------


def test_a_narrower_scope_narrows_the_access_token_only(client):
    """§6: the new access token may have less; the successor keeps the grant's whole scope."""
    tokens = delegated_tokens(client)
    narrow = assert_refreshed(refresh(client, tokens["refresh_token"], scope="orders.read"),
                              scope="orders.read")
    assert orders(client, narrow["access_token"]).status_code == 200
    # No identity scope left: userinfo names the customer and nothing more.
    assert set(client.get(USERINFO, headers=bearer(narrow["access_token"])).json) == {"sub"}
    identity = assert_refreshed(refresh(client, narrow["refresh_token"], scope="openid"), scope="openid")
    denied = orders(client, identity["access_token"])
    assert denied.status_code == 403
    assert 'scope="orders.read"' in denied.headers["WWW-Authenticate"]
    assert_refreshed(refresh(client, identity["refresh_token"]))  # the whole scope again


@pytest.mark.parametrize("scope", ["openid orders.read profile", "orders.write", "email"])
def test_a_wider_scope_is_invalid_scope_and_burns_nothing(app, client, scope):
    """§6: "MUST NOT include any scope not originally granted"; the token stays usable."""
    tokens = delegated_tokens(client)
    before = snapshot(app)
    assert_oauth_error(refresh(client, tokens["refresh_token"], scope=scope), 400, "invalid_scope")
    assert snapshot(app) == before
    assert_refreshed(refresh(client, tokens["refresh_token"]))


def test_the_app_api_grant_carries_the_identity_scopes_along(client):
    """A code from /api/liveperson/code, once the customer allowed orders.read: the refresh
    token's grant is the code's whole scope."""
    login(client)
    answer_consent(client, authorize(client))
    tokens = redeem(client, issue_code(client, scope="orders.read")).json
    assert tokens["scope"] == "openid profile email phone orders.read"
    body = assert_refreshed(refresh(client, tokens["refresh_token"]),
                            scope="openid profile email phone orders.read")
    assert client.get(USERINFO, headers=bearer(body["access_token"])).json["email"]


# -- concurrency -----------------------------------------------------------------------------

RACERS = 8


def test_concurrent_refreshes_of_one_token_exactly_one_wins(app, client):
    """Of refreshes racing with one token, one spends it (one conditional UPDATE); the others
    are reuse: invalid_grant, never a 500, and the grant is revoked, the winner's tokens too."""
    tokens = delegated_tokens(client)
    start = threading.Barrier(RACERS)

    def race(_: int) -> TestResponse:
        racer = app.test_client()
        start.wait()
        return refresh(racer, tokens["refresh_token"])

    with ThreadPoolExecutor(RACERS) as pool:
        responses = list(pool.map(race, range(RACERS)))
    winners = [response for response in responses if response.status_code == 200]
    assert len(winners) == 1, [response.json for response in responses]
    for response in responses:
        if response is not winners[0]:
            assert_oauth_error(response, 400, "invalid_grant")
    assert_oauth_error(refresh(client, winners[0].json["refresh_token"]), 400, "invalid_grant")
    assert_refused_at_the_api(client, winners[0].json["access_token"])


def test_refreshes_of_different_grants_do_not_block_each_other(app, client):
    """Each racer its own grant: every refresh succeeds."""
    grants = [delegated_tokens(app.test_client())["refresh_token"] for _ in range(4)]
    start = threading.Barrier(len(grants))

    def race(refresh_token: str) -> TestResponse:
        racer = app.test_client()
        start.wait()
        return refresh(racer, refresh_token)

    with ThreadPoolExecutor(len(grants)) as pool:
        for response in pool.map(race, grants):
            assert_refreshed(response)


def test_parameters_of_other_grants_are_ignored(client):
    """§6 names its parameters; others (a code grant's redirect_uri) are ignored, §3.2."""
    tokens = delegated_tokens(client)
    assert_refreshed(refresh(client, tokens["refresh_token"], redirect_uri=REDIRECT_URI,
                             client_id=CLIENT_ID))
