"""The two load measurements on a running backend, both driven by wrk with pre-issued codes:
LivePerson redeeming codes at the token endpoint, and the LivePerson stand-in authenticating
conversations with them (it redeems each code and validates the id_token against the JWKS)."""

from __future__ import annotations

import base64
import json
import os
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from backend.cli import DEMO_CLIENT_SECRET
from backend.oidc.discovery import PATHS
from bench import codes, processes, wrk
from bench.backend import Backend
from bench.signing import SigningResult
from bench.workers import WorkerModel

SUPPLY_MARGIN = 1.1  # codes issued beyond the most a run could possibly redeem


@dataclass(frozen=True)
class Run:
    scenario: str  # "token endpoint" or "conversation"
    database: str
    workers: int
    model: WorkerModel
    load: wrk.LoadResult
    signing: SigningResult  # measured just before the load, the server idle
    codes_issued: int
    issue_seconds: float


def supply(live: Backend, schedule: wrk.Schedule, signs_per_second: float) -> int:
    """The codes a run needs at most. Each exchange signs one id_token, so no run redeems codes
    faster than the single-core signing rate times the cores the server's processes (or
    threads) can use: that bounds the expected rate, over the warm-up and the measured run.
    `signs_per_second` is best taken undisturbed by other work (SigningResult.best_per_second)."""
    cores = min(live.workers * live.model.threads, os.cpu_count() or 1)
    seconds = schedule.warmup + schedule.duration
    return int(signs_per_second * cores * seconds * SUPPLY_MARGIN) + schedule.connections


def token_request(live: Backend) -> wrk.Target:
    """A code exchange as LivePerson sends it: form body, HTTP Basic client credentials."""
    client_id = live.app.config["LIVEPERSON_CLIENT_ID"]
    basic = base64.b64encode(f"{quote(client_id)}:{quote(DEMO_CLIENT_SECRET)}".encode()).decode()
    return wrk.Target(
        url=live.url + PATHS["token_endpoint"],
        headers={"Authorization": f"Basic {basic}", "Content-Type": "application/x-www-form-urlencoded"},
        prefix="grant_type=authorization_code&code=",  # codes are URL-safe base64: no escaping
        suffix="&redirect_uri=" + quote(codes.REDIRECT_URI, safe=""),
        expect='"id_token"',
    )


def one_exchange(live: Backend) -> str:
    """Redeem one new code; returns the id_token the endpoint signed."""
    target = token_request(live)
    body = f"{target.prefix}{codes.issue(live.app, 1)[0]}{target.suffix}".encode()
    request = urllib.request.Request(target.url, body, target.headers, method="POST")  # noqa: S310
    with urllib.request.urlopen(request, timeout=30) as answer:  # noqa: S310 (loopback http)
        return str(json.load(answer)["id_token"])


def token_endpoint(live: Backend, schedule: wrk.Schedule, signed: SigningResult) -> Run:
    """Pre-issue codes in the database, then redeem them as LivePerson does."""
    return _measure("token endpoint", live, token_request(live), schedule, signed)


def conversations(live: Backend, schedule: wrk.Schedule, signed: SigningResult) -> Run:
    """The SDK hands each pre-issued code to the stand-in (`POST /api/account/<account>/authenticate`),
    which redeems it at the token endpoint and validates the id_token: one authenticated
    conversation. The app's request for the code is not part of it: codes come from the database."""
    with tempfile.TemporaryDirectory(prefix="bench-standin-") as folder:
        port = processes.free_port()
        url = f"http://{processes.HOST}:{port}"
        command = [
            sys.executable, "-m", "shared.liveperson", "--host", processes.HOST, "--port", str(port),
            "--issuer", live.url, "--client-id", live.app.config["LIVEPERSON_CLIENT_ID"],
            "--jwe-key-file", str(Path(folder) / "jwe-key.pem"),
            "--instance-folder", str(Path(folder) / "standin"),
        ]  # fmt: skip
        # The secret in the environment, as the README advises: never on a command line.
        env = processes.environment("LIVEPERSON_", LIVEPERSON_CLIENT_SECRET=DEMO_CLIENT_SECRET)
        ready = processes.answers(url + "/api/config")
        with processes.running(command, env=env, log=Path(folder) / "standin.log", ready=ready):
            with urllib.request.urlopen(url + "/api/config", timeout=30) as answer:  # noqa: S310 (loopback)
                account = json.load(answer)["account"]
            target = wrk.Target(
                url=f"{url}/api/account/{account}/authenticate",
                headers={"Content-Type": "application/json"},
                prefix='{"authCode": "',
                suffix=f'", "redirect_uri": {json.dumps(codes.REDIRECT_URI)}}}',
                expect='"jwt"',
            )
            return _measure("conversation", live, target, schedule, signed)


def _measure(
    scenario: str, live: Backend, target: wrk.Target, schedule: wrk.Schedule, signed: SigningResult
) -> Run:
    count = supply(live, schedule, signed.best_per_second)
    started = time.perf_counter()
    issued = codes.issue(live.app, count)
    issue_seconds = time.perf_counter() - started
    result = wrk.run(target, issued, schedule, server_group=live.server.pid)
    return Run(scenario, live.database, live.workers, live.model, result, signed, count, issue_seconds)
