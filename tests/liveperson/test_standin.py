"""The stand-in authenticates conversations from the real backend over HTTP, as LivePerson does:
code flow (Basic and body credentials, PKCE), implicit flow (JWKS or pasted key, plain or JWE)."""

from __future__ import annotations

import base64
import hashlib
import secrets
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from backend.keys import public_key_spki_base64
from shared.validation.jwe import EncryptionKeyPair
from tests.support import servers
from tests.support.servers import LiveServer

ACCOUNT = "12345678"
TIMEOUT = 15


def app_login(backend: LiveServer) -> dict[str, str]:
    response = requests.post(
        f"{backend.url}/api/session",
        timeout=TIMEOUT,
        json={"email": "demo@example.com", "password": "demo-password"},
    )
    return {"Authorization": f"Bearer {response.json()['session_token']}"}


def customer_id(backend: LiveServer, session: dict[str, str]) -> str:
    return requests.get(f"{backend.url}/api/me", headers=session, timeout=TIMEOUT).json()["sub"]


def code_for(backend: LiveServer, session: dict[str, str], **body: str) -> dict[str, str]:
    response = requests.post(
        f"{backend.url}/api/liveperson/code", json=body, headers=session, timeout=TIMEOUT
    )
    assert response.status_code == 200, response.text
    return response.json()


def jwt_for(backend: LiveServer, session: dict[str, str]) -> str:
    response = requests.post(f"{backend.url}/api/liveperson/jwt", headers=session, timeout=TIMEOUT)
    assert response.status_code == 200, response.text
    return response.json()["id_token"]


def authenticate(standin: LiveServer, **body: str) -> requests.Response:
    return requests.post(f"{standin.url}/api/account/{ACCOUNT}/authenticate", json=body, timeout=TIMEOUT)


@pytest.fixture(scope="module")
def standin(live_backend: LiveServer, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    with servers.standin(tmp_path_factory.mktemp("standin"), live_backend.url) as server:
        yield server


def test_code_flow_is_authenticated_as_the_logged_in_customer(live_backend, standin):
    session = app_login(live_backend)
    issued = code_for(live_backend, session)
    response = authenticate(standin, authCode=issued["code"], redirect_uri=issued["redirect_uri"])
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["sub"] == customer_id(live_backend, session)
    assert body["flow"] == "code"
    assert body["sdes"]["customerInfo"]["ctype"] == "vip"
    assert body["sdes"]["personalInfo"]["lastname"] == "Demo"
    listed = requests.get(f"{standin.url}/api/conversations", timeout=TIMEOUT).json()["conversations"]
    assert body["conversation_id"] in {c["conversation_id"] for c in listed}


def test_a_reused_code_is_refused_with_9011_and_the_brands_reason(live_backend, standin):
    issued = code_for(live_backend, app_login(live_backend))
    assert authenticate(standin, authCode=issued["code"], redirect_uri=issued["redirect_uri"]).ok
    before = requests.get(f"{standin.url}/api/conversations", timeout=TIMEOUT).json()["conversations"]
    again = authenticate(standin, authCode=issued["code"], redirect_uri=issued["redirect_uri"])
    assert again.status_code == 401
    assert again.json()["code"] == "9011"
    assert "invalid_grant" in again.json()["message"]
    after = requests.get(f"{standin.url}/api/conversations", timeout=TIMEOUT).json()["conversations"]
    assert after == before


def test_the_inspector_shows_each_check_and_the_brands_answer(live_backend, standin):
    issued = code_for(live_backend, app_login(live_backend))
    authenticate(standin, authCode=issued["code"], redirect_uri=issued["redirect_uri"])
    authenticate(standin, authCode=issued["code"], redirect_uri=issued["redirect_uri"])
    page = requests.get(f"{standin.url}/inspector", timeout=TIMEOUT).text
    for text in ("id-token-alg", "PASS", "FAIL", "9011", "/oauth2/v3/token", "Basic ***", "lp_sdes"):
        assert text in page, text
    assert "demo-client-secret" not in page  # the client secret is never shown


def test_implicit_flow_with_the_brands_jwks(live_backend, standin):
    session = app_login(live_backend)
    response = authenticate(standin, jwt=jwt_for(live_backend, session))
    assert response.status_code == 200, response.text
    assert response.json()["flow"] == "implicit"
    assert response.json()["sub"] == customer_id(live_backend, session)


def test_a_tampered_jwt_is_refused_with_9007(live_backend, standin):
    header, claims, signature = jwt_for(live_backend, app_login(live_backend)).split(".")
    forged = claims[:-4] + ("AAAA" if not claims.endswith("AAAA") else "BBBB")
    response = authenticate(standin, jwt=f"{header}.{forged}.{signature}")
    assert response.status_code == 401
    assert response.json()["code"] in ("9007", "9012")


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({}, 400),
        ({"jwt": ""}, 400),
        ({"authCode": 5}, 400),
        ({"jwt": "a.b.c", "authCode": "x"}, 400),
        ({"jwt": "a.b.c", "channel": "fax"}, 400),
    ],
)
def test_bad_requests_are_input_validation_errors(standin, body, status):
    response = authenticate(standin, **body)
    assert response.status_code == status
    assert response.json()["code"] == "9012"


