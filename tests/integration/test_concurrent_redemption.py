"""RFC 6749 §4.1.2 (a code is used once) across real processes: concurrent redemptions of one code at the
two-worker gunicorn server, exactly one wins, and the reuse revokes the winner's token."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import requests

from tests.support.http_api import (
    CLIENT_ID,
    CLIENT_SECRET,
    TIMEOUT,
    api_login,
    issue_code,
    one_winner,
)

CODES = 20
RACERS = 8
REDIRECT_URI = "https://liveperson.net"


def race(base: str, code: str) -> list[requests.Response]:
    """RACERS redemptions of `code`, released together by a barrier."""
    start = threading.Barrier(RACERS)
    form = {"grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT_URI}

    def redeem() -> requests.Response:
        start.wait(timeout=TIMEOUT)
        return requests.post(f"{base}/oauth2/v3/token", data=form,
                             auth=(CLIENT_ID, CLIENT_SECRET), timeout=TIMEOUT)

    with ThreadPoolExecutor(max_workers=RACERS) as pool:
        futures = [pool.submit(redeem) for _ in range(RACERS)]
        return [future.result() for future in futures]


def test_concurrent_redemptions_exactly_one_wins_and_reuse_revokes(live_backend):
    """Per code: one 200, the rest 400 invalid_grant, no 500; the winner's token is revoked."""
    session_token = api_login(live_backend.url)
    winners = []
    for _ in range(CODES):
        code = issue_code(live_backend.url, session_token, redirect_uri=REDIRECT_URI)
        winners.append(one_winner(race(live_backend.url, code))["access_token"])

    assert len(winners) == CODES
    for access_token in winners:
        info = requests.get(f"{live_backend.url}/oauth2/v3/userinfo",
                            headers={"Authorization": f"Bearer {access_token}"}, timeout=TIMEOUT)
        assert info.status_code == 401, info.text
        assert 'error="invalid_token"' in info.headers["WWW-Authenticate"]
