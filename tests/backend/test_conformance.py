"""The OpenID Foundation conformance suite's Basic OP modules (code flow) and Config OP discovery
check, mirrored with Flask's test client: one test per module, named after it, asserting what
the module asserts. A browser is played by the test client: it logs in, follows the
authorization endpoint's redirect and hands the code to the token endpoint as the RP would."""

from __future__ import annotations

import html
import re
import secrets
import time
from dataclasses import dataclass
from datetime import timedelta
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import jwt
import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from werkzeug.test import TestResponse

from backend.cli import DEMO_USER
from backend.db import get_db
from backend.models import AuthorizationCode, LoginSession
from shared.pkce import s256
from tests.support.backend_app import (
    CLIENT_ID,
    CLIENT_SECRET,
    EMAIL,
    ISSUER,
    PASSWORD,
    REDIRECT_URI,
    SIGNATURE_ONLY,
    bearer,
    login,
    redeem,
    verify_id_token,
)

AUTHORIZE = "/oauth2/v3/authorize"
USERINFO = "/oauth2/v3/userinfo"
STATE = "conformance-state"
NONCE = "conformance-nonce"

# OpenID Connect Core 1.0 §5.4: the claims each scope requests (those the demo user has).
SCOPE_CLAIMS = {
    "profile": {"name", "given_name", "family_name", "preferred_username", "updated_at"},
    "email": {"email", "email_verified"},
    "phone": {"phone_number", "phone_number_verified"},
}


@dataclass(frozen=True)
class Redirect:
    """Where the authorization endpoint sent the browser."""

    status: int
    target: str  # the URL without its query
    params: dict[str, str]  # the query parameters, each given once

    def to_client(self, redirect_uri: str = REDIRECT_URI) -> bool:
        return self.target == redirect_uri


def parse_redirect(response: TestResponse) -> Redirect:
    assert response.status_code in (302, 303), response.data
    location = urlsplit(response.headers["Location"])
    assert not location.fragment, "the code flow answers in the query (response_mode=query)"
    params = {}
    for name, values in parse_qs(location.query, keep_blank_values=True).items():
        assert len(values) == 1, f"{name} given more than once"
        params[name] = values[0]
    origin = f"{location.scheme}://{location.netloc}" if location.netloc else ""
    return Redirect(response.status_code, origin + location.path, params)


def authorize(client: FlaskClient, *, method: str = "GET", reorder: bool = False,
              **overrides: str | None) -> Redirect:
    """Send an authorization request (the usual parameters, changed by `overrides`; None drops
    one) and return the parsed redirect."""
    params: dict[str, str | None] = {
        "client_id": CLIENT_ID, "redirect_uri": REDIRECT_URI, "response_type": "code",
        "scope": "openid", "state": STATE, "nonce": NONCE, **overrides,
    }
    query = [(name, value) for name, value in params.items() if value is not None]
    if reorder:
        query.reverse()
    if method == "GET":
        response = client.get(f"{AUTHORIZE}?{urlencode(query)}")
    else:
        response = client.post(AUTHORIZE, data=dict(query))
    return parse_redirect(response)


def code_from(redirect: Redirect, state: str = STATE) -> str:
    """OAuth 2.0 §4.1.2: back to the registered redirect URI with a code and the exact state."""
    assert redirect.to_client(), redirect
    assert "error" not in redirect.params, redirect.params
    assert redirect.params["state"] == state
    return redirect.params["code"]


def exchange(client: FlaskClient, code: str, headers: dict[str, str] | None = None,
             **form: str) -> dict[str, Any]:
    """The token request, checked as the suite checks the token endpoint response."""
    response = redeem(client, code, headers=headers, **form)
    assert response.status_code == 200, response.json
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["Pragma"] == "no-cache"
    body = response.json
    assert body["token_type"].lower() == "bearer"
    assert isinstance(body["expires_in"], int)
    assert body["access_token"] and body["id_token"]
    return body


