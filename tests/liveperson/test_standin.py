"""The stand-in's IdP authenticates the real backend's customers over HTTP, as LivePerson does:
code flow (Basic and body credentials, PKCE), implicit flow (JWKS or pasted key, plain or JWE),
each answered with LivePerson's consumer token, and refused with LivePerson's error body."""

from __future__ import annotations

import base64
import hashlib
import secrets
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from backend.keys import public_key_spki_base64
from shared.validation.jwe import EncryptionKeyPair
from tests.support import servers
from tests.support.consumer import agent_get, claims, connect
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


def authenticated_sub(response: requests.Response) -> str:
    """The brand's customer LivePerson's consumer token names (`lp.ext.sub`), read as the SDK reads it."""
    assert response.status_code == 200, response.text
    assert list(response.json()) == ["jwt"]
    return str(claims(response.json()["jwt"])["lp.ext"]["sub"])


def refusal(response: requests.Response, status: int) -> dict[str, str]:
    """LivePerson's refusal body, with the stand-in's name, reason and check."""
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"internalErrorCode", "error", "message", "check"}, body
    assert body["error"] and body["message"]
    return dict(body)


def exchanges(standin: LiveServer) -> list[dict[str, Any]]:
    return requests.get(f"{standin.url}/api/exchanges", timeout=TIMEOUT).json()["exchanges"]


@pytest.fixture(scope="module")
def standin(live_backend: LiveServer, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    with servers.standin(tmp_path_factory.mktemp("standin"), live_backend.url) as server:
        yield server


def test_code_flow_is_authenticated_as_the_logged_in_customer(live_backend, standin):
    session = app_login(live_backend)
    issued = code_for(live_backend, session)
    response = authenticate(standin, authCode=issued["code"], redirect_uri=issued["redirect_uri"])
    assert authenticated_sub(response) == customer_id(live_backend, session)
    result = exchanges(standin)[0]["result"]
    assert result["flow"] == "code"
    assert result["sdes"]["customerInfo"]["ctype"] == "vip"
    assert result["sdes"]["personalInfo"]["lastname"] == "Demo"
    # The token opens the customer's conversation, which LivePerson's agent sees as theirs.
    socket = connect(standin, response.json()["jwt"])
    conversation = socket.open_conversation()
    listed = {c["conversationId"]: c for c in agent_get(standin)["conversations"]}
    assert listed[conversation]["consumer"]["customerId"] == customer_id(live_backend, session)


def test_a_reused_code_is_refused_with_9011_and_the_brands_reason(live_backend, standin):
    issued = code_for(live_backend, app_login(live_backend))
    assert authenticate(standin, authCode=issued["code"], redirect_uri=issued["redirect_uri"]).ok
    again = refusal(authenticate(standin, authCode=issued["code"], redirect_uri=issued["redirect_uri"]), 401)
    assert (again["internalErrorCode"], again["error"]) == ("9011", "Customer authentication failed")
    assert "invalid_grant" in again["message"]
    assert again["check"] == "token-exchange"
    assert exchanges(standin)[0]["failure"]["code"] == "9011"


def test_the_inspector_shows_each_check_and_the_brands_answer(live_backend, standin):
    issued = code_for(live_backend, app_login(live_backend))
    authenticate(standin, authCode=issued["code"], redirect_uri=issued["redirect_uri"])
    authenticate(standin, authCode=issued["code"], redirect_uri=issued["redirect_uri"])
    page = requests.get(f"{standin.url}/inspector", timeout=TIMEOUT).text
    for text in ("id-token-alg", "PASS", "FAIL", "9011", "/oauth2/v3/token", "Basic ***", "lp_sdes"):
        assert text in page, text
    assert "demo-client-secret" not in page  # the client secret is never shown


def test_implicit_flow_with_the_brands_jwks(live_backend, standin):
    """The JWT goes in authCode too: LivePerson tells it from a code by its form."""
    session = app_login(live_backend)
    response = authenticate(standin, authCode=jwt_for(live_backend, session))
    assert authenticated_sub(response) == customer_id(live_backend, session)
    assert exchanges(standin)[0]["flow"] == "implicit"


def test_a_tampered_jwt_is_refused_with_9007(live_backend, standin):
    header, payload, signature = jwt_for(live_backend, app_login(live_backend)).split(".")
    forged = payload[:-4] + ("AAAA" if not payload.endswith("AAAA") else "BBBB")
    response = refusal(authenticate(standin, authCode=f"{header}.{forged}.{signature}"), 401)
    assert response["internalErrorCode"] in ("9007", "9012")


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"authCode": ""},
        {"authCode": 5},
        {"jwt": "a.b.c"},  # the stand-in's old field: LivePerson's is authCode
        {"authCode": "x", "channel": "fax"},
    ],
)
def test_bad_requests_are_input_validation_errors(standin, body):
    answer = refusal(authenticate(standin, **body), 400)
    assert (answer["internalErrorCode"], answer["check"]) == ("9012", "input")


def test_another_account_is_not_found(standin):
    response = requests.post(
        f"{standin.url}/api/account/999/authenticate", json={"authCode": "x"}, timeout=TIMEOUT
    )
    assert "not '999'" in refusal(response, 404)["message"]


def test_client_secret_post_and_a_pasted_public_key(live_backend, tmp_path):
    jwks = requests.get(f"{live_backend.url}/oauth2/v3/certs", timeout=TIMEOUT).json()
    pasted = public_key_spki_base64(jwks["keys"][-1])
    with servers.standin(tmp_path, live_backend.url, "--auth-method", "post", "--public-key", pasted) as lp:
        session = app_login(live_backend)
        issued = code_for(live_backend, session)
        assert authenticate(lp, authCode=issued["code"], redirect_uri=issued["redirect_uri"]).ok
        assert authenticate(lp, authCode=jwt_for(live_backend, session)).ok
        assert exchanges(lp)[-1]["http"][0]["form"]["client_secret"] == "***"


def test_pkce_code_flow(live_backend, tmp_path):
    verifier = secrets.token_urlsafe(64)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    with servers.standin(tmp_path, live_backend.url, "--pkce") as lp:
        session = app_login(live_backend)
        issued = code_for(live_backend, session, code_challenge=challenge, code_challenge_method="S256")
        missing = authenticate(lp, authCode=issued["code"], redirect_uri=issued["redirect_uri"])
        assert refusal(missing, 401)["check"] == "pkce"
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
        servers.standin(tmp_path, backend.url, "--flow", "implicit", "--jwe") as lp,
    ):
        published = requests.get(f"{lp.url}/api/jwe-public-key", timeout=TIMEOUT).json()
        assert published["public_key"] == keys.public_spki_base64()
        session = app_login(backend)
        token = jwt_for(backend, session)
        assert token.count(".") == 4  # a compact JWE
        response = authenticate(lp, authCode=token)
        assert authenticated_sub(response) == customer_id(backend, session)
        # A plain signed JWT is refused when the account expects JWE.
        plain = authenticate(lp, authCode="eyJhbGciOiJSUzI1NiJ9.e30.c2ln")  # {"alg": "RS256"}.{}.sig
        assert refusal(plain, 401)["internalErrorCode"] == "1004"


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
        checks = exchanges(lp)[0]["checks"]
        assert [c["id"] for c in checks if c["status"] == "pass"][-1] == "userinfo"
        assert "discovery" not in {c["id"] for c in checks}
        config = requests.get(f"{lp.url}/api/config", timeout=TIMEOUT).json()
        assert config["authorization_endpoint"] == f"{url}/oauth2/v3/authorize"
