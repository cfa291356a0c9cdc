"""Token revocation, `POST /oauth2/v3/revoke` (RFC 7009): a refresh token revokes its whole grant,
the access tokens issued from it included; an access token revokes itself; the hint only says
where to look first; an unknown token is answered 200 and changes nothing; another client's
token is refused and stays valid."""

from __future__ import annotations

import pytest
from werkzeug.datastructures import MultiDict
from werkzeug.test import TestResponse

from tests.backend.test_refresh_token import assert_refreshed, assert_refused_at_the_api
from tests.backend.test_token import assert_no_cache, assert_oauth_error, create_client, post_credentials
from tests.support.backend_app import (
    basic,
    delegated_tokens,
    issue_code,
    orders,
    redeem,
    refresh,
    snapshot,
)

REVOKE = "/oauth2/v3/revoke"


def revoke(client, token: str, *, headers: dict[str, str] | None = None, **form: str) -> TestResponse:
    return client.post(REVOKE, data={"token": token, **form},
                       headers=basic() if headers is None else headers)


def assert_revoked_answer(response: TestResponse) -> None:
    """§2.2: 200, and nothing in the body a client must read."""
    assert response.status_code == 200, response.data
    assert response.data == b""
    assert_no_cache(response)


@pytest.mark.parametrize("hint", [None, "refresh_token", "access_token", "something_else"])
def test_a_refresh_token_revokes_its_whole_grant(client, hint):
    """§2.1: a refresh token revokes the grant's refresh tokens and the access tokens "based on
    the same authorization grant"; a wrong or unknown hint only changes where the search starts."""
    tokens = delegated_tokens(client)
    refreshed = assert_refreshed(refresh(client, tokens["refresh_token"]))
    extra = {} if hint is None else {"token_type_hint": hint}

    assert_revoked_answer(revoke(client, refreshed["refresh_token"], **extra))

    assert_oauth_error(refresh(client, refreshed["refresh_token"]), 400, "invalid_grant")
    assert_refused_at_the_api(client, tokens["access_token"], refreshed["access_token"])


def test_a_spent_refresh_token_revokes_its_grant_too(client):
    tokens = delegated_tokens(client)
    refreshed = assert_refreshed(refresh(client, tokens["refresh_token"]))
    assert_revoked_answer(revoke(client, tokens["refresh_token"], token_type_hint="refresh_token"))
    assert_oauth_error(refresh(client, refreshed["refresh_token"]), 400, "invalid_grant")
    assert_refused_at_the_api(client, refreshed["access_token"])


@pytest.mark.parametrize("hint", [None, "access_token", "refresh_token"])
@pytest.mark.parametrize("issued_by", ["code", "refresh"])
def test_an_access_token_revokes_itself_only(client, hint, issued_by):
    """§2.1: the refresh token may stay; here it does, so a customer's delegation outlives
    the revocation of one access token."""
    tokens = delegated_tokens(client)
    access_token, refresh_token = tokens["access_token"], tokens["refresh_token"]
    if issued_by == "refresh":
        refreshed = assert_refreshed(refresh(client, refresh_token))
        access_token, refresh_token = refreshed["access_token"], refreshed["refresh_token"]
    extra = {} if hint is None else {"token_type_hint": hint}

    assert_revoked_answer(revoke(client, access_token, **extra))

    assert_refused_at_the_api(client, access_token)
    renewed = assert_refreshed(refresh(client, refresh_token))
    assert orders(client, renewed["access_token"]).status_code == 200


def test_the_access_token_of_a_plain_code_exchange_can_be_revoked(client):
    access_token = redeem(client, issue_code(client)).json["access_token"]
    assert_revoked_answer(revoke(client, access_token, headers={}, **post_credentials()))
    assert client.get("/oauth2/v3/userinfo", headers={"Authorization": f"Bearer {access_token}"}
                      ).status_code == 401


@pytest.mark.parametrize("token", ["never-issued", "a" * 512])
@pytest.mark.parametrize("hint", [None, "refresh_token", "access_token"])
def test_an_unknown_token_is_answered_200_and_changes_nothing(app, client, token, hint):
    """§2.2: "invalid tokens do not cause an error response"."""
    delegated_tokens(client)
    before = snapshot(app)
    extra = {} if hint is None else {"token_type_hint": hint}
    assert_revoked_answer(revoke(client, token, **extra))
    assert snapshot(app) == before


def test_revoking_twice_is_answered_200_and_changes_nothing_more(app, client):
    tokens = delegated_tokens(client)
    assert_revoked_answer(revoke(client, tokens["refresh_token"]))
    before = snapshot(app)
    assert_revoked_answer(revoke(client, tokens["refresh_token"]))
    assert_revoked_answer(revoke(client, tokens["access_token"]))
    assert snapshot(app) == before


@pytest.mark.parametrize("kind", ["refresh_token", "access_token"])
def test_another_clients_token_is_refused_and_stays_valid(app, client, runner, kind):
    """§2.1: the token must have been issued to the client that asks."""
    create_client(runner, "other-client", "other-client-secret")
    tokens = delegated_tokens(client)
    before = snapshot(app)
    response = revoke(client, tokens[kind], headers=basic("other-client", "other-client-secret"))
    assert_oauth_error(response, 400, "invalid_grant")
    assert snapshot(app) == before
    assert orders(client, tokens["access_token"]).status_code == 200
    assert_refreshed(refresh(client, tokens["refresh_token"]))


@pytest.mark.parametrize(("headers", "form", "challenged"), [
    pytest.param(basic(secret="wrong-secret-value"), {}, True, id="basic-wrong-secret"),
    pytest.param(basic(client_id="nobody"), {}, True, id="basic-unknown-client"),
    pytest.param({}, post_credentials(secret="wrong-secret-value"), False, id="post-wrong-secret"),
    pytest.param({}, {}, False, id="no-credentials"),
])
def test_the_client_must_authenticate(app, client, headers, form, challenged):
    """§2.1: as at the token endpoint; refused with 401 invalid_client, nothing revoked."""
    tokens = delegated_tokens(client)
    before = snapshot(app)
    response = revoke(client, tokens["refresh_token"], headers=headers, **form)
    assert_oauth_error(response, 401, "invalid_client")
    assert ("WWW-Authenticate" in response.headers) is challenged
    assert snapshot(app) == before


@pytest.mark.parametrize(("data", "content_type"), [
    pytest.param({}, None, id="no-token"),
    pytest.param(MultiDict([("token", "a"), ("token", "b")]), None, id="repeated-token"),
    pytest.param({"token": "a" * 513}, None, id="longer-than-any-issued"),
    pytest.param('{"token": "x"}', "application/json", id="json"),
])
def test_malformed_requests_are_invalid_request(app, client, data, content_type):
    delegated_tokens(client)
    before = snapshot(app)
    kwargs = {} if content_type is None else {"content_type": content_type}
    response = client.post(REVOKE, data=data, headers=basic(), **kwargs)
    assert_oauth_error(response, 400, "invalid_request")
    assert snapshot(app) == before


def test_other_methods_are_405_json(client):
    response = client.get(REVOKE, headers=basic())
    assert_oauth_error(response, 405, "invalid_request")
    assert "POST" in response.headers["Allow"]


def test_a_client_without_delegation_revokes_its_own_access_token(client, runner):
    """Revocation is every client's, not only delegating ones'."""
    create_client(runner, "plain-client", "plain-client-secret")
    response = client.post(REVOKE, data={"token": "anything"},
                           headers=basic("plain-client", "plain-client-secret"))
    assert_revoked_answer(response)