def check_id_token(client: FlaskClient, token: str, nonce: str | None = NONCE) -> dict[str, Any]:
    """OpenID Connect Core 1.0 §3.1.3.7: signature, iss, aud, sub, exp/iat integers, nonce."""
    claims = verify_id_token(client, token)
    assert claims["iss"] == ISSUER
    assert claims["aud"] == CLIENT_ID or claims["aud"] == [CLIENT_ID]
    assert isinstance(claims["sub"], str) and claims["sub"]
    for name in ("exp", "iat", "auth_time"):
        assert isinstance(claims[name], int), name
    assert claims["exp"] > claims["iat"]
    if nonce is None:
        assert "nonce" not in claims
    else:
        assert claims["nonce"] == nonce
    return claims


def code_flow(client: FlaskClient, **overrides: str | None
              ) -> tuple[dict[str, Any], dict[str, Any]]:
    """Authorize (the browser is logged in already), redeem; the token body and id_token claims."""
    body = exchange(client, code_from(authorize(client, **overrides)))
    return body, check_id_token(client, body["id_token"], nonce=overrides.get("nonce", NONCE))


def userinfo_claims(response: TestResponse, id_claims: dict[str, Any]) -> dict[str, Any]:
    """§5.3.2: a JSON object whose `sub` is the id_token's `sub`."""
    assert response.status_code == 200, response.data
    assert response.mimetype == "application/json"
    assert response.json["sub"] == id_claims["sub"]
    return response.json


def user_sub(client: FlaskClient, session_token: str) -> str:
    return client.get("/api/me", headers=bearer(session_token)).json["sub"]


