"""The two load measurements on a running backend: LivePerson redeeming codes at the token
endpoint, and whole authenticated conversations through the LivePerson stand-in."""

from __future__ import annotations

import os
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import requests

from backend.cli import DEMO_CLIENT_SECRET, DEMO_USER
from bench import codes, load
from bench.backend import Backend, port
from bench.workers import WorkerModel
from tests.support import servers

SUPPLY_MARGIN = 1.1  # codes issued beyond the most a run could possibly redeem
TIMEOUT = 30  # seconds for the few set-up requests made from this process


@dataclass(frozen=True)
class Run:
    scenario: str  # "token endpoint" or "conversation"
    database: str
    workers: int
    model: WorkerModel
    load: load.LoadResult
    codes_issued: int | None = None
    issue_seconds: float | None = None


def token_endpoint(live: Backend, schedule: load.Schedule, signs_per_second: float) -> Run:
    """Pre-issue codes in the database, then redeem them as LivePerson does, from another process.

    No run redeems codes faster than the server can sign id_tokens: the single-core signing
    rate times the cores its processes (or threads) can use bounds the supply a run needs."""
    cores = min(live.workers * live.model.threads, os.cpu_count() or 1)
    needed = signs_per_second * cores * (schedule.warmup + schedule.duration) * SUPPLY_MARGIN
    count = int(needed) + schedule.concurrency
    started = time.perf_counter()
    supply = codes.issue(live.app, count)
    issue_seconds = time.perf_counter() - started
    exchange = load.TokenExchange(
        port=port(live.server),
        server_group=live.server.pid,
        client_id=live.app.config["LIVEPERSON_CLIENT_ID"],
        client_secret=DEMO_CLIENT_SECRET,
        redirect_uri=codes.REDIRECT_URI,
        codes=supply,
    )
    return Run(
        "token endpoint",
        live.database,
        live.workers,
        live.model,
        load.run(exchange, schedule),
        codes_issued=count,
        issue_seconds=issue_seconds,
    )


def conversations(live: Backend, schedule: load.Schedule) -> Run:
    """The demo customer's app asks for a code and the stand-in authenticates with it, in a loop.

    The stand-in redeems each code at the token endpoint and validates the id_token against
    the JWKS, as LivePerson does, so this is the rate of authenticated conversations."""
    session = requests.post(
        f"{live.server.url}/api/session",
        json={"email": DEMO_USER["email"], "password": DEMO_USER["password"]},
        timeout=TIMEOUT,
    )
    session.raise_for_status()
    with (
        tempfile.TemporaryDirectory(prefix="bench-standin-") as folder,
        servers.standin(Path(folder), issuer=live.server.url) as standin,
    ):
        settings = requests.get(f"{standin.url}/api/config", timeout=TIMEOUT)
        settings.raise_for_status()
        conversation = load.Conversation(
            backend_port=port(live.server),
            server_group=live.server.pid,
            standin_port=port(standin),
            session_token=session.json()["session_token"],
            account=settings.json()["account"],
        )
        return Run("conversation", live.database, live.workers, live.model, load.run(conversation, schedule))
