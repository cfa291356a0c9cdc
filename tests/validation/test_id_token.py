"""LivePerson's id_token checks, each with the token a broken brand would send."""

from __future__ import annotations

import base64
import json
import time
from typing import Any

import pytest
from cryptography.hazmat.primitives import hashes, hmac, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPublicKey

from shared.validation import id_token
from shared.validation.brand_keys import PastedPublicKey
from shared.validation.errors import ValidationFailure

ISSUER = "https://brand.example"
KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
OTHER_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def spki(key: rsa.RSAPrivateKey) -> str:
    der = key.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return base64.b64encode(der).decode()


def claims(**changes: Any) -> dict[str, Any]:
    now = int(time.time())
    values = {"iss": ISSUER, "sub": "customer-1", "iat": now, "exp": now + 3600, **changes}
    return {name: value for name, value in values.items() if value is not None}


def sign(
    payload: dict[str, Any],
    *,
    alg: str = "RS256",
    key: rsa.RSAPrivateKey = KEY,
    kid: str | None = "k1",
    secret: bytes = b"",
) -> str:
    header = {"alg": alg, "typ": "JWT", **({"kid": kid} if kid else {})}
    signing_input = f"{b64(json.dumps(header).encode())}.{b64(json.dumps(payload).encode())}"
    if alg == "RS256":
        signature = key.sign(signing_input.encode(), padding.PKCS1v15(), hashes.SHA256())
    elif alg == "HS256":
        mac = hmac.HMAC(secret, hashes.SHA256())
        mac.update(signing_input.encode())
        signature = mac.finalize()
    else:
        signature = b""
    return f"{signing_input}.{b64(signature)}"


class OneKey:
    """A brand key source holding one public key, as a pasted console key does."""

    def __init__(self, key: RSAPublicKey) -> None:
        self.key = key

    def key_for(self, kid: str | None) -> RSAPublicKey:
        return self.key


def validate(token: str, keys: Any = None) -> dict[str, Any]:
    _, payload = id_token.verify_signature(token, keys or OneKey(KEY.public_key()))
    id_token.check_issuer(payload, ISSUER)
    id_token.check_times(payload, now=int(time.time()), skew=30)
    id_token.check_subject(payload)
    return payload


def failure(token: str, keys: Any = None) -> ValidationFailure:
    with pytest.raises(ValidationFailure) as raised:
        validate(token, keys)
    return raised.value


def test_a_good_token_passes_with_a_pasted_spki_key():
    assert validate(sign(claims()), PastedPublicKey(spki(KEY)))["sub"] == "customer-1"


@pytest.mark.parametrize(("alg", "word"), [("HS256", "HS256"), ("none", "not signed"), ("RS512", "RS512")])
def test_only_rs256_is_accepted(alg, word):
    # HS256 keyed with the public key's bytes: the classic algorithm-confusion forgery.
    public_pem = KEY.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    error = failure(sign(claims(), alg=alg, secret=public_pem))
    assert error.check == "id-token-alg"
    assert word in error.message and "RS256 only" in error.message
    assert error.error.code == "9007"


def test_a_token_signed_by_another_key_is_a_key_mismatch():
    error = failure(sign(claims(), key=OTHER_KEY))
    assert (error.check, error.error.code) == ("id-token-alg", "9007")
    assert "key mismatch" in error.message


def test_a_tampered_payload_fails_the_signature():
    header, _, signature = sign(claims()).split(".")
    forged = b64(json.dumps(claims(sub="someone-else")).encode())
    assert failure(f"{header}.{forged}.{signature}").error.code == "9007"


# Times relative to the moment the test runs, not to collection: the suite takes minutes.
@pytest.mark.parametrize(
    ("changes", "check", "word"),
    [
        (lambda now: {"iss": ISSUER + "/"}, "id-token-iss", "exactly"),
        (lambda now: {"iss": ISSUER.upper()}, "id-token-iss", "exactly"),
        (lambda now: {"exp": (now + 3600) * 1000}, "id-token-times", "milliseconds"),
        (lambda now: {"iat": now * 1000}, "id-token-times", "milliseconds"),
        (lambda now: {"exp": str(now + 3600)}, "id-token-times", "string"),
        (lambda now: {"exp": now + 3600.5}, "id-token-times", "integer"),
        (lambda now: {"exp": None}, "id-token-times", "missing"),
        (lambda now: {"exp": now - 120}, "id-token-times", "expired"),
        (lambda now: {"iat": now + 600}, "id-token-times", "future"),
        (lambda now: {"sub": None}, "id-token-sub", "sub"),
        (lambda now: {"sub": ""}, "id-token-sub", "sub"),
    ],
)
def test_claims_liveperson_rejects(changes, check, word):
    error = failure(sign(claims(**changes(int(time.time())))))
    assert error.check == check
    assert word in error.message


def test_expiry_tolerates_the_configured_skew():
    payload = claims(exp=int(time.time()) - 10)
    id_token.check_times(payload, now=int(time.time()), skew=30)
    with pytest.raises(ValidationFailure) as raised:
        id_token.check_times(payload, now=int(time.time()), skew=0)
    assert raised.value.error.code == "1012"


@pytest.mark.parametrize("token", ["not-a-jwt", "a.b", "a.b.c.d", "e30.!!!.sig"])
def test_malformed_tokens_are_input_validation_errors(token):
    assert failure(token).error.code == "9012"


def test_a_pasted_key_must_be_one_line_rsa_spki():
    with pytest.raises(ValueError, match="without the -----BEGIN"):
        PastedPublicKey("-----BEGIN PUBLIC KEY-----\nabc\n-----END PUBLIC KEY-----")
    with pytest.raises(ValueError, match="base64"):
        PastedPublicKey("not base64 at all!")
