"""The code flow with PKCE driven by Authlib, a client library this project did not write,
against the real gunicorn server: discovery, HTML login, authorize, token, id_token, userinfo."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

# Authlib's own authlib.jose (and jwt.decode) emits AuthlibDeprecationWarning on import, which
# the project's filterwarnings=error would turn into a failure. So the signature is verified with
# PyJWT, as LivePerson's side of this project verifies it, and the claims with Authlib's OIDC
# CodeIDToken, which warns about nothing.
import jwt
import pytest
import requests
from authlib.common.security import generate_token
from authlib.integrations.requests_client import OAuth2Session, OAuthError
from authlib.oidc.core import CodeIDToken

from tests.support.http_api import (
    CLIENT_ID,
    CLIENT_SECRET,
    TIMEOUT,
    fetch_key,
    html_login,
)

REDIRECT_URI = "https://liveperson.net/oauth2/code_redirect"


def discover(base: str) -> dict[str, str]:
    response = requests.get(f"{base}/.well-known/openid-configuration", timeout=TIMEOUT)
    assert response.status_code == 200, response.text
    return response.json()


def run_code_flow(live_backend, auth_method: str) -> None:
    metadata = discover(live_backend.url)
    assert metadata["issuer"] == live_backend.url
    assert auth_method in metadata["token_endpoint_auth_methods_supported"]

    with requests.Session() as browser, OAuth2Session(
        CLIENT_ID, CLIENT_SECRET, scope="openid profile email", redirect_uri=REDIRECT_URI,
        token_endpoint_auth_method=auth_method, code_challenge_method="S256",
    ) as client:
        login = html_login(browser, f"{live_backend.url}/login")
        assert login.status_code == 303, login.text

        verifier = generate_token(64)
        nonce = generate_token(24)
        url, state = client.create_authorization_url(
            metadata["authorization_endpoint"], code_verifier=verifier, nonce=nonce
        )
        assert "code_challenge=" in url
        answer = browser.get(url, allow_redirects=False, timeout=TIMEOUT)
        assert answer.status_code == 302, answer.text
        location = answer.headers["Location"]
        assert location.startswith(REDIRECT_URI + "?")
        assert parse_qs(urlsplit(location).query)["state"] == [state]

        # Authlib parses the code out of the redirect and checks the state itself.
        token = client.fetch_token(
            metadata["token_endpoint"], authorization_response=location, code_verifier=verifier
        )
        assert token["token_type"] == "Bearer"

        # The signature only: Authlib judges the claims below.
        decoded = jwt.decode_complete(token["id_token"], fetch_key(live_backend.url, token["id_token"]),
                                      algorithms=["RS256"], options={"verify_aud": False})
        claims = CodeIDToken(
            decoded["payload"], decoded["header"],
            options={"iss": {"essential": True, "value": metadata["issuer"]},
                     "aud": {"essential": True, "value": CLIENT_ID},
                     "exp": {"essential": True}},
            params={"nonce": nonce, "client_id": CLIENT_ID},
        )
        claims.validate()  # iss, aud, exp/iat, nonce, auth_time, azp
        assert claims["nonce"] == nonce
        assert isinstance(claims["exp"], int) and isinstance(claims["iat"], int)

        info = client.get(metadata["userinfo_endpoint"], timeout=TIMEOUT)
        assert info.status_code == 200, info.text
        assert info.json()["sub"] == claims["sub"]


def test_authlib_code_flow_with_pkce_and_client_secret_basic(live_backend):
    """client_secret_basic + S256: the id_token validates and userinfo names the same sub."""
    run_code_flow(live_backend, "client_secret_basic")


def test_authlib_code_flow_with_pkce_and_client_secret_post(live_backend):
    """client_secret_post + S256: the same flow with the credentials in the body."""
    run_code_flow(live_backend, "client_secret_post")


def test_authlib_token_request_with_wrong_verifier_is_refused(live_backend):
    """A verifier that does not match the challenge makes Authlib raise invalid_grant."""
    metadata = discover(live_backend.url)
    with requests.Session() as browser, OAuth2Session(
        CLIENT_ID, CLIENT_SECRET, scope="openid", redirect_uri=REDIRECT_URI,
        token_endpoint_auth_method="client_secret_basic", code_challenge_method="S256",
    ) as client:
        assert html_login(browser, f"{live_backend.url}/login").status_code == 303
        url, _ = client.create_authorization_url(
            metadata["authorization_endpoint"], code_verifier=generate_token(64)
        )
        location = browser.get(url, allow_redirects=False, timeout=TIMEOUT).headers["Location"]
        with pytest.raises(OAuthError) as refused:
            client.fetch_token(metadata["token_endpoint"], authorization_response=location,
                               code_verifier=generate_token(64))
        assert refused.value.error == "invalid_grant"
