"""RFC 9700 §4.14.2 (refresh token rotation) across real processes: concurrent refreshes with
one token at the two-worker gunicorn server on SQLite, exactly one wins, never a 500, and the
reuse revokes the grant, the winner's tokens included."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from threading import Barrier

import requests

from tests.support.http_api import TIMEOUT, delegated_tokens, orders, refresh

GRANTS = 10
RACERS = 8


def race(base: str, refresh_token: str) -> list[requests.Response]:
    start = Barrier(RACERS)

    def one() -> requests.Response:
        start.wait(timeout=TIMEOUT)
        return refresh(base, refresh_token)

    with ThreadPoolExecutor(max_workers=RACERS) as pool:
        return [future.result() for future in [pool.submit(one) for _ in range(RACERS)]]


def test_concurrent_refreshes_exactly_one_wins_and_reuse_revokes(live_backend):
    winners = []
    for _ in range(GRANTS):
        responses = race(live_backend.url, delegated_tokens(live_backend.url)["refresh_token"])
        statuses = sorted(response.status_code for response in responses)
        assert statuses == [200] + [400] * (RACERS - 1), [r.text for r in responses]
        winners += [response.json() for response in responses if response.status_code == 200]

    for won in winners:
        assert refresh(live_backend.url, won["refresh_token"]).status_code == 400
        assert orders(live_backend.url, won["access_token"]).status_code == 401


def test_a_chain_of_refreshes_keeps_the_api_open(live_backend):
    tokens = delegated_tokens(live_backend.url)
    refresh_token = tokens["refresh_token"]
    for _ in range(5):
        answer = refresh(live_backend.url, refresh_token)
        assert answer.status_code == 200, answer.text
        assert orders(live_backend.url, answer.json()["access_token"]).status_code == 200
        refresh_token = answer.json()["refresh_token"]
