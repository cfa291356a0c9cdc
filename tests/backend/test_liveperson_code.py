"""`POST /api/liveperson/code`: the code the brand's app hands to the LivePerson SDK (code flow)."""

from __future__ import annotations

import base64
import hashlib
import secrets

import pytest
from sqlalchemy import update

from backend.cli import DEMO_SDES, DEMO_USER
from backend.db import get_db
from backend.models import Client
from shared.contract import REDIRECT_URIS as LIVEPERSON_REDIRECT_URIS
from tests.support.backend_app import (
    CLIENT_ID,
    EMAIL,
    ISSUER,
    POPOUT_URI,
    another_process,
    bearer,
    login,
    make_app,
    redeem,
    snapshot,
    verify_id_token,
)

CODE = "/api/liveperson/code"


def s256(verifier: str) -> str:
    return base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()


def ask(client, session_token, **body):
    return client.post(CODE, json=body, headers=bearer(session_token))


def assert_json_error(response, status: int, error: str) -> None:
    assert response.status_code == status, response.data
    assert response.is_json
    assert response.json["error"] == error
    assert response.json["error_description"]


# -- who may ask -----------------------------------------------------------------------


def test_logged_out_gets_401_json(app, client):
    """Only a logged-in customer gets a code; the app gets JSON, not a login page redirect."""
    before = snapshot(app)
    response = client.post(CODE, json={})
    assert_json_error(response, 401, "login_required")
    assert snapshot(app) == before


def test_revoked_session_token_gets_401(client):
    """After logout (DELETE /api/session) the session token no longer yields codes."""
    token = login(client)
    assert client.delete("/api/session", headers=bearer(token)).status_code == 204
    other = client.application.test_client()  # no cookie: the bearer token alone
    assert_json_error(other.post(CODE, json={}, headers=bearer(token)), 401, "login_required")


def test_bad_bearer_token_gets_401(client):
    """An unknown session token is no login."""
    assert_json_error(client.post(CODE, json={}, headers=bearer("forged")), 401, "login_required")


def test_bearer_session_token(app):
    """The mobile app authenticates with `Authorization: Bearer <session_token>`, no cookie."""
    token = login(app.test_client())
    response = app.test_client().post(CODE, json={}, headers=bearer(token))
    assert response.status_code == 200
    assert response.json["code"]


def test_session_cookie(client):
    """The web app authenticates with the login cookie alone."""
    login(client)  # sets the cookie
    response = client.post(CODE, json={})
    assert response.status_code == 200
    assert response.json["code"]


def test_empty_body_is_accepted(client):
    """The body is optional: an app may POST nothing at all."""
    response = client.post(CODE, headers=bearer(login(client)))
    assert response.status_code == 200


# -- redirect URI ----------------------------------------------------------------------


def test_default_redirect_uri_is_the_first_registered(client):
    """Without redirect_uri the code is bound to the client's first registered URI."""
    response = ask(client, login(client))
    assert response.status_code == 200
    assert response.json["redirect_uri"] == LIVEPERSON_REDIRECT_URIS[0]
    assert redeem(client, response.json["code"],
                  redirect_uri=LIVEPERSON_REDIRECT_URIS[0]).status_code == 200


def test_given_registered_redirect_uri_is_used(client):
    """A registered redirect_uri is echoed and bound to the code (RFC 6749 §4.1.3)."""
    response = ask(client, login(client), redirect_uri=POPOUT_URI)
    assert response.status_code == 200
    assert response.json["redirect_uri"] == POPOUT_URI
    code = response.json["code"]
    wrong = redeem(client, code)  # with REDIRECT_URI
    assert wrong.status_code == 400
    assert wrong.json["error"] == "invalid_grant"
    assert redeem(client, code, redirect_uri=POPOUT_URI).status_code == 200


