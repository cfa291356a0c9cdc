"""`python -m bench.ceiling`: how fast the code exchange could be on this stack, next to how
fast it is. Under the load `python -m bench` uses (wrk, 1 thread, 8 connections) and gunicorn
with gunicorn.conf.py and 2 workers, in alternating rounds:

- **WSGI + signature**: a bare WSGI callable that parses the form and signs the id_token;
- **Flask + signature**: the same in one Flask view, answered with `jsonify`;
- **backend**: the token endpoint itself, on SQLite, redeeming pre-issued codes.

Both references sign the token the backend signed (same key, header and claims) and do nothing
else (`bench/ceiling_apps.py`). Their ratio to the signing rate is the most the backend could
reach, with and without Flask, if its own work (client authentication, consuming the code,
the hooks) cost nothing.
"""

from __future__ import annotations

import argparse
import json
import secrets
import statistics
import sys
import tempfile
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import replace
from pathlib import Path

import jwt
from cryptography.hazmat.primitives import serialization

from backend.db import get_db
from bench import codes, measurements, processes, signing, workers, wrk
from bench.backend import Backend, started
from bench.ceiling_apps import PATH

REFERENCES = {
    "WSGI + signature": "bench.ceiling_apps:wsgi_app()",
    "Flask + signature": "bench.ceiling_apps:flask_app()",
}
BACKEND = "backend (SQLite)"
WORKERS = 2


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m bench.ceiling", description=__doc__)
    p.add_argument("--rounds", type=int, default=3, help="alternating rounds, medians printed (default 3)")
    p.add_argument("--duration", type=int, default=8, help="seconds measured per run (default 8)")
    p.add_argument("--warmup", type=int, default=1, help="seconds of load before measuring (default 1)")
    options = p.parse_args(argv)
    schedule = wrk.Schedule(connections=8, threads=1, warmup=options.warmup, duration=options.duration)
    wrk.executable()
    results: dict[str, list[wrk.LoadResult]] = {name: [] for name in (*REFERENCES, BACKEND)}
    signs: list[float] = []
    with ExitStack() as stack:
        live = stack.enter_context(started("sqlite", WORKERS, workers.configured()))
        folder = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="bench-ceiling-")))
        id_token = measurements.one_exchange(live)
        token_file = _save_token(live, id_token, folder)
        backend_target = measurements.token_request(live)
        references = {
            name: stack.enter_context(_reference(app, token_file, folder / f"reference-{number}.log"))
            for number, (name, app) in enumerate(REFERENCES.items())
        }
        for round_number in range(1, options.rounds + 1):
            signed = signing.measure(live, id_token, 1.0)
            signs.append(signed.signs_per_second)
            supply = measurements.supply(live, schedule, signed.best_per_second)
            for name, (url, group) in references.items():
                target = replace(backend_target, url=url + PATH)
                dummies = [secrets.token_urlsafe(32) for _ in range(supply)]
                results[name].append(wrk.run(target, dummies, schedule, server_group=group))
            issued = codes.issue(live.app, supply)
            results[BACKEND].append(wrk.run(backend_target, issued, schedule, server_group=live.server.pid))
            print(f"round {round_number}: " + ", ".join(
                f"{name} {runs[-1].rate:,.0f}/s" for name, runs in results.items()
            ), flush=True)
    print(_table(results, statistics.median(signs)))
    failed = any(run.errors or run.exhausted for runs in results.values() for run in runs)
    return 1 if failed else 0


def _save_token(live: Backend, id_token: str, folder: Path) -> Path:
    """What the references sign: the backend's key, and the header and claims of `id_token`."""
    with live.app.app_context():
        key = live.app.extensions["keyring"].signing_key(get_db()).private_key
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    header = {name: value for name, value in jwt.get_unverified_header(id_token).items()
              if name not in ("alg", "typ")}
    claims = jwt.decode(id_token, options={"verify_signature": False})
    response = {"access_token": secrets.token_urlsafe(32), "token_type": "Bearer",
                "expires_in": live.app.config["ACCESS_TOKEN_LIFETIME"]}
    path = folder / "token.json"  # the folder is private to this user (mkdtemp: 0700)
    given = {"key": pem.decode(), "header": header, "claims": claims, "response": response}
    path.write_text(json.dumps(given))
    return path


@contextmanager
def _reference(app: str, token_file: Path, log: Path) -> Iterator[tuple[str, int]]:
    """gunicorn serving `app` as it serves the backend; yields its URL and process group."""
    port = processes.free_port()
    env = processes.environment(
        "BACKEND_", BACKEND_BIND=f"{processes.HOST}:{port}", BACKEND_WORKERS=str(WORKERS),
        BENCH_CEILING_TOKEN=str(token_file),
    )
    url = f"http://{processes.HOST}:{port}"
    command = [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", app]
    with processes.running(command, env=env, log=log, ready=processes.answers(url + "/")) as server:
        yield url, server.pid


def _table(results: dict[str, list[wrk.LoadResult]], signs_per_second: float) -> str:
    lines = [
        f"RS256 signatures/s on one core (the RSA operation, median): {signs_per_second:,.0f}",
        f"{'':20} {'req/s':>8} {'p50 ms':>7} {'p99 ms':>7} {'CPU ms/req':>10} {'ratio':>6}",
    ]
    for name, runs in results.items():
        rate = statistics.median(run.rate for run in runs)
        cpu = [run.server_cpu / run.rate * 1000 for run in runs if run.server_cpu is not None and run.rate]
        lines.append(
            f"{name:20} {rate:8,.0f} {_median(run.p50_ms for run in runs):7.1f} "
            f"{_median(run.p99_ms for run in runs):7.1f} "
            f"{statistics.median(cpu) if cpu else float('nan'):10.2f} {rate / signs_per_second:6.3f}"
        )
    lines.append("Medians over the rounds; ratio = req/s on the whole machine ÷ signatures/s on one core.")
    return "\n".join(lines)


def _median(values: Iterator[float | None] | list[float | None]) -> float:
    present = [value for value in values if value is not None]
    return statistics.median(present) if present else float("nan")


if __name__ == "__main__":
    raise SystemExit(main())
