"""Whatever any web page posts to the stand-in's IdP, it answers in LivePerson's format
(`internalErrorCode`, the error's name, a reason and the failed check), never with a 500, and
keeps serving. The brand's code and its JWT both come as `authCode`, told apart by form: text that
is not a JOSE object is a code, which the brand's token endpoint refuses (9011)."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from joserfc import jwe
from joserfc.jwk import RSAKey

from shared.validation.jwe import EncryptionKeyPair
from tests.liveperson.test_standin import ACCOUNT, TIMEOUT, app_login, authenticate, jwt_for
from tests.support import servers
from tests.support.servers import LiveServer

KEYS = EncryptionKeyPair.generate()
CLAIMS = '{"iss": "x", "sub": "c-1", "iat": 1, "exp": 2}'


def b64(data: str | bytes) -> str:
    raw = data.encode() if isinstance(data, str) else data
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def encrypted(plaintext: bytes) -> str:
    registry = jwe.JWERegistry(algorithms=["RSA-OAEP-256", "A256GCM"])
    protected = {"alg": "RSA-OAEP-256", "enc": "A256GCM", "kid": KEYS.kid}
    return jwe.encrypt_compact(protected, plaintext, RSAKey.import_key(KEYS.public_pem()), registry=registry)


def headed(header: str) -> str:
    """A JWE for the stand-in's key with another protected header."""
    return ".".join([b64(header), *encrypted(b"a.b.c").split(".")[1:]])


@pytest.fixture(scope="module")
def standin(live_backend: LiveServer, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    with servers.standin(tmp_path_factory.mktemp("hostile"), live_backend.url) as server:
        yield server


@pytest.fixture(scope="module")
def jwe_standin(live_backend: LiveServer, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    folder: Path = tmp_path_factory.mktemp("hostile_jwe")
    (folder / "jwe-key.pem").write_bytes(KEYS.private_pem())
    with servers.standin(folder, live_backend.url, "--flow", "implicit", "--jwe") as server:
        yield server


def post(standin: LiveServer, body: bytes) -> requests.Response:
    return requests.post(
        f"{standin.url}/api/account/{ACCOUNT}/authenticate",
        data=body,
        headers={"Content-Type": "application/json"},
        timeout=TIMEOUT,
    )


def assert_livepersons_error(response: requests.Response, status: int, code: str) -> str:
    assert response.status_code == status, response.text[:300]
    answer = response.json()
    assert answer["internalErrorCode"] == code, answer
    assert answer["error"] and answer["message"] and answer["check"]
    return answer["message"]


@pytest.mark.parametrize(
    ("body", "said"),
    [
        (b"[" * 100_000 + b"]" * 100_000, "nests deeper"),
        (b'{"authCode":' * 18_000 + b'"x"' + b"}" * 18_000, "nests deeper"),  # within the size limit
        (b'["authCode", "a.b.c"]', "not a JSON object"),
        (b'"a.b.c"', "not a JSON object"),
        (b"null", "not a JSON object"),
        (b"", "not JSON"),
        (b'{"authCode": "a.b.c"', "not JSON"),
        (b'{"authCode": "\xff\xfe"}', "UTF-8"),
        (b'{"authCode": "\\ud800", "redirect_uri": "https://liveperson.net"}', "surrogate"),
        (b'{"authCode": "abc\\u0000def"}', "printable ASCII"),
        (b'{"authCode": "abc", "redirect_uri": "https://x\\u001b[2J"}', "printable ASCII"),
        (b'{"authCode": "a.b.c", "authCode": "d.e.f"}', "repeats"),
        (b'{"authCode": NaN}', "NaN"),
        (b'{"authCode": ["x"]}', "must be a string"),
        (b'{"jwt": "a.b.c"}', "authCode"),
    ],
)
def test_a_hostile_body_is_an_input_validation_error(standin, body, said):
    message = assert_livepersons_error(post(standin, body), 400, "9012")
    assert said.lower() in message.lower(), message


def test_a_body_too_large_is_refused_and_the_stand_in_keeps_serving(standin):
    assert_livepersons_error(post(standin, b'{"authCode": "' + b"a" * 300_000 + b'"}'), 413, "9012")
    assert requests.get(f"{standin.url}/api/config", timeout=TIMEOUT).status_code == 200


def jws(header: str | bytes, claims: str = CLAIMS, signature: str = "c2ln") -> str:
    return f"{b64(header)}.{b64(claims)}.{signature}"


RS256 = '{"alg": "RS256"}'


@pytest.mark.parametrize(
    ("token", "said"),
    [
        (jws(RS256, "[]"), "claims is a JSON array"),
        (jws(RS256, '{"sub": "\\udfff"}'), "surrogate"),
        (jws('{"alg": "RS256", "kid": ' + "[" * 5000 + "]" * 5000 + "}"), "header nests deeper"),
    ],
)
def test_a_jws_that_cannot_be_read_is_9012(standin, token, said):
    message = assert_livepersons_error(authenticate(standin, authCode=token), 401, "9012")
    assert said in message, message


@pytest.mark.parametrize(
    "token",
    [
        jws("[1]"),
        jws("[" * 5000 + "]" * 5000),
        jws("{" * 3000),
        "e30!." + jws(RS256).split(".", 1)[1],
        jws(bytes([0xC3, 0x28])),
        headed("[1]"),
        headed("[" * 5000),
    ],
)
def test_what_is_no_jose_object_is_a_code_the_brand_refuses(standin, token):
    """Its first part does not decode to a JSON object with `alg`, so it is no JWS or JWE: the IdP
    takes it for a code, and the brand's token endpoint refuses it."""
    message = assert_livepersons_error(authenticate(standin, authCode=token), 401, "9011")
    assert message.startswith("The brand rejected the code"), message


@pytest.mark.parametrize(
    ("token", "code", "said"),
    [
        (headed('{"alg": "RSA-OAEP-256", "enc": "A256GCM", "crit": 5}'), "1004", "does not decrypt"),
        (encrypted(b"\xff\xfe"), "9012", "not text"),
        (encrypted(jws("[" * 5000).encode()), "9012", "header nests deeper"),
    ],
)
def test_a_jwe_that_cannot_be_read_is_livepersons_error(jwe_standin, token, code, said):
    message = assert_livepersons_error(authenticate(jwe_standin, authCode=token), 401, code)
    assert said in message, message


def test_after_all_that_a_real_token_still_authenticates(live_backend, standin):
    response = authenticate(standin, authCode=jwt_for(live_backend, app_login(live_backend)))
    assert response.status_code == 200, response.text
    assert json.loads(requests.get(f"{standin.url}/api/exchanges", timeout=TIMEOUT).text)["exchanges"]
