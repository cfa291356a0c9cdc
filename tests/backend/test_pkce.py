"""Proof Key for Code Exchange (RFC 7636), through both ways a code is issued: the app endpoint
`/api/liveperson/code` (embedded window, mobile SDK) and the authorization endpoint (pop-out)."""

from __future__ import annotations

import secrets
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from shared.pkce import MAX_VERIFIER_LENGTH, s256
from tests.support.backend_app import (
    CLIENT_ID,
    REDIRECT_URI,
    basic,
    bearer,
    issue_code,
    login,
    redeem,
    snapshot,
    verify_id_token,
)

# RFC 7636 Appendix B.
RFC_VERIFIER = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
RFC_CHALLENGE = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
UNRESERVED = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~"


def verifier(length: int = 64) -> str:
    """A random verifier of unreserved characters (§4.1)."""
    return "".join(secrets.choice(UNRESERVED) for _ in range(length))


def authorize(client: FlaskClient, client_id: str = CLIENT_ID, **params: str) -> dict[str, str]:
    """GET the authorization endpoint as a logged-in browser; the redirect's query parameters."""
    query = {"client_id": client_id, "redirect_uri": REDIRECT_URI, "response_type": "code",
             "scope": "openid", "state": "pkce-state", **params}
    response = client.get("/oauth2/v3/authorize", query_string=query)
    assert response.status_code == 302, response.data
    location = urlsplit(response.headers["Location"])
    assert f"{location.scheme}://{location.netloc}{location.path}" == REDIRECT_URI
    found = {name: values[0] for name, values in parse_qs(location.query).items()}
    assert found["state"] == "pkce-state"
    return found


def create_client(runner: Any, client_id: str, *flags: str) -> tuple[str, dict[str, str]]:
    secret = f"{client_id}-secret-value"
    result = runner.invoke(args=["create-client", "--client-id", client_id, "--secret", secret,
                                 "--redirect-uri", REDIRECT_URI, *flags])
    assert result.exit_code == 0, result.output
    return client_id, basic(client_id, secret)


def assert_grant_error(response: TestResponse, error: str = "invalid_grant") -> None:
    """§4.6: a failed verification is an RFC 6749 §5.2 error, answered as JSON with 400."""
    assert response.status_code == 400, response.data
    assert response.json["error"] == error
    assert response.headers["Cache-Control"] == "no-store"


# -- the transformation (§4.2) ----------------------------------------------------------------


def test_s256_matches_rfc7636_appendix_b():
    """Appendix B: the worked example's verifier gives exactly its challenge."""
    assert s256(RFC_VERIFIER) == RFC_CHALLENGE


@pytest.mark.parametrize("length", [43, 128, 200])
def test_s256_is_unpadded_base64url_of_43_characters(length):
    """§4.2: BASE64URL-ENCODE(SHA256(verifier)), without padding: always 43 characters."""
    challenge = s256(verifier(length))
    assert len(challenge) == 43
    assert set(challenge) <= set(UNRESERVED) - {".", "~"}


# -- S256 round trips (§4.3 to §4.6) ----------------------------------------------------------


def test_s256_round_trip_through_the_app_endpoint(client):
    """The SDK's challenge reaches the code via the app; LivePerson's verifier redeems it."""
    code = issue_code(client, code_challenge=RFC_CHALLENGE, code_challenge_method="S256")
    response = redeem(client, code, code_verifier=RFC_VERIFIER)
    assert response.status_code == 200, response.json
    verify_id_token(client, response.json["id_token"])


def test_s256_round_trip_through_the_authorize_endpoint(client):
    """The pop-out window's authorization request carries the challenge (§4.3)."""
    login(client)
    secret = verifier()
    found = authorize(client, code_challenge=s256(secret), code_challenge_method="S256")
    response = redeem(client, found["code"], code_verifier=secret)
    assert response.status_code == 200, response.json
    verify_id_token(client, response.json["id_token"])


@pytest.mark.parametrize("length", [43, 128, 200, 1024])
def test_long_verifiers_are_accepted(client, length):
    """§4.1 caps verifiers at 128, but LivePerson was reported to send longer ones: accepted."""
    secret = verifier(length)
    code = issue_code(client, code_challenge=s256(secret), code_challenge_method="S256")
    response = redeem(client, code, code_verifier=secret)
    assert response.status_code == 200, response.json


# -- refusals at the token endpoint (§4.6, RFC 9700 §2.1.1) ---------------------------------


@pytest.mark.parametrize(
    "form",
    [
        pytest.param({"code_verifier": verifier()}, id="wrong-verifier"),
        pytest.param({"code_verifier": RFC_CHALLENGE}, id="challenge-as-verifier"),
        pytest.param({"code_verifier": RFC_VERIFIER[:-1] + "Y"}, id="one-character-off"),
        pytest.param({}, id="missing-verifier"),
    ],
)
def test_verifier_mismatch_or_absence_is_invalid_grant(app, client, form):
    """§4.6: once a challenge was sent, the verifier is mandatory and must match; nothing is
    consumed by a failed attempt."""
    code = issue_code(client, code_challenge=RFC_CHALLENGE, code_challenge_method="S256")
    before = snapshot(app)
    assert_grant_error(redeem(client, code, **form))
    assert snapshot(app) == before


def test_absurdly_long_verifier_is_refused(app, client):
    """The tolerance for long verifiers has a bound, so the endpoint cannot be made to hash
    arbitrary amounts of data; the refusal changes nothing."""
    secret = verifier(MAX_VERIFIER_LENGTH + 1)
    code = issue_code(client, code_challenge=s256(secret), code_challenge_method="S256")
    before = snapshot(app)
    assert_grant_error(redeem(client, code, code_verifier=secret), "invalid_request")
    assert snapshot(app) == before


