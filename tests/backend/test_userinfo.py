"""The userinfo endpoint: OpenID Connect Core 1.0 §5.3 with RFC 6750 bearer tokens."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from flask.testing import FlaskClient
from sqlalchemy import update

from backend.db import get_db
from backend.models import AuthorizationCode
from backend.models.base import digest, utcnow
from tests.support.backend_app import (
    CLIENT_ID,
    EMAIL,
    REDIRECT_URI,
    bearer,
    issue_code,
    login,
    redeem,
    verify_id_token,
)

USERINFO = "/oauth2/v3/userinfo"
FORM = "application/x-www-form-urlencoded"


def tokens(client: FlaskClient) -> dict[str, str]:
    """access_token and id_token from a code the app asked for (every scope)."""
    response = redeem(client, issue_code(client))
    assert response.status_code == 200, response.json
    return response.json


def authorize_code(client: FlaskClient, scope: str) -> str:
    """A code from the authorization endpoint, for the logged-in browser, with `scope`."""
    login(client)
    response = client.get("/oauth2/v3/authorize", query_string={
        "response_type": "code", "client_id": CLIENT_ID, "redirect_uri": REDIRECT_URI,
        "scope": scope,
    })
    assert response.status_code == 302, response.data
    return parse_qs(urlsplit(response.headers["Location"]).query)["code"][0]


def claims_for(client: FlaskClient, scope: str) -> dict:
    body = redeem(client, authorize_code(client, scope)).json
    response = client.get(USERINFO, headers=bearer(body["access_token"]))
    assert response.status_code == 200, response.json
    assert verify_id_token(client, body["id_token"])["sub"] == response.json["sub"]
    return response.json


def assert_invalid_token(response) -> None:
    assert response.status_code == 401
    challenge = response.headers["WWW-Authenticate"]
    assert challenge.startswith("Bearer ")
    assert 'error="invalid_token"' in challenge
    assert response.json["error"] == "invalid_token"


def set_access_token(app, access_token: str, **values) -> None:
    with app.app_context():
        db = get_db()
        db.execute(update(AuthorizationCode)
                   .where(AuthorizationCode.access_token_hash == digest(access_token)).values(**values))
        db.commit()


# -- where the token may be ------------------------------------------------------------


def test_header_with_get(client):
    """RFC 6750 §2.1 / oidcc-userinfo-get: the Authorization header on GET."""
    body = tokens(client)
    response = client.get(USERINFO, headers=bearer(body["access_token"]))
    assert response.status_code == 200
    assert response.json["sub"] == verify_id_token(client, body["id_token"])["sub"]
    assert response.headers["Cache-Control"] == "no-store"


def test_header_with_post(client):
    """RFC 6750 §2.1 / oidcc-userinfo-post-header: the Authorization header on POST."""
    body = tokens(client)
    response = client.post(USERINFO, headers=bearer(body["access_token"]))
    assert response.status_code == 200
    assert response.json["email"] == EMAIL


def test_lowercase_bearer_scheme(client):
    """RFC 7235 §2.1: the auth scheme is case-insensitive."""
    access_token = tokens(client)["access_token"]
    response = client.get(USERINFO, headers={"Authorization": f"bearer {access_token}"})
    assert response.status_code == 200


def test_form_body(client):
    """RFC 6750 §2.2 / oidcc-userinfo-post-body: access_token in a form-encoded POST body."""
    body = tokens(client)
    response = client.post(USERINFO, data={"access_token": body["access_token"]},
                           content_type=FORM)
    assert response.status_code == 200
    assert response.json["sub"] == verify_id_token(client, body["id_token"])["sub"]


def test_header_and_body_at_once_is_invalid_request(client):
    """RFC 6750 §2: a client MUST NOT use more than one method -> 400 invalid_request."""
    access_token = tokens(client)["access_token"]
    response = client.post(USERINFO, data={"access_token": access_token},
                           headers=bearer(access_token))
    assert response.status_code == 400
    assert response.json["error"] == "invalid_request"
    assert 'error="invalid_request"' in response.headers["WWW-Authenticate"]


def test_token_in_query_string_is_not_accepted(client):
    """RFC 6750 §2.3 is not supported: a token in the URL would leak into logs."""
    access_token = tokens(client)["access_token"]
    response = client.get(USERINFO, query_string={"access_token": access_token})
    assert response.status_code == 401


def test_missing_token_gets_a_bare_challenge(client):
    """RFC 6750 §3.1: no credentials -> 401 with a Bearer challenge and no error code."""
    for response in (client.get(USERINFO), client.post(USERINFO, data={}, content_type=FORM)):
        assert response.status_code == 401
        challenge = response.headers["WWW-Authenticate"]
        assert challenge.startswith("Bearer ")
        assert "error=" not in challenge


def test_other_auth_scheme_gets_a_bare_challenge(client):
    """RFC 6750 §3.1: an unsupported scheme (Basic) counts as no token: 401, no error code."""
    response = client.get(USERINFO, headers={"Authorization": "Basic Zm9vOmJhcg=="})
    assert response.status_code == 401
    challenge = response.headers["WWW-Authenticate"]
    assert challenge.startswith("Bearer ")
    assert "error=" not in challenge


def test_empty_bearer_is_invalid_request(client):
    """A malformed `Bearer` header (no token) is a 400 invalid_request (RFC 6750 §3.1)."""
    response = client.get(USERINFO, headers={"Authorization": "Bearer "})
    assert response.status_code == 400
    assert 'error="invalid_request"' in response.headers["WWW-Authenticate"]


# -- invalid tokens --------------------------------------------------------------------


def test_unknown_token(client):
    """RFC 6750 §3.1: an unknown token -> 401 error="invalid_token"."""
    assert_invalid_token(client.get(USERINFO, headers=bearer("not-a-token")))


@pytest.mark.parametrize("method", ["get", "post"])
def test_expired_token(app, client, method):
    """An access token past expires_at -> 401 error="invalid_token"."""
    access_token = tokens(client)["access_token"]
    assert getattr(client, method)(USERINFO, headers=bearer(access_token)).status_code == 200
    set_access_token(app, access_token, access_token_expires_at=utcnow() - timedelta(seconds=1))
    assert_invalid_token(getattr(client, method)(USERINFO, headers=bearer(access_token)))


def test_expired_token_in_body(app, client):
    """The body form of the token is checked the same way."""
    access_token = tokens(client)["access_token"]
    set_access_token(app, access_token, access_token_expires_at=utcnow() - timedelta(seconds=1))
    response = client.post(USERINFO, data={"access_token": access_token}, content_type=FORM)
    assert_invalid_token(response)


def test_token_revoked_by_code_reuse(client):
    """Checklist 13 + 21: reusing the code revokes its access token, and userinfo says so."""
    code = issue_code(client)
    access_token = redeem(client, code).json["access_token"]
    assert client.get(USERINFO, headers=bearer(access_token)).status_code == 200
    reuse = redeem(client, code)
    assert reuse.status_code == 400
    assert reuse.json["error"] == "invalid_grant"
    assert_invalid_token(client.get(USERINFO, headers=bearer(access_token)))


def test_revoked_token(app, client):
    """A token with revoked_at set -> 401 error="invalid_token"."""
    access_token = tokens(client)["access_token"]
    set_access_token(app, access_token, access_token_revoked_at=utcnow())
    assert_invalid_token(client.post(USERINFO, headers=bearer(access_token)))


# -- claims ----------------------------------------------------------------------------


def test_sub_equals_id_token_sub_and_api_me(client):
    """OIDC Core §5.3.2: userinfo's sub MUST equal the id_token's sub (the user's own sub)."""
    session_token = login(client)
    body = redeem(client, issue_code(client, session_token)).json
    userinfo = client.get(USERINFO, headers=bearer(body["access_token"])).json
    me = client.get("/api/me", headers=bearer(session_token)).json
    assert userinfo["sub"] == verify_id_token(client, body["id_token"])["sub"] == me["sub"]


def test_openid_scope_only_returns_just_sub(client):
    """OIDC Core §5.4 / oidcc-server: scope=openid releases sub and nothing else."""
    assert set(claims_for(client, "openid")) == {"sub"}


def test_profile_scope(client):
    """oidcc-scope-profile: profile adds the profile claims present for the user."""
    claims = claims_for(client, "openid profile")
    assert claims["name"] == "Dana Demo"
    assert claims["given_name"] == "Dana"
    assert claims["family_name"] == "Demo"
    assert claims["preferred_username"] == "dana"
    assert isinstance(claims["updated_at"], int)
    assert "email" not in claims
    assert "phone_number" not in claims


def test_email_scope(client):
    """oidcc-scope-email: email adds email and email_verified only."""
    claims = claims_for(client, "openid email")
    assert set(claims) == {"sub", "email", "email_verified"}
    assert claims["email"] == EMAIL


def test_phone_scope(client):
    """oidcc-scope-phone: phone adds phone_number and phone_number_verified only."""
    claims = claims_for(client, "openid phone")
    assert set(claims) == {"sub", "phone_number", "phone_number_verified"}
    assert claims["phone_number"] == "+1-555-0100"


def test_all_scopes(client):
    """oidcc-scope-all: every scope together releases all of their claims."""
    claims = claims_for(client, "openid profile email phone")
    assert {"sub", "name", "given_name", "family_name", "email", "phone_number"} <= set(claims)