@pytest.mark.parametrize("uri", [
    "https://attacker.example/cb",
    "https://liveperson.net/oauth2/code_redirect/",  # registered without the slash
    "https://liveperson.net?x=1",
    "https://LIVEPERSON.net",
])
def test_unregistered_redirect_uri_is_refused(app, client, uri):
    """Checklist 1: exact match; an unregistered URI gets 400 invalid_request and no code."""
    token = login(client)
    before = snapshot(app)
    assert_json_error(ask(client, token, redirect_uri=uri), 400, "invalid_request")
    assert snapshot(app) == before


# -- body ------------------------------------------------------------------------------


@pytest.mark.parametrize(("data", "content_type"), [
    ("redirect_uri=https%3A%2F%2Fliveperson.net", "application/x-www-form-urlencoded"),
    ("redirect_uri", "text/plain"),
    ("{not json", "application/json"),
    ('["https://liveperson.net"]', "application/json"),
    ('"https://liveperson.net"', "application/json"),
    ('{"redirect_uri": 5}', "application/json"),
    ('{"redirect_uri": ["https://liveperson.net"]}', "application/json"),
])
def test_bad_body_is_400_json(app, client, data, content_type):
    """Anything but a JSON object of strings is invalid_request, answered as JSON; no code."""
    token = login(client)
    before = snapshot(app)
    response = client.post(CODE, data=data, content_type=content_type, headers=bearer(token))
    assert_json_error(response, 400, "invalid_request")
    assert snapshot(app) == before


# -- PKCE ------------------------------------------------------------------------------


def test_pkce_is_enforced_at_the_exchange(client):
    """RFC 7636: a code issued with an S256 challenge needs the matching verifier."""
    verifier = secrets.token_urlsafe(48)
    response = ask(client, login(client), code_challenge=s256(verifier),
                   code_challenge_method="S256")
    assert response.status_code == 200
    code = response.json["code"]
    missing = redeem(client, code)
    assert missing.status_code == 400
    assert missing.json["error"] == "invalid_grant"
    wrong = redeem(client, code, code_verifier=secrets.token_urlsafe(48))
    assert wrong.status_code == 400
    assert wrong.json["error"] == "invalid_grant"
    right = redeem(client, code, code_verifier=verifier)
    assert right.status_code == 200
    assert verify_id_token(client, right.json["id_token"])["iss"] == ISSUER


def test_long_verifier_from_liveperson_is_accepted(client):
    """LivePerson may send a verifier longer than RFC 7636's 128 characters."""
    verifier = "v" * 200
    code = ask(client, login(client), code_challenge=s256(verifier),
               code_challenge_method="S256").json["code"]
    assert redeem(client, code, code_verifier=verifier).status_code == 200


def test_challenge_without_method_means_s256(client):
    """LivePerson's SDK gives the page only the challenge, computed with S256: the app endpoint
    takes S256 as the default, where the authorization endpoint keeps RFC 7636's plain."""
    verifier = secrets.token_urlsafe(48)
    code = ask(client, login(client), code_challenge=s256(verifier)).json["code"]
    assert redeem(client, code, code_verifier=s256(verifier)).status_code == 400
    assert redeem(client, code, code_verifier=verifier).status_code == 200


def test_verifier_without_challenge_is_a_downgrade(client):
    """RFC 9700 §2.1.1: a verifier for a code issued without a challenge is refused."""
    code = ask(client, login(client)).json["code"]
    response = redeem(client, code, code_verifier=secrets.token_urlsafe(48))
    assert response.status_code == 400
    assert response.json["error"] == "invalid_grant"


@pytest.mark.parametrize("body", [
    {"code_challenge": "x" * 43, "code_challenge_method": "plain"},  # plain not allowed
    {"code_challenge": "x" * 43, "code_challenge_method": "S512"},
    {"code_challenge": "short", "code_challenge_method": "S256"},
])
def test_bad_challenge_is_refused(app, client, body):
    """RFC 7636 §4.4.1: an unusable challenge is invalid_request, and no code is written."""
    token = login(client)
    before = snapshot(app)
    assert_json_error(ask(client, token, **body), 400, "invalid_request")
    assert snapshot(app) == before


