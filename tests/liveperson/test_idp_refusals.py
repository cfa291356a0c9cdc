"""Each of LivePerson's error numbers the IdP answers when the brand gets something wrong, with
the failed check's id and a reason: the stand-in against a brand with one deliberate fault
(tests/checker/broken_brand.py), one that never answers, and a token signed with a key the
brand does not publish."""

from __future__ import annotations

import socket
import time
from collections.abc import Callable
from contextlib import AbstractContextManager
from pathlib import Path

import jwt
import pytest
import requests
from cryptography.hazmat.primitives.asymmetric import rsa

from tests.checker import broken_brand
from tests.support import servers
from tests.support.consumer import idp
from tests.support.servers import LiveServer


def brand_code(brand: broken_brand.RunningBrand) -> str:
    """A code from the brand's app API, as the brand's app would hand it to the SDK."""
    login = {"email": broken_brand.EMAIL, "password": broken_brand.PASSWORD}
    session = requests.post(f"{brand.issuer}/api/session", json=login, timeout=10).json()["session_token"]
    issued = requests.post(f"{brand.issuer}/api/liveperson/code", timeout=10,
                           headers={"Authorization": f"Bearer {session}"})
    return str(issued.json()["code"])


def refused(standin: LiveServer, auth_code: str, status: int = 401) -> dict[str, str]:
    answer = idp(standin, "authenticate", authCode=auth_code, redirect_uri=broken_brand.REDIRECT_URI)
    assert answer.status_code == status, answer.text
    body = answer.json()
    assert set(body) == {"internalErrorCode", "error", "message", "check"}
    assert body["message"].endswith(".")
    return dict(body)


Start = Callable[..., AbstractContextManager[LiveServer]]


@pytest.fixture
def standin_for(tmp_path: Path) -> Start:
    """Starts a stand-in for the broken brand's client, at `issuer`, with extra options."""
    def start(issuer: str, *options: str) -> AbstractContextManager[LiveServer]:
        return servers.standin(tmp_path, issuer, *options, client_id=broken_brand.CLIENT_ID,
                               client_secret=broken_brand.CLIENT_SECRET)
    return start


@pytest.mark.parametrize(
    ("fault", "number", "check"),
    [
        ("expired", "1012", "id-token-times"),
        ("no-kid", "1042", "id-token-kid"),
        ("sdes-object", "1026", "lp-sdes"),
        ("hs256", "9007", "id-token-alg"),
        ("wrong-iss", None, "id-token-iss"),
    ],
)
def test_a_faulty_brand_gets_livepersons_number_and_the_check(standin_for, fault, number, check):
    with broken_brand.serve(fault) as brand, standin_for(brand.issuer) as standin:
        body = refused(standin, brand_code(brand))
    assert (body["internalErrorCode"], body["check"]) == (number, check)


def test_a_kid_the_brand_does_not_publish_is_1041(standin_for):
    with broken_brand.serve() as brand, standin_for(brand.issuer) as standin:
        stranger = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        now = int(time.time())
        claims = {"iss": brand.issuer, "sub": "someone", "iat": now, "exp": now + 300}
        token = jwt.encode(claims, stranger, algorithm="RS256", headers={"kid": "not-published"})
        body = refused(standin, token)
    assert (body["internalErrorCode"], body["check"]) == ("1041", "id-token-kid")
    assert "not-published" in body["message"]


def test_a_brand_that_does_not_answer_is_9013(standin_for):
    with socket.create_server(("127.0.0.1", 0)) as silent, broken_brand.serve() as brand:
        endpoint = f"http://127.0.0.1:{silent.getsockname()[1]}/token"
        options = ("--token-endpoint", endpoint, "--jwks-uri", brand.issuer + "/jwks", "--timeout", "1")
        with standin_for(brand.issuer, *options) as standin:
            started = time.monotonic()
            body = refused(standin, "a-code")
            assert time.monotonic() - started < 5
    assert (body["internalErrorCode"], body["check"]) == ("9013", "token-exchange")


def test_an_answer_without_end_is_read_to_the_bound_and_refused(standin_for):
    """The brand's userinfo never ends its body: the stand-in reads 1 MiB of it, and says so."""
    with broken_brand.serve("endless-userinfo") as brand, standin_for(brand.issuer, "--userinfo") as standin:
        started = time.monotonic()
        body = refused(standin, brand_code(brand))
        assert time.monotonic() - started < 10
    assert (body["internalErrorCode"], body["check"]) == ("9011", "userinfo")
    assert "larger than 1048576 bytes" in body["message"]
