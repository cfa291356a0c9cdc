"""The stand-in's records (exchanges, conversations, the inspector) stay on its own origin and
never show a code, token, verifier or secret whole: a page on another origin cannot read them,
and what they show of a secret cannot be replayed. The IdP itself answers any page: the tag runs
on the brand's."""

from __future__ import annotations

import base64
import hashlib
import re
import secrets
import time
from collections.abc import Iterator

import pytest
import requests

from tests.liveperson.test_standin import (
    ACCOUNT,
    TIMEOUT,
    app_login,
    authenticate,
    authenticated_sub,
    code_for,
    jwt_for,
)
from tests.support import servers
from tests.support.servers import LiveServer

HOSTILE_PAGE = "http://evil.example"
# Three base64url segments: a JWS as anything would hand it over (the decoded claims are fine).
RAW_JWT = re.compile(r"[A-Za-z0-9_-]{20,}\.[A-Za-z0-9_-]{20,}\.[A-Za-z0-9_-]{20,}")
FINGERPRINT = re.compile(r"[A-Za-z0-9_-]{0,6}\.\.\.\((\d+) chars\)")


@pytest.fixture(scope="module")
def pkce_standin(live_backend: LiveServer, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    with servers.standin(tmp_path_factory.mktemp("records"), live_backend.url, "--pkce") as server:
        yield server


def get(standin: LiveServer, path: str) -> requests.Response:
    return requests.get(standin.url + path, headers={"Origin": HOSTILE_PAGE}, timeout=TIMEOUT)


@pytest.mark.parametrize("path", ["/api/exchanges", "/api/agent/conversations", "/inspector"])
def test_records_are_not_readable_from_another_origin(pkce_standin, path):
    response = get(pkce_standin, path)
    assert response.status_code == 200
    assert "Access-Control-Allow-Origin" not in response.headers


@pytest.mark.parametrize("path", ["authenticate", "signup"])
def test_the_tag_can_still_read_the_settings_and_reach_the_idp_from_the_brands_page(pkce_standin, path):
    assert get(pkce_standin, "/api/config").headers["Access-Control-Allow-Origin"] == "*"
    url = f"{pkce_standin.url}/api/account/{ACCOUNT}/{path}"
    preflight = requests.options(
        url,
        headers={
            "Origin": HOSTILE_PAGE,
            "Access-Control-Request-Method": "POST",
            # Authorization: the guest's token, for step-up and for extending it.
            "Access-Control-Request-Headers": "authorization,content-type",
        },
        timeout=TIMEOUT,
    )
    assert preflight.headers["Access-Control-Allow-Origin"] == "*"
    # Header names are case-insensitive, and browsers ask for them in lower case (Fetch standard).
    allowed = preflight.headers["Access-Control-Allow-Headers"].lower()
    assert "content-type" in allowed and "authorization" in allowed
    assert "Access-Control-Allow-Credentials" not in preflight.headers
    refused = requests.post(url, json={"authCode": ""}, headers={"Origin": HOSTILE_PAGE,
                            "Authorization": "jwt not-a-token"}, timeout=TIMEOUT)
    assert refused.status_code in (400, 401)
    assert refused.headers["Access-Control-Allow-Origin"] == "*"


def test_no_record_shows_a_code_verifier_token_or_secret_whole(live_backend, pkce_standin):
    session = app_login(live_backend)
    verifier = secrets.token_urlsafe(64)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    issued = code_for(live_backend, session, code_challenge=challenge, code_challenge_method="S256")
    code_flow = authenticate(
        pkce_standin, authCode=issued["code"], redirect_uri=issued["redirect_uri"], code_verifier=verifier
    )
    sub = authenticated_sub(code_flow)
    jwt = jwt_for(live_backend, session)
    implicit_flow = authenticate(pkce_standin, authCode=jwt)
    assert authenticated_sub(implicit_flow) == sub
    consumer_tokens = (code_flow.json()["jwt"], implicit_flow.json()["jwt"])

    exchanges = get(pkce_standin, "/api/exchanges").json()["exchanges"]
    implicit, code = exchanges[0], exchanges[1]
    sent, answer = code["http"][0]["form"], code["http"][0]["body"]
    # Recognisable: a prefix and the length of each.
    assert FINGERPRINT.fullmatch(sent["code"]).group(1) == str(len(issued["code"]))
    assert FINGERPRINT.fullmatch(sent["code_verifier"]).group(1) == str(len(verifier))
    assert FINGERPRINT.fullmatch(code["received"]["authCode"])
    assert FINGERPRINT.fullmatch(implicit["received"]["jwt"]).group(1) == str(len(jwt))
    for token in ("access_token", "id_token"):
        assert FINGERPRINT.fullmatch(answer[token]), answer[token]
    assert code["http"][0]["headers"]["Authorization"] == "Basic ***"
    # The decoded header and claims are still there to debug with.
    assert code["token_header"]["alg"] == "RS256" and implicit["claims"]["sub"] == sub

    inspector = get(pkce_standin, "/inspector").text
    for shown in (get(pkce_standin, "/api/exchanges").text, inspector):
        for secret in (issued["code"], verifier, jwt, *consumer_tokens, "demo-client-secret"):
            assert secret not in shown
        assert not RAW_JWT.search(shown), RAW_JWT.search(shown)
    assert "Handed in by the SDK" in inspector


def test_the_request_log_masks_a_code_in_the_popout_windows_address(pkce_standin):
    """LivePerson's pop-out window receives the brand's code in its URL, so its request line is logged."""
    code = secrets.token_urlsafe(32)
    window = f"{pkce_standin.url}/le_unified_window/index.html?code={code}&state=s-1"
    assert requests.get(window, timeout=TIMEOUT).status_code == 200
    deadline = time.monotonic() + 10
    while "index.html?code=" not in pkce_standin.output() and time.monotonic() < deadline:
        time.sleep(0.1)
    log = pkce_standin.output()
    assert f"index.html?code={code[:5]}...({len(code)} chars)&state=s-1" in log, log[-2000:]
    assert code not in log