def test_client_that_requires_pkce_needs_a_challenge(app, client):
    """A client registered with --pkce-required gets no code without code_challenge."""
    with app.app_context():
        db = get_db()
        db.execute(update(Client).where(Client.client_id == CLIENT_ID).values(pkce_required=True))
        db.commit()
    token = login(client)
    assert_json_error(ask(client, token), 400, "invalid_request")
    verifier = secrets.token_urlsafe(48)
    response = ask(client, token, code_challenge=s256(verifier), code_challenge_method="S256")
    assert response.status_code == 200


# -- lifetime and configuration --------------------------------------------------------


def test_expires_in_is_the_default_code_lifetime(client):
    """Checklist 11: codes live CODE_LIFETIME seconds, 60 by default."""
    assert ask(client, login(client)).json["expires_in"] == 60


def test_expires_in_follows_code_lifetime(tmp_path):
    """expires_in reports BACKEND_CODE_LIFETIME when it is changed."""
    client = make_app(tmp_path, CODE_LIFETIME=25).test_client()
    assert ask(client, login(client)).json["expires_in"] == 25


def test_missing_liveperson_client_is_503_with_the_fix(app, tmp_path, monkeypatch):
    """BACKEND_LIVEPERSON_CLIENT_ID naming no client: 503 JSON saying how to fix it."""
    monkeypatch.setenv("BACKEND_LIVEPERSON_CLIENT_ID", "lp-account-123")
    misconfigured = another_process(app).test_client()
    token = login(misconfigured)
    before = snapshot(app)
    response = ask(misconfigured, token)
    assert_json_error(response, 503, "server_error")
    description = response.json["error_description"]
    assert "lp-account-123" in description
    assert "create-client" in description
    assert "BACKEND_LIVEPERSON_CLIENT_ID" in description
    assert snapshot(app) == before


# -- what LivePerson gets --------------------------------------------------------------


def test_redeemed_code_carries_the_user_and_sdes(client):
    """The id_token LivePerson gets: the user's sub, lp_sdes as an array, and profile claims."""
    token = login(client)
    me = client.get("/api/me", headers=bearer(token)).json
    code = ask(client, token).json["code"]
    response = redeem(client, code)
    assert response.status_code == 200
    claims = verify_id_token(client, response.json["id_token"])
    assert claims["sub"] == me["sub"]
    assert claims["aud"] == CLIENT_ID
    assert isinstance(claims["lp_sdes"], list)
    by_type = {sde["type"]: sde for sde in claims["lp_sdes"]}
    assert set(by_type) == {"ctmrinfo", "personal"}
    assert by_type == {sde["type"]: sde for sde in DEMO_SDES}
    assert by_type["ctmrinfo"]["info"]["customerId"] == "DEMO-0001"
    assert by_type["personal"]["personal"]["contacts"][0]["email"] == EMAIL
    assert claims["email"] == EMAIL
    assert claims["given_name"] == DEMO_USER["given_name"]
    assert claims["family_name"] == DEMO_USER["family_name"]
    assert claims["phone_number"] == DEMO_USER["phone_number"]


def test_code_is_single_use(client):
    """Checklist 13: LivePerson can redeem a code once."""
    code = ask(client, login(client)).json["code"]
    assert redeem(client, code).status_code == 200
    again = redeem(client, code)
    assert again.status_code == 400
    assert again.json["error"] == "invalid_grant"


def test_codes_are_distinct(client):
    """Checklist 11: every request gets a fresh high-entropy code."""
    token = login(client)
    codes = {ask(client, token).json["code"] for _ in range(5)}
    assert len(codes) == 5
    assert all(len(code) >= 22 for code in codes)  # >= 128 bits in base64url
