"""Two instances behind one issuer are one provider: whatever one instance issues (a code, a
login session) the other honours, revokes and races for, through the shared database."""

from __future__ import annotations

from functools import partial

import requests

from tests.support.backend_app import bearer
from tests.support.deployment import (
    ISSUER,
    Deployment,
    jwks,
    kids,
    me,
    redeem,
    together,
    userinfo,
    verified,
)
from tests.support.http_api import TIMEOUT, api_login, issue_code, one_winner

CODES = 30
RACERS = 8  # per code, alternately at A and B


def test_code_issued_at_one_instance_is_redeemed_at_the_other(deployment: Deployment) -> None:
    """The app gets a code from A, LivePerson redeems it at B, and the id_token verifies
    against A's JWKS with the user's own `sub` and the shared issuer."""
    a, b = deployment.a.url, deployment.b.url
    for base in (a, b):
        discovery = requests.get(f"{base}/.well-known/openid-configuration", timeout=TIMEOUT)
        assert discovery.json()["issuer"] == ISSUER
    session_token = api_login(a)
    issued = requests.post(
        f"{a}/api/liveperson/code", json={}, headers=bearer(session_token), timeout=TIMEOUT
    )
    assert issued.status_code == 200, issued.text

    response = redeem(b, issued.json()["code"], issued.json()["redirect_uri"])

    assert response.status_code == 200, response.text
    sub = me(a, session_token).json()["sub"]
    token = verified(response.json()["id_token"], jwks(a), sub)
    assert token.header["kid"] in kids(jwks(b))
    assert userinfo(a, response.json()["access_token"]).json()["sub"] == sub


def test_concurrent_redemptions_across_instances_exactly_one_wins(deployment: Deployment) -> None:
    """Per code, racing at both instances: one 200, every other answer a 400 invalid_grant;
    the reuse revokes the winner's access token at every instance (RFC 6749 §4.1.2)."""
    bases = [deployment.a.url, deployment.b.url]
    session_token = api_login(bases[0])
    winners = []
    for index in range(CODES):
        code = issue_code(bases[index % 2], session_token)
        responses = together([partial(redeem, bases[i % 2], code) for i in range(RACERS)])
        winners.append(one_winner(responses)["access_token"])

    for access_token in winners:
        for base in bases:
            answer = userinfo(base, access_token)
            assert answer.status_code == 401, answer.text
            assert 'error="invalid_token"' in answer.headers["WWW-Authenticate"]


def test_login_session_spans_instances_and_logout_ends_it_everywhere(deployment: Deployment) -> None:
    """A session made at A works at B; logging out at B ends it at A too."""
    a, b = deployment.a.url, deployment.b.url
    session_token = api_login(a)
    at_a, at_b = me(a, session_token), me(b, session_token)
    assert at_a.status_code == at_b.status_code == 200, (at_a.text, at_b.text)
    assert at_b.json() == at_a.json()

    logout = requests.delete(f"{b}/api/session", headers=bearer(session_token), timeout=TIMEOUT)

    assert logout.status_code == 204, logout.text
    for base in (a, b):
        answer = me(base, session_token)
        assert answer.status_code == 401, answer.text
        assert answer.json()["error"] == "login_required"
