"""`POST /api/liveperson/jwt`: the id_token the app hands to the SDK (implicit flow), signed
RS256 and, when LivePerson's key is configured, encrypted as a nested JWE."""

from __future__ import annotations

import base64
import json
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from joserfc import jwe
from joserfc.jwk import RSAKey

from tests.support.backend_app import (
    CLIENT_ID,
    ISSUER,
    bearer,
    login,
    make_app,
    snapshot,
    verify_id_token,
)

JWT = "/api/liveperson/jwt"
ENCRYPTIONS = ["A256GCM", "A128CBC-HS256"]


def get_jwt(client, **kwargs: Any):
    response = client.post(JWT, headers=bearer(login(client)), **kwargs)
    assert response.status_code == 200, response.data
    return response.json


@pytest.fixture(scope="module")
def liveperson_key() -> rsa.RSAPrivateKey:
    """LivePerson's encryption key pair; the backend only ever sees the public half."""
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def public_pem(private: Any) -> str:
    return private.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    ).decode()


def public_spki_line(private: Any) -> str:
    """The form LivePerson's console shows: base64 SPKI, no header, one line."""
    der = private.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return base64.b64encode(der).decode()


def segment(part: str) -> dict[str, Any]:
    return json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))


# -- signed ----------------------------------------------------------------------------


def test_signed_id_token(client):
    """LivePerson contract: RS256 with kid, iss = issuer, aud = client id, sub, integer iat/exp."""
    body = get_jwt(client)
    token = body["id_token"]
    assert token.count(".") == 2
    header = jwt.get_unverified_header(token)
    assert header["alg"] == "RS256"
    assert header["kid"]
    claims = verify_id_token(client, token)
    assert claims["iss"] == ISSUER
    assert claims["aud"] == CLIENT_ID
    me = client.get("/api/me").json
    assert claims["sub"] == me["sub"]
    assert type(claims["iat"]) is int
    assert type(claims["exp"]) is int
    assert claims["exp"] - claims["iat"] == 3600
    assert body["expires_in"] == 3600
    assert isinstance(claims["lp_sdes"], list)


def test_lifetime_follows_id_token_lifetime(tmp_path):
    """exp - iat and expires_in both equal BACKEND_ID_TOKEN_LIFETIME."""
    client = make_app(tmp_path, ID_TOKEN_LIFETIME=900).test_client()
    body = get_jwt(client)
    claims = verify_id_token(client, body["id_token"])
    assert claims["exp"] - claims["iat"] == 900
    assert body["expires_in"] == 900


def test_iat_is_in_seconds_not_milliseconds(client):
    """LivePerson rejects millisecond timestamps: iat is a 10-digit epoch second count."""
    claims = verify_id_token(client, get_jwt(client)["id_token"])
    assert 10**9 < claims["iat"] < 10**10


def test_logged_out_gets_401_json(app, client):
    """No login, no token: 401 JSON (not a redirect to the login page), nothing written."""
    before = snapshot(app)
    response = client.post(JWT)
    assert response.status_code == 401
    assert response.is_json
    assert response.json["error"] == "login_required"
    assert snapshot(app) == before


def test_bad_body_is_400_json(client):
    """The body, when sent, must be a JSON object."""
    response = client.post(JWT, data="[1]", content_type="application/json",
                           headers=bearer(login(client)))
    assert response.status_code == 400
    assert response.json["error"] == "invalid_request"


# -- encrypted -------------------------------------------------------------------------


@pytest.mark.parametrize("enc", ENCRYPTIONS)
@pytest.mark.parametrize("key_format", [public_pem, public_spki_line])
def test_nested_jwe(tmp_path, liveperson_key, enc, key_format):
    """LivePerson contract: sign, then encrypt (RSA-OAEP-256, enc, cty JWT, LivePerson's kid);
    the private key decrypts it to a JWT that verifies against the JWKS."""
    client = make_app(
        tmp_path,
        LIVEPERSON_JWE_PUBLIC_KEY=key_format(liveperson_key),
        LIVEPERSON_JWE_KID="lp-key-1",
        LIVEPERSON_JWE_ENC=enc,
    ).test_client()
    body = get_jwt(client)
    token = body["id_token"]
    parts = token.split(".")
    assert len(parts) == 5
    header = segment(parts[0])
    assert header["alg"] == "RSA-OAEP-256"
    assert header["enc"] == enc
    assert header["cty"] == "JWT"
    assert header["kid"] == "lp-key-1"

    private = RSAKey.import_key(liveperson_key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ))
    inner = jwe.decrypt_compact(token, private, algorithms=["RSA-OAEP-256", enc])
    signed = inner.plaintext.decode()
    assert signed.count(".") == 2
    claims = verify_id_token(client, signed)
    assert claims["iss"] == ISSUER
    assert claims["aud"] == CLIENT_ID
    assert claims["exp"] - claims["iat"] == body["expires_in"]