def test_verifier_for_a_code_issued_without_challenge_is_invalid_grant(app, client):
    """RFC 9700 §2.1.1: a verifier for a code without challenge is a PKCE downgrade attempt."""
    code = issue_code(client)
    before = snapshot(app)
    assert_grant_error(redeem(client, code, code_verifier=RFC_VERIFIER))
    assert snapshot(app) == before


def test_authorize_code_with_challenge_needs_the_verifier(app, client):
    """§4.6 through the pop-out path as well: the challenge is bound to the code."""
    login(client)
    found = authorize(client, code_challenge=RFC_CHALLENGE, code_challenge_method="S256")
    before = snapshot(app)
    assert_grant_error(redeem(client, found["code"]))
    assert snapshot(app) == before
    assert redeem(client, found["code"], code_verifier=RFC_VERIFIER).status_code == 200


# -- which challenges are accepted (§4.2, §4.3) ---------------------------------------------


@pytest.mark.parametrize("method", ["plain", "S512"])
def test_non_s256_challenges_are_refused_for_a_normal_client(app, client, method):
    """§4.2, §4.4.1: plain only for clients that opted in; the authorization endpoint redirects
    with invalid_request (state kept), the app endpoint answers 400; no code is stored."""
    token = login(client)
    challenge = verifier(43)
    before = snapshot(app)
    found = authorize(client, code_challenge=challenge, code_challenge_method=method)
    assert found["error"] == "invalid_request"
    assert "code" not in found
    response = client.post("/api/liveperson/code", headers=bearer(token),
                           json={"code_challenge": challenge, "code_challenge_method": method})
    assert response.status_code == 400
    assert response.json["error"] == "invalid_request"
    assert snapshot(app) == before


def test_authorization_request_without_method_means_plain_and_is_refused(app, client):
    """§4.3: code_challenge_method defaults to plain, which a normal client may not use."""
    login(client)
    before = snapshot(app)
    found = authorize(client, code_challenge=RFC_CHALLENGE)
    assert found["error"] == "invalid_request"
    assert "code" not in found
    assert snapshot(app) == before


def test_app_endpoint_without_method_means_s256(client):
    """LivePerson's Web SDK hands the page only `code_challenge`, always computed with S256: the
    app endpoint takes S256 as the default, so the verifier (not the challenge) redeems it."""
    code = issue_code(client, code_challenge=RFC_CHALLENGE)
    assert_grant_error(redeem(client, code, code_verifier=RFC_CHALLENGE))
    assert redeem(client, code, code_verifier=RFC_VERIFIER).status_code == 200


@pytest.mark.parametrize(
    "challenge",
    [
        pytest.param("short", id="too-short"),
        pytest.param("A" * 129, id="too-long"),
        pytest.param(RFC_CHALLENGE[:-1] + "=", id="padding"),
        pytest.param(RFC_CHALLENGE[:-1] + "+", id="not-base64url"),
    ],
)
def test_malformed_challenges_are_refused(app, client, challenge):
    """§4.2: a challenge is 43 to 128 unreserved characters."""
    token = login(client)
    before = snapshot(app)
    found = authorize(client, code_challenge=challenge, code_challenge_method="S256")
    assert found["error"] == "invalid_request"
    response = client.post("/api/liveperson/code", headers=bearer(token),
                           json={"code_challenge": challenge, "code_challenge_method": "S256"})
    assert response.status_code == 400
    assert snapshot(app) == before


def test_plain_is_accepted_for_a_client_that_allows_it(client, runner):
    """§4.2: plain, for a client created with --allow-plain-pkce, compares the verifier as is."""
    client_id, credentials = create_client(runner, "plain-client", "--allow-plain-pkce")
    login(client)
    secret = verifier()
    found = authorize(client, client_id, code_challenge=secret, code_challenge_method="plain")
    assert_grant_error(redeem(client, found["code"], headers=credentials,
                              code_verifier=verifier()))
    response = redeem(client, found["code"], headers=credentials, code_verifier=secret)
    assert response.status_code == 200, response.json
    assert verify_id_token(client, response.json["id_token"])["aud"] == client_id


def test_s256_still_works_for_a_client_that_allows_plain(client, runner):
    """Allowing plain does not take S256 away, nor make the S256 challenge usable as a verifier."""
    client_id, credentials = create_client(runner, "plain-client", "--allow-plain-pkce")
    login(client)
    found = authorize(client, client_id, code_challenge=RFC_CHALLENGE,
                      code_challenge_method="S256")
    assert_grant_error(redeem(client, found["code"], headers=credentials,
                              code_verifier=RFC_CHALLENGE))
    response = redeem(client, found["code"], headers=credentials, code_verifier=RFC_VERIFIER)
    assert response.status_code == 200, response.json


def test_pkce_required_client_refuses_requests_without_challenge(app, client, runner):
    """RFC 9700 §2.1.1: a client registered with --pkce-required gets invalid_request (redirected,
    state kept) when the authorization request has no code_challenge."""
    client_id, credentials = create_client(runner, "strict-client", "--pkce-required")
    login(client)
    before = snapshot(app)
    found = authorize(client, client_id)
    assert found["error"] == "invalid_request"
    assert "code" not in found
    assert snapshot(app) == before

    found = authorize(client, client_id, code_challenge=RFC_CHALLENGE, code_challenge_method="S256")
    response = redeem(client, found["code"], headers=credentials, code_verifier=RFC_VERIFIER)
    assert response.status_code == 200, response.json
