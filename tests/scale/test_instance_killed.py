"""One instance killed with SIGKILL in the middle of a load: it stops answering but never
answers wrongly, the other instance keeps serving, and nothing that was committed is lost."""

from __future__ import annotations

import os
import secrets
import signal
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import requests

from tests.support.deployment import Deployment, jwks, me, redeem, userinfo, verified
from tests.support.http_api import EMAIL, PASSWORD, TIMEOUT, api_login, issue_code
from tests.support.servers import LiveServer

THREADS = 6
TASKS_PER_PHASE = 24  # before the kill, then after it
KILL_AFTER = 12  # first-phase tasks finished before the kill; the rest may be in flight
# A kill can cut an answer anywhere, even between its headers and its body.
CUT = (requests.ConnectionError, requests.exceptions.ChunkedEncodingError)


@dataclass(frozen=True)
class Task:
    base: str
    code: str | None  # the code to redeem, as LivePerson does; None: a login, as an app does
    after_kill: bool  # held back until the kill, so the load goes on after it


@dataclass(frozen=True)
class Outcome:
    task: Task
    response: requests.Response | None  # None: the connection failed
    started_after_kill: bool


def send(task: Task) -> requests.Response:
    if task.code is None:
        return requests.post(
            f"{task.base}/api/session", json={"email": EMAIL, "password": PASSWORD}, timeout=TIMEOUT
        )
    return redeem(task.base, task.code)


def load(tasks: list[Task], victim: LiveServer) -> list[Outcome]:
    """Run `tasks` on a thread pool and SIGKILL every process of `victim` mid-way."""
    killed = threading.Event()
    finished = threading.Semaphore(0)

    def run(task: Task) -> Outcome:
        if task.after_kill:
            assert killed.wait(timeout=TIMEOUT * len(tasks))
        started_after_kill = killed.is_set()
        try:
            response: requests.Response | None = send(task)
        except CUT:
            response = None
        finally:
            finished.release()
        return Outcome(task, response, started_after_kill)

    with ThreadPoolExecutor(max_workers=THREADS) as pool:
        futures = [pool.submit(run, task) for task in tasks]
        try:
            for _ in range(KILL_AFTER):
                assert finished.acquire(timeout=TIMEOUT), "the load stalled before the kill"
            os.killpg(victim.pid, signal.SIGKILL)
        finally:
            killed.set()
        return [future.result() for future in futures]


def by_kid(key_set: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {key["kid"]: key for key in key_set["keys"]}


def first_redemption(response: requests.Response, key_set: dict[str, Any], sub: str) -> str:
    """The answer to a code's first redemption: 200 and a valid id_token; its access token."""
    assert response.status_code == 200, response.text
    verified(response.json()["id_token"], key_set, sub)
    return response.json()["access_token"]


def test_instance_killed_under_load_loses_nothing(
    deployment: Deployment, demo_sub: str, tmp_path: Path
) -> None:
    """Codes and logins at B and at a third instance, which is killed with SIGKILL mid-load:
    only connection failures from it, only right answers from anyone, B serving throughout,
    and every token, user, client and key committed before the kill still good at B."""
    b = deployment.b.url
    email, password = f"kill-{secrets.token_hex(4)}@example.com", "created-before-the-kill"
    deployment.flask("create-user", email, "--password", password)
    keys_before = jwks(b)

    with deployment.instance(tmp_path) as victim:
        session_token = api_login(deployment.a.url)
        tasks = []
        for index in range(2 * TASKS_PER_PHASE):
            is_login = index // 2 % 3 == 2  # a login every third pair, at B and at the victim
            code = None if is_login else issue_code(deployment.a.url, session_token)
            tasks.append(Task((b, victim.url)[index % 2], code, index >= TASKS_PER_PHASE))
        outcomes = load(tasks, victim)

    at_b = [outcome for outcome in outcomes if outcome.task.base == b]
    at_victim = [outcome for outcome in outcomes if outcome.task.base != b]
    # B answered everything, before and after the kill; the victim nothing once dead.
    assert all(outcome.response is not None for outcome in at_b)
    assert all(outcome.response is None for outcome in at_victim if outcome.started_after_kill)
    assert any(outcome.response is not None for outcome in at_victim), "no answer before the kill"

    # Every answer, from either instance, is a right one; the signing keys are unchanged.
    key_set = jwks(b)
    assert by_kid(key_set) == by_kid(keys_before)
    access_tokens, session_tokens = [], []
    for outcome in outcomes:
        if outcome.response is None:
            continue
        if outcome.task.code is None:
            assert outcome.response.status_code == 200, outcome.response.text
            assert outcome.response.json()["user"]["sub"] == demo_sub
            session_tokens.append(outcome.response.json()["session_token"])
        else:
            access_tokens.append(first_redemption(outcome.response, key_set, demo_sub))

    # A code whose redemption the kill cut was consumed or not, never half: at B it is either
    # refused as used or redeemed. One sent after the kill never reached a process: still good.
    for outcome in at_victim:
        if outcome.response is not None or outcome.task.code is None:
            continue
        retry = redeem(b, outcome.task.code)
        if outcome.started_after_kill or retry.status_code != 400:
            access_tokens.append(first_redemption(retry, key_set, demo_sub))
        else:
            assert retry.json()["error"] == "invalid_grant", retry.text

    # Everything committed, at either instance, is still there.
    for access_token in access_tokens:
        answer = userinfo(b, access_token)
        assert answer.status_code == 200, answer.text
        assert answer.json()["sub"] == demo_sub
    for token in session_tokens:
        assert me(b, token).json()["sub"] == demo_sub
    assert me(b, api_login(b, email, password)).json()["email"] == email
    fresh = redeem(b, issue_code(b, api_login(b)))  # the demo user and client
    first_redemption(fresh, key_set, demo_sub)
