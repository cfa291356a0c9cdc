"""Whatever a token holds, LivePerson's validation answers with its own error (9012 for a JWS it
cannot read, 1004 for a JWE), never with a Python exception that the stand-in would turn into
a 500."""

from __future__ import annotations

import base64
import json
import time

import pytest
from joserfc import jwe
from joserfc.jwk import RSAKey

from shared.validation import id_token
from shared.validation.errors import ValidationFailure
from shared.validation.jwe import EncryptionKeyPair
from shared.validation.safe_json import SEGMENT_LIMIT, JsonRejected, b64url_json_object, loads

KEYS = EncryptionKeyPair.generate()
REGISTRY = jwe.JWERegistry(algorithms=["RSA-OAEP-256", "A256GCM"])
JWE_HEADER = {"alg": "RSA-OAEP-256", "enc": "A256GCM", "kid": KEYS.kid}


def b64(data: bytes | str) -> str:
    raw = data.encode() if isinstance(data, str) else data
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


HEADER = b64('{"alg": "RS256", "kid": "k1"}')
CLAIMS = b64('{"iss": "https://brand.example", "sub": "c-1"}')
DEEP_ARRAY = "[" * 5000 + "]" * 5000
DEEP_OBJECT = '{"a":' * 5000 + "1" + "}" * 5000


def encrypted(plaintext: bytes) -> str:
    public = RSAKey.import_key(KEYS.public_pem())
    return jwe.encrypt_compact(JWE_HEADER, plaintext, public, registry=REGISTRY)


def jws(header: str, claims: str = CLAIMS, signature: str = "c2ln") -> str:
    return f"{header}.{claims}.{signature}"


@pytest.mark.parametrize(
    ("token", "part", "why"),
    [
        (jws(b64("[1, 2]")), "header", "JSON array"),
        (jws(b64(DEEP_ARRAY)), "header", "nests deeper"),
        (jws(b64(DEEP_OBJECT)), "header", "nests deeper"),
        (jws("e30!"), "header", "base64url"),
        (jws("e30="), "header", "base64url"),
        (jws("\u00e930"), "header", "base64url"),
        (jws(b64(b"\xff\xfe{}")), "header", "UTF-8"),
        (jws(b64('{"alg": "none", "alg": "RS256"}')), "header", "repeats"),
        (jws(HEADER, b64("[]")), "claims", "JSON array"),
        (jws(HEADER, b64('"sub"')), "claims", "JSON string"),
        (jws(HEADER, b64('{"exp": NaN}')), "claims", "NaN"),
        (jws(HEADER, b64('{"exp": 1e400}')), "claims", "Infinity"),
        (jws(HEADER, b64('{"sub": "\\ud800"}')), "claims", "surrogate"),
        (jws(HEADER, b64('{"sub": 1' + "0" * 5000 + "}")), "claims", "not JSON"),
        (jws(HEADER, b64('{"sub": "' + "x" * SEGMENT_LIMIT + '"}')), "claims", "larger"),
        (jws(HEADER, CLAIMS, "c2ln*"), "signature", "base64url"),
    ],
)
def test_a_jws_that_cannot_be_read_is_an_input_validation_error(token: str, part: str, why: str):
    with pytest.raises(ValidationFailure) as failed:
        id_token.parse(token)
    assert failed.value.check == "id-token-alg"
    assert failed.value.error.code == "9012"
    assert f"The token's {part}" in failed.value.message
    assert why.lower() in failed.value.message.lower(), failed.value.message


@pytest.mark.parametrize(
    ("header", "why"),
    [
        ("[1, 2]", "JSON array"),
        (DEEP_ARRAY, "nests deeper"),
        ('"RSA-OAEP-256"', "JSON string"),
        (json.dumps({**JWE_HEADER, "crit": 5}), "does not decrypt"),
    ],
)
def test_a_jwe_whose_header_cannot_be_read_fails_to_decrypt(header: str, why: str):
    token = ".".join([b64(header), *encrypted(b"a.b.c").split(".")[1:]])
    with pytest.raises(ValidationFailure) as failed:
        KEYS.decrypt(token)
    assert failed.value.error.code == "1004"
    assert why.lower() in failed.value.message.lower(), failed.value.message


def test_a_jwe_holding_bytes_that_are_not_text_is_refused():
    with pytest.raises(ValidationFailure) as failed:
        KEYS.decrypt(encrypted(b"\xff\xfe\x00"))
    assert failed.value.error.code == "9012"
    assert "not text" in failed.value.message


def test_a_sound_segment_still_decodes():
    assert b64url_json_object(b64('{"alg": "RS256", "lp_sdes": [{"info": {"a": [1]}}]}'))["alg"] == "RS256"
    loads(b"[" * 32 + b"]" * 32, limit=100)  # 32 levels are allowed
    assert loads(b'{"a": "[[[[", "b": "\\"{{"}', limit=100, max_depth=1) == {"a": "[[[[", "b": '"{{'}
    with pytest.raises(JsonRejected):
        loads(b"[" * 33 + b"]" * 33, limit=100)


def test_reading_hostile_json_takes_linear_time():
    """A request body of quotes and escaped quotes once took minutes to scan (each quote restarted
    a scan to the end); the stand-in reads up to 256 KiB of it per request."""
    hostile = b'"' + b'\\"' * 128 * 1024
    started = time.monotonic()
    with pytest.raises(JsonRejected):
        loads(hostile, limit=len(hostile))
    assert time.monotonic() - started < 2