def test_nested_jwe_without_kid(tmp_path, liveperson_key):
    """Without LIVEPERSON_JWE_KID the JWE header carries no kid (not an empty one)."""
    client = make_app(tmp_path, LIVEPERSON_JWE_PUBLIC_KEY=public_pem(liveperson_key)).test_client()
    header = segment(get_jwt(client)["id_token"].split(".")[0])
    assert "kid" not in header
    assert header["enc"] == "A256GCM"


def test_other_key_cannot_decrypt(tmp_path, liveperson_key):
    """The token is encrypted to LivePerson's key, so nobody else can read it."""
    client = make_app(tmp_path, LIVEPERSON_JWE_PUBLIC_KEY=public_pem(liveperson_key)).test_client()
    token = get_jwt(client)["id_token"]
    stranger = RSAKey.generate_key(2048, private=True)
    with pytest.raises(Exception):  # noqa: B017 (joserfc raises its own DecodeError family)
        jwe.decrypt_compact(token, stranger, algorithms=["RSA-OAEP-256", "A256GCM"])


def ec_public_pem() -> str:
    return public_pem(ec.generate_private_key(ec.SECP256R1()))


@pytest.mark.parametrize("key", [
    "not a key",
    "aGVsbG8gd29ybGQ=",  # base64, but not SPKI
    "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n",
    "ec",  # an EC public key: a real key, but not RSA
])
def test_invalid_jwe_key_stops_the_start(tmp_path, key):
    """A bad LIVEPERSON_JWE_PUBLIC_KEY stops create_app with a message naming the variable."""
    if key == "ec":
        key = ec_public_pem()
    with pytest.raises(SystemExit) as stopped:
        make_app(tmp_path, LIVEPERSON_JWE_PUBLIC_KEY=key)
    assert "BACKEND_LIVEPERSON_JWE_PUBLIC_KEY" in str(stopped.value.code)


@pytest.mark.parametrize("enc", ["A128GCM", "a256gcm", "RSA-OAEP-256", ""])
def test_invalid_jwe_enc_stops_the_start(tmp_path, liveperson_key, enc):
    """An unsupported LIVEPERSON_JWE_ENC stops create_app and lists the supported values."""
    with pytest.raises(SystemExit) as stopped:
        make_app(tmp_path, LIVEPERSON_JWE_PUBLIC_KEY=public_pem(liveperson_key),
                 LIVEPERSON_JWE_ENC=enc)
    message = str(stopped.value.code)
    assert "BACKEND_LIVEPERSON_JWE_ENC" in message
    assert all(name in message for name in ENCRYPTIONS)


def test_popout_implicit_flow_is_encrypted_too(tmp_path, liveperson_key):
    """The pop-out window gets its id_token from the authorization endpoint: with LivePerson's
    key configured it must be the same nested JWE, or LivePerson refuses it (1004)."""
    app = make_app(tmp_path, LIVEPERSON_JWE_PUBLIC_KEY=public_pem(liveperson_key))
    client = app.test_client()
    login(client)
    response = client.get("/oauth2/v3/authorize", query_string={
        "response_type": "id_token", "client_id": CLIENT_ID, "scope": "openid", "state": "s",
        "redirect_uri": "http://127.0.0.1:8002/le_unified_window/index.html"})
    fragment = dict(parse_qsl(urlsplit(response.headers["Location"]).fragment))
    assert fragment["state"] == "s"
    assert fragment["id_token"].count(".") == 4
    private = RSAKey.import_key(liveperson_key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
    signed = jwe.decrypt_compact(fragment["id_token"], private,
                                 algorithms=["RSA-OAEP-256", "A256GCM"]).plaintext.decode()
    assert verify_id_token(client, signed)["aud"] == CLIENT_ID
