"""The brand's keys as LivePerson selects them from a JWKS (by `kid`), and what PyJWT refuses in a
header, each answered with LivePerson's error."""

from __future__ import annotations

import json
from types import SimpleNamespace
from typing import Any

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from jwt.algorithms import RSAAlgorithm

from shared.validation import brand_keys, id_token
from shared.validation.brand_keys import JwksKeys
from shared.validation.errors import ValidationFailure
from tests.validation.test_id_token import KEY, OTHER_KEY, b64, claims, sign

URL = "https://brand.example/oauth2/v3/certs"


def jwk(key: rsa.RSAPrivateKey, kid: str | None, **extra: Any) -> dict[str, Any]:
    public = RSAAlgorithm.to_jwk(key.public_key(), as_dict=True)
    return {"kty": "RSA", "n": public["n"], "e": public["e"], **({"kid": kid} if kid else {}), **extra}


@pytest.fixture
def published(monkeypatch: pytest.MonkeyPatch) -> list[list[dict[str, Any]]]:
    """The JWKS documents the brand serves, one per fetch (the last one from then on)."""
    documents: list[list[dict[str, Any]]] = []

    def request(method: str, url: str, timeout: float) -> Any:
        keys = documents.pop(0) if len(documents) > 1 else documents[0]
        return SimpleNamespace(status_code=200, content=json.dumps({"keys": keys}).encode())

    monkeypatch.setattr(brand_keys.brand_http, "request", request)
    return documents


def signed_with_header(header: dict[str, Any]) -> str:
    """An RS256 token with exactly `header`, which PyJWT itself would refuse to write."""
    signing_input = f"{b64(json.dumps(header).encode())}.{b64(json.dumps(claims()).encode())}"
    signature = KEY.sign(signing_input.encode(), padding.PKCS1v15(), hashes.SHA256())
    return f"{signing_input}.{b64(signature)}"


def failure(token: str) -> ValidationFailure:
    with pytest.raises(ValidationFailure) as raised:
        id_token.verify_signature(token, JwksKeys(URL, timeout=1))
    return raised.value


def test_the_kid_selects_the_key(published):
    published.append([jwk(OTHER_KEY, "k0"), jwk(KEY, "k1")])
    _, payload = id_token.verify_signature(sign(claims()), JwksKeys(URL, timeout=1))
    assert payload["sub"] == "customer-1"


def test_a_rotated_key_is_found_by_fetching_again(published):
    published.extend([[jwk(OTHER_KEY, "k0")], [jwk(OTHER_KEY, "k0"), jwk(KEY, "k1")]])
    keys = JwksKeys(URL, timeout=1)
    keys.fetch()
    assert id_token.verify_signature(sign(claims()), keys)[0]["kid"] == "k1"


def test_an_unknown_kid_is_not_found(published):
    published.append([jwk(KEY, "k0")])
    error = failure(sign(claims()))
    assert (error.check, error.error.name) == ("id-token-kid", "JWK kid was not found")


def test_several_keys_and_no_kid(published):
    published.append([jwk(KEY, "k1"), jwk(OTHER_KEY, "k2")])
    error = failure(sign(claims(), kid=None))
    assert error.error.name == "Multiple JWK without kid header"


def test_one_key_and_no_kid_verifies(published):
    published.append([jwk(KEY, None)])
    assert id_token.verify_signature(sign(claims(), kid=None), JwksKeys(URL, timeout=1))


@pytest.mark.parametrize("broken", [{"n": "!!"}, {"n": 5}, {"e": ""}, {"n": None}])
def test_a_key_that_is_not_rsa_is_named(published, broken):
    published.append([{**jwk(KEY, "k1"), **broken}])
    error = failure(sign(claims()))
    assert (error.check, error.error.code) == ("jwks", "9012")
    assert "JWKS key 'k1' is not a valid RSA key" in error.message


def test_private_members_in_the_jwks_are_ignored(published):
    """Only the public members are read: a JWKS that leaks `d` still verifies, and the numbers a
    brand sent are never used as a private key."""
    published.append([jwk(KEY, "k1", d="AQAB", p="AQAB", q="AQAB")])
    assert id_token.verify_signature(sign(claims()), JwksKeys(URL, timeout=1))


@pytest.mark.parametrize(
    ("header", "said"),
    [
        ({"alg": "RS256", "kid": 5}, "Key ID header parameter must be a string"),
        ({"alg": "RS256", "kid": "k1", "crit": ["exp"], "exp": 1}, "Unsupported critical extension"),
    ],
)
def test_a_header_pyjwt_refuses_is_an_input_validation_error(published, header, said):
    published.append([jwk(KEY, "k1")])
    error = failure(signed_with_header(header))
    assert (error.check, error.error.code) == ("id-token-alg", "9012")
    assert said in error.message