def test_another_account_is_not_found(standin):
    response = requests.post(
        f"{standin.url}/api/account/999/authenticate", json={"jwt": "x"}, timeout=TIMEOUT
    )
    assert response.status_code == 404


def test_client_secret_post_and_a_pasted_public_key(live_backend, tmp_path):
    jwks = requests.get(f"{live_backend.url}/oauth2/v3/certs", timeout=TIMEOUT).json()
    pasted = public_key_spki_base64(jwks["keys"][-1])
    with servers.standin(tmp_path, live_backend.url, "--auth-method", "post", "--public-key", pasted) as lp:
        session = app_login(live_backend)
        issued = code_for(live_backend, session)
        assert authenticate(lp, authCode=issued["code"], redirect_uri=issued["redirect_uri"]).ok
        assert authenticate(lp, jwt=jwt_for(live_backend, session)).ok
        exchanges = requests.get(f"{lp.url}/api/exchanges", timeout=TIMEOUT).json()["exchanges"]
        assert exchanges[-1]["http"][0]["form"]["client_secret"] == "***"


def test_pkce_code_flow(live_backend, tmp_path):
    verifier = secrets.token_urlsafe(64)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    with servers.standin(tmp_path, live_backend.url, "--pkce") as lp:
        session = app_login(live_backend)
        issued = code_for(live_backend, session, code_challenge=challenge, code_challenge_method="S256")
        missing = authenticate(lp, authCode=issued["code"], redirect_uri=issued["redirect_uri"])
        assert missing.status_code == 401
        ok = authenticate(
            lp, authCode=issued["code"], redirect_uri=issued["redirect_uri"], code_verifier=verifier
        )
        assert ok.status_code == 200, ok.text


@pytest.mark.parametrize("enc", ["A256GCM", "A128CBC-HS256"])
def test_implicit_flow_with_jwe(tmp_path: Path, enc: str):
    """The backend encrypts for the stand-in's published key; the stand-in decrypts, then validates."""
    keys = EncryptionKeyPair.generate()
    (tmp_path / "jwe-key.pem").write_bytes(keys.private_pem())
    with (
        servers.backend(
            tmp_path,
            workers=1,
            LIVEPERSON_JWE_PUBLIC_KEY=keys.public_spki_base64(),
            LIVEPERSON_JWE_KID=keys.kid,
            LIVEPERSON_JWE_ENC=enc,
        ) as backend,
        servers.standin(tmp_path, backend.url, "--jwe") as lp,
    ):
        published = requests.get(f"{lp.url}/api/jwe-public-key", timeout=TIMEOUT).json()
        assert published["public_key"] == keys.public_spki_base64()
        session = app_login(backend)
        token = jwt_for(backend, session)
        assert token.count(".") == 4  # a compact JWE
        response = authenticate(lp, jwt=token)
        assert response.status_code == 200, response.text
        assert response.json()["sub"] == customer_id(backend, session)
        # A plain signed JWT is refused when the account expects JWE.
        plain = requests.post(
            f"{lp.url}/api/account/{ACCOUNT}/authenticate", timeout=TIMEOUT, json={"jwt": "e30.e30.c2ln"}
        ).json()
        assert plain["code"] == "1004"


def test_endpoints_given_by_hand_skip_discovery(live_backend, tmp_path):
    """A brand without a discovery document: every endpoint is configured, the pop-out included."""
    url = live_backend.url
    with servers.standin(
        tmp_path,
        url,
        "--token-endpoint",
        f"{url}/oauth2/v3/token",
        "--jwks-uri",
        f"{url}/oauth2/v3/certs",
        "--authorization-endpoint",
        f"{url}/oauth2/v3/authorize",
        "--userinfo-endpoint",
        f"{url}/oauth2/v3/userinfo",
        "--userinfo",
    ) as lp:
        issued = code_for(live_backend, app_login(live_backend))
        assert authenticate(lp, authCode=issued["code"], redirect_uri=issued["redirect_uri"]).ok
        checks = requests.get(f"{lp.url}/api/exchanges", timeout=TIMEOUT).json()["exchanges"][0]["checks"]
        assert [c["id"] for c in checks if c["status"] == "pass"][-1] == "userinfo"
        assert "discovery" not in {c["id"] for c in checks}
        config = requests.get(f"{lp.url}/api/config", timeout=TIMEOUT).json()
        assert config["authorization_endpoint"] == f"{url}/oauth2/v3/authorize"
