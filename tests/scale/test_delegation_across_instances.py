"""Consumer Delegation on two instances over one PostgreSQL: a grant made at one instance is
refreshed at the other, rotation and reuse detection hold across them, of simultaneous
refreshes with one token spread over both exactly one succeeds, and a revocation at one is
refused at the other."""

from __future__ import annotations

from functools import partial

import requests

from tests.support.deployment import Deployment, together
from tests.support.http_api import (
    CLIENT_ID,
    CLIENT_SECRET,
    TIMEOUT,
    delegated_tokens,
    one_winner,
    orders,
    refresh,
)

GRANTS = 10
RACERS = 8  # per refresh token, alternately at A and B


def test_a_grant_made_at_one_instance_rotates_at_the_other(deployment: Deployment) -> None:
    a, b = deployment.a.url, deployment.b.url
    tokens = delegated_tokens(a)
    at_b = refresh(b, tokens["refresh_token"])
    assert at_b.status_code == 200, at_b.text
    assert orders(a, at_b.json()["access_token"]).status_code == 200
    at_a = refresh(a, at_b.json()["refresh_token"])
    assert at_a.status_code == 200, at_a.text

    # The first token, spent at B, used again at A: the whole grant is revoked, everywhere.
    reused = refresh(a, tokens["refresh_token"])
    assert reused.status_code == 400 and reused.json()["error"] == "invalid_grant", reused.text
    for base in (a, b):
        assert refresh(base, at_a.json()["refresh_token"]).status_code == 400
        for access_token in (tokens["access_token"], at_b.json()["access_token"],
                             at_a.json()["access_token"]):
            assert orders(base, access_token).status_code == 401


def test_concurrent_refreshes_across_instances_exactly_one_wins(deployment: Deployment) -> None:
    """Per token, racing at both instances: one 200, every other answer 400 invalid_grant (the
    single conditional UPDATE is the arbiter), never a 500; the reuse revokes the winner's
    tokens at every instance."""
    bases = [deployment.a.url, deployment.b.url]
    winners = []
    for index in range(GRANTS):
        refresh_token = delegated_tokens(bases[index % 2])["refresh_token"]
        responses = together([partial(refresh, bases[i % 2], refresh_token) for i in range(RACERS)])
        winners.append(one_winner(responses))

    for won in winners:
        for base in bases:
            assert refresh(base, won["refresh_token"]).status_code == 400
            assert orders(base, won["access_token"]).status_code == 401


def test_a_revocation_at_one_instance_holds_at_the_other(deployment: Deployment) -> None:
    a, b = deployment.a.url, deployment.b.url
    tokens = delegated_tokens(a)
    revoked = requests.post(f"{b}/oauth2/v3/revoke", auth=(CLIENT_ID, CLIENT_SECRET), timeout=TIMEOUT,
                            data={"token": tokens["refresh_token"], "token_type_hint": "refresh_token"})
    assert revoked.status_code == 200, revoked.text
    assert refresh(a, tokens["refresh_token"]).status_code == 400
    assert orders(a, tokens["access_token"]).status_code == 401