def sign_in_on_page(client: FlaskClient, redirect: Redirect) -> str:
    """Fill in the login page the authorization endpoint sent the browser to; where it leads."""
    assert redirect.target == "/login", redirect
    page = client.get("/login", query_string=redirect.params)
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    fields = {name: html.unescape(value) for name, value in
              re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', text)}
    response = client.post("/login", data={**fields, "email": EMAIL, "password": PASSWORD})
    assert response.status_code == 303, response.data
    return response.headers["Location"]


def travel(app: Flask, model: type[Any], seconds: int, *columns: str) -> None:
    """Move these timestamps of every `model` row `seconds` into the past, as if that much time
    had elapsed (instead of waiting)."""
    with app.app_context():
        db = get_db()
        for row in db.scalars(select(model)):
            for column in columns:
                if getattr(row, column) is not None:
                    setattr(row, column, getattr(row, column) - timedelta(seconds=seconds))
        db.commit()


def age_logins(app: Flask, seconds: int) -> None:
    """Every login happened `seconds` earlier than it did."""
    travel(app, LoginSession, seconds, "auth_time")


def login_auth_time(app: Flask) -> int:
    with app.app_context():
        times = get_db().scalars(select(LoginSession.auth_time)).all()
    assert len(times) == 1
    return int(times[0].timestamp())


# -- Basic OP plan --------------------------------------------------------------------------


def test_oidcc_server(client):
    """The happy path with client_secret_basic: code, state echoed, valid id_token for the user."""
    session = login(client)
    redirect = authorize(client)
    assert redirect.status == 302
    assert set(redirect.params) == {"code", "state"}
    body = exchange(client, code_from(redirect))
    claims = check_id_token(client, body["id_token"])
    assert claims["sub"] == user_sub(client, session)


def test_oidcc_server_client_secret_post(client):
    """The happy path, authenticating with client_id and client_secret in the body."""
    session = login(client)
    code = code_from(authorize(client))
    body = exchange(client, code, headers={}, client_id=CLIENT_ID, client_secret=CLIENT_SECRET)
    claims = check_id_token(client, body["id_token"])
    assert claims["sub"] == user_sub(client, session)


def test_oidcc_response_type_missing(client):
    """RFC 6749 §3.1.1: without response_type, an error back to the client (state kept)."""
    login(client)
    redirect = authorize(client, response_type=None)
    assert redirect.to_client()
    assert redirect.params["error"] in ("invalid_request", "unsupported_response_type")
    assert redirect.params["state"] == STATE
    assert "code" not in redirect.params


@pytest.mark.parametrize("uri", [
    "https://attacker.example/callback",
    "https://liveperson.net/oauth2/code_redirect/",
    "https://liveperson.net.attacker.example",
    "https://liveperson.net/?next=https://attacker.example",
])
def test_oidcc_ensure_registered_redirect_uri(client, uri):
    """OpenID Connect Core §3.1.2.1, RFC 6749 §4.1.2.1: an unregistered redirect_uri gets an
    error page, never a redirect (nor a code)."""
    login(client)
    response = client.get(AUTHORIZE, query_string={
        "client_id": CLIENT_ID, "redirect_uri": uri, "response_type": "code",
        "scope": "openid", "state": STATE,
    })
    assert response.status_code == 400
    assert "Location" not in response.headers
    assert response.mimetype == "text/html"


def test_oidcc_ensure_request_with_unknown_parameter_succeeds(client):
    """RFC 6749 §3.1: unknown parameters are ignored (LivePerson sends parentWindowOrigin)."""
    login(client)
    code_flow(client, extra=secrets.token_urlsafe(8), parentWindowOrigin="https://brand.example")


def test_oidcc_ensure_request_with_valid_pkce_succeeds(client):
    """RFC 7636: an S256 challenge, then its verifier at the token endpoint."""
    login(client)
    verifier = secrets.token_urlsafe(48)
    redirect = authorize(client, code_challenge=s256(verifier), code_challenge_method="S256")
    body = exchange(client, code_from(redirect), code_verifier=verifier)
    check_id_token(client, body["id_token"])


def test_oidcc_ensure_request_without_nonce_succeeds_for_code_flow(client):
    """OpenID Connect Core §3.1.2.1: nonce is optional in the code flow; none is then returned."""
    login(client)
    code_flow(client, nonce=None)


def test_oidcc_ensure_post_request_succeeds(client):
    """OpenID Connect Core §3.1.2.1: the authorization endpoint accepts POST (answered with 303)."""
    login(client)
    redirect = authorize(client, method="POST")
    assert redirect.status == 303
    body = exchange(client, code_from(redirect))
    check_id_token(client, body["id_token"])


def test_oidcc_idtoken_signature(client):
    """OpenID Connect Core §10.1: RS256, a kid naming exactly one published key, which verifies."""
    login(client)
    body, _ = code_flow(client)
    token = body["id_token"]
    header = jwt.get_unverified_header(token)
    assert header["alg"] == "RS256"
    jwks = client.get("/oauth2/v3/certs").json
    matching = [key for key in jwks["keys"] if key.get("kid") == header["kid"]]
    assert len(matching) == 1
    key = jwt.PyJWK(matching[0])
    jwt.decode(token, key, algorithms=["RS256"], options=SIGNATURE_ONLY)
    head, payload, signature = token.split(".")
    forged = f"{head}.{payload}.{signature[:-4]}{'AAAA' if signature[-4:] != 'AAAA' else 'BBBB'}"
    with pytest.raises(jwt.InvalidSignatureError):
        jwt.decode(forged, key, algorithms=["RS256"], options=SIGNATURE_ONLY)


def test_oidcc_userinfo_get(client):
    """OpenID Connect Core §5.3.1, RFC 6750 §2.1: GET with the bearer token in the header."""
    login(client)
    body, claims = code_flow(client)
    userinfo_claims(client.get(USERINFO, headers=bearer(body["access_token"])), claims)


def test_oidcc_userinfo_post_header(client):
    """RFC 6750 §2.1: POST with the bearer token in the header."""
    login(client)
    body, claims = code_flow(client)
    userinfo_claims(client.post(USERINFO, headers=bearer(body["access_token"])), claims)


def test_oidcc_userinfo_post_body(client):
    """RFC 6750 §2.2: POST with access_token in a form-encoded body."""
    login(client)
    body, claims = code_flow(client)
    response = client.post(USERINFO, data={"access_token": body["access_token"]})
    userinfo_claims(response, claims)


def scope_flow(client: FlaskClient, scope: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """The userinfo response and id_token claims for `scope`."""
    login(client)
    body, claims = code_flow(client, scope=scope)
    info = userinfo_claims(client.get(USERINFO, headers=bearer(body["access_token"])), claims)
    return info, claims


def assert_scope_claims(info: dict[str, Any], *scopes: str) -> None:
    """§5.4: each requested scope's claims are returned, no other scope's."""
    for scope, names in SCOPE_CLAIMS.items():
        if scope in scopes:
            assert names <= set(info), f"{scope}: missing {names - set(info)}"
        else:
            assert not names & set(info), f"{scope} not requested, got {names & set(info)}"


def test_oidcc_scope_profile(client):
    """OpenID Connect Core §5.4: scope=profile releases the profile claims."""
    info, _ = scope_flow(client, "openid profile")
    assert_scope_claims(info, "profile")
    assert info["name"] == DEMO_USER["name"]
    assert info["given_name"] == DEMO_USER["given_name"]
    assert info["family_name"] == DEMO_USER["family_name"]
    assert isinstance(info["updated_at"], int)


def test_oidcc_scope_email(client):
    """OpenID Connect Core §5.4: scope=email releases email and email_verified."""
    info, _ = scope_flow(client, "openid email")
    assert_scope_claims(info, "email")
    assert info["email"] == EMAIL
    assert isinstance(info["email_verified"], bool)


def test_oidcc_scope_phone(client):
    """OpenID Connect Core §5.4: scope=phone releases phone_number and phone_number_verified."""
    info, _ = scope_flow(client, "openid phone")
    assert_scope_claims(info, "phone")
    assert info["phone_number"] == DEMO_USER["phone_number"]
    assert isinstance(info["phone_number_verified"], bool)


def test_oidcc_scope_all(client):
    """OpenID Connect Core §5.4: every supported scope at once (address is not supported and
    is ignored, §3.1.2.1)."""
    info, _ = scope_flow(client, "openid profile email address phone")
    assert_scope_claims(info, "profile", "email", "phone")


def test_oidcc_prompt_login(app, client):
    """OpenID Connect Core §3.1.2.1: prompt=login asks a logged-in user to log in again; the
    second id_token's auth_time differs from the first."""
    login(client)
    age_logins(app, 60)  # the first login happened a minute ago
    _, first = code_flow(client)

    redirect = authorize(client, prompt="login")
    assert not redirect.to_client(), "a code was issued without the second login"
    resumed = sign_in_on_page(client, redirect)
    body = exchange(client, code_from(parse_redirect(client.get(resumed))))
    second = check_id_token(client, body["id_token"])
    assert second["sub"] == first["sub"]
    assert second["auth_time"] > first["auth_time"]


def test_oidcc_prompt_none_not_logged_in(client):
    """OpenID Connect Core §3.1.2.6: prompt=none without a login is login_required, no page."""
    redirect = authorize(client, prompt="none")
    assert redirect.to_client()
    assert redirect.params["error"] == "login_required"
    assert redirect.params["state"] == STATE
    assert "code" not in redirect.params


def test_oidcc_prompt_none_logged_in(client):
    """OpenID Connect Core §3.1.2.1: prompt=none with a live login returns a code at once."""
    session = login(client)
    _, claims = code_flow(client, prompt="none")
    assert claims["sub"] == user_sub(client, session)


def test_oidcc_max_age_1(app, client):
    """OpenID Connect Core §3.1.2.1: a login older than max_age means a new login; the id_token
    then carries the new auth_time."""
    login(client)
    age_logins(app, 2)  # instead of the suite's two-second wait
    _, first = code_flow(client)

    redirect = authorize(client, max_age="1")
    assert not redirect.to_client(), "a code was issued for a login older than max_age"
    before_second_login = int(time.time())
    resumed = sign_in_on_page(client, redirect)
    body = exchange(client, code_from(parse_redirect(client.get(resumed))))
    second = check_id_token(client, body["id_token"])
    assert second["auth_time"] >= before_second_login
    assert second["auth_time"] > first["auth_time"]


def test_oidcc_max_age_10000(app, client):
    """OpenID Connect Core §3.1.2.1, §2: a recent enough login is reused, and auth_time (required
    when max_age was sent) is that login's time."""
    login(client)
    age_logins(app, 60)
    _, claims = code_flow(client, max_age="10000")
    assert claims["auth_time"] == login_auth_time(app)


def test_oidcc_codereuse(client):
    """RFC 6749 §4.1.2: a second redemption of a code is 400 invalid_grant."""
    login(client)
    code = code_from(authorize(client))
    exchange(client, code)
    response = redeem(client, code)
    assert response.status_code == 400
    assert response.json["error"] == "invalid_grant"


def test_oidcc_codereuse_30seconds(app, client):
    """RFC 6749 §4.1.2: a code reused later (30 s, still within its lifetime) is refused, and the
    access token issued from it stops working."""
    login(client)
    code = code_from(authorize(client))
    body = exchange(client, code)
    assert client.get(USERINFO, headers=bearer(body["access_token"])).status_code == 200
    # Instead of the suite's 30-second wait (the 60-second code lifetime has not run out).
    travel(app, AuthorizationCode, 30, "expires_at", "consumed_at")

    response = redeem(client, code)
    assert response.status_code == 400
    assert response.json["error"] == "invalid_grant"
    revoked = client.get(USERINFO, headers=bearer(body["access_token"]))
    assert revoked.status_code == 401
    assert 'error="invalid_token"' in revoked.headers["WWW-Authenticate"]


def test_oidcc_alternate_happy_flow(client):
    """RFC 6749 §3.3: scope order does not matter, nor the order of the request's parameters."""
    login(client)
    redirect = authorize(client, reorder=True, scope="email openid")
    body = exchange(client, code_from(redirect))
    claims = check_id_token(client, body["id_token"])
    info = userinfo_claims(client.get(USERINFO, headers=bearer(body["access_token"])), claims)
    assert_scope_claims(info, "email")


# -- Config OP plan -------------------------------------------------------------------------


def test_oidcc_discovery_endpoint_verification(client):
    """OpenID Connect Discovery 1.0 §3, §4.3: the document fetched under the issuer names that
    issuer exactly (whatever Host the request used) and the required fields; the JWKS is valid."""
    path = "/.well-known/openid-configuration"
    response = client.get(path, base_url=ISSUER)
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    config = response.json
    assert config["issuer"] == ISSUER  # §4.3: exactly the URL the document was fetched under
    assert client.get(path, base_url="https://forged-host.example").json["issuer"] == ISSUER

    for name in ("authorization_endpoint", "token_endpoint", "userinfo_endpoint", "jwks_uri"):
        assert config[name].startswith(ISSUER + "/"), name
        assert urlsplit(config[name]).scheme == "https", name
    assert "code" in config["response_types_supported"]
    assert "public" in config["subject_types_supported"]
    assert "RS256" in config["id_token_signing_alg_values_supported"]
    assert "none" not in config["id_token_signing_alg_values_supported"]
    assert "openid" in config["scopes_supported"]
    assert {"client_secret_basic", "client_secret_post"} <= set(
        config["token_endpoint_auth_methods_supported"])
    assert "S256" in config["code_challenge_methods_supported"]
    assert {"sub", "iss", "aud", "exp", "iat"} <= set(config["claims_supported"])
    assert "authorization_code" in config["grant_types_supported"]

    jwks = client.get(urlsplit(config["jwks_uri"]).path, base_url=ISSUER)
    assert jwks.status_code == 200
    keys = jwks.json["keys"]
    assert keys
    kids = [key["kid"] for key in keys]
    assert len(set(kids)) == len(kids)
    private_members = {"d", "p", "q", "dp", "dq", "qi"}
    for key in keys:
        assert key["kty"] == "RSA"
        assert key.get("use", "sig") == "sig"
        assert not private_members & set(key)
    assert len(jwt.PyJWKSet.from_dict(jwks.json).keys) == len(keys)  # every key parses
