"""`python -m bench.profile [options]`: where a worker's time goes in the code exchange.

Starts the backend as the benchmark does (SQLite, 2 workers of the configured class), loads it
with wrk (1 thread, 8 connections, pre-issued codes), and samples one worker with py-spy
(`pip install py-spy`; needs ptrace rights, as root or with `--cap-add SYS_PTRACE`). Prints the
share of the worker's busy samples per stage of the exchange, and the functions with the most
samples of their own; keeps py-spy's collapsed stacks (`--output`) for a flame graph.

A sample goes to the first stage of STAGES that one of its frames names, so a stage counts what
it calls: the request guard's share includes parsing the form, which it is the first to read.
Profile a quiet machine: when other work wants the cores, a worker that wakes wrk (sending the
answer, closing) is preempted there, and those stages' shares grow with the contention.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

from bench import codes, measurements, signing, workers, wrk
from bench.backend import started
from bench.cpu import PROC

# (stage, file fragment, function or "*", leaf): a sample goes to the first stage, in this order,
# one of whose rules matches one of its frames (its innermost frame only, where `leaf`).
# Function names match on their last part: "sign" matches "RSAAlgorithm.sign".
STAGES: tuple[tuple[str, str, str, bool], ...] = (
    ("RSA signature", "cryptography/", "*", False),
    ("RSA signature", "jwt/algorithms.py", "sign", False),
    ("RSA signature", "backend/protocol/id_token.py", "sign", True),  # the hand-written JWS's RSA call
    ("id_token: JSON, base64, claims", "jwt/", "*", False),
    ("id_token: JSON, base64, claims", "backend/protocol/id_token.py", "*", False),
    # The driver runs SQLite's statement in execute and its last step (the commit) in fetchone.
    ("database: SQLite or psycopg", "sqlalchemy/engine/default.py", "do_execute", True),
    ("database: SQLite or psycopg", "sqlalchemy/engine/cursor.py", "fetchone", True),
    ("database: SQLite or psycopg", "psycopg/", "*", False),
    ("SQLAlchemy: connection, execution, result", "sqlalchemy/engine/", "*", False),
    ("SQLAlchemy: connection, execution, result", "sqlalchemy/pool/", "*", False),
    ("SQLAlchemy: connection, execution, result", "sqlalchemy/sql/", "*", False),
    ("SQLAlchemy: connection, execution, result", "sqlalchemy/dialects/", "*", False),
    ("request guard (parses the form first, walks every parameter)", "backend/request_guard.py", "*", False),
    ("per-request ORM session (get_db, close)", "backend/db.py", "*", False),
    ("per-request ORM session (get_db, close)", "sqlalchemy/orm/", "*", False),
    ("jsonify", "flask/json/", "*", False),
    ("exchange: client credentials, hashes, claims, key", "backend/protocol/", "*", False),
    ("exchange: client credentials, hashes, claims, key", "backend/keys.py", "*", False),
    ("exchange: client credentials, hashes, claims, key", "backend/models/", "*", False),
    ("exchange: client credentials, hashes, claims, key", "backend/store.py", "*", False),
    ("token view (reads the form)", "backend/oidc/token.py", "*", False),
    ("before_request hooks (session cookie, login)", "flask/app.py", "preprocess_request", False),
    ("after_request hooks (headers, CORS, session, cookies)", "flask/app.py", "process_response", False),
    ("backend: other code", "backend/", "*", False),
    ("logging", "logging/", "*", False),
    ("Flask and Werkzeug: context, routing, request, response", "flask/", "*", False),
    ("Flask and Werkzeug: context, routing, request, response", "werkzeug/", "*", False),
    ("gunicorn: writing the response (two sendall: headers, body)", "gunicorn/util.py", "write", False),
    ("gunicorn: closing (shutdown, waits for the client's FIN)", "gunicorn/util.py", "close_graceful", False),
    ("gunicorn: reading and parsing the request", "gunicorn/http/message.py", "*", False),
    ("gunicorn: reading and parsing the request", "gunicorn/http/parser.py", "*", False),
    ("gunicorn: reading and parsing the request", "gunicorn/http/unreader.py", "*", False),
    ("gunicorn: reading and parsing the request", "gunicorn/http/body.py", "*", False),
    ("gunicorn: WSGI environ, response headers", "gunicorn/http/wsgi.py", "*", False),
    ("gunicorn: accept, loop, heartbeat", "gunicorn/", "*", False),
)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.profile", description=__doc__)
    parser.add_argument("--seconds", type=int, default=20, help="seconds sampled (default 20)")
    parser.add_argument("--rate", type=int, default=200, help="samples per second (default 200)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (default 2)")
    parser.add_argument("--connections", type=int, default=8, help="wrk's connections (default 8)")
    parser.add_argument("--top", type=int, default=25, help="functions listed (default 25)")
    parser.add_argument(
        "--output", type=Path, default=Path("profile.txt"), help="collapsed stacks (default ./profile.txt)"
    )
    options = parser.parse_args(argv)
    spy = shutil.which("py-spy") or shutil.which("py-spy", path=str(Path(sys.executable).parent))
    if spy is None:
        raise SystemExit("py-spy is missing: pip install py-spy")
    schedule = wrk.Schedule(options.connections, threads=1, warmup=2, duration=options.seconds + 4)
    with started("sqlite", options.workers, workers.configured()) as live:
        signed = signing.measure(live, measurements.one_exchange(live), seconds=0.5)
        request = measurements.token_request(live)
        supply = codes.issue(live.app, measurements.supply(live, schedule, signed.best_per_second))
        outcome: list[wrk.LoadResult] = []
        load = threading.Thread(
            target=lambda: outcome.append(wrk.run(request, supply, schedule, live.server.pid))
        )
        load.start()
        worker = _children(live.server.pid)[0]
        command = [
            spy, "record", "--pid", str(worker), "--duration", str(options.seconds),
            "--rate", str(options.rate), "--format", "raw", "--full-filenames", "--nolineno",
            "--nonblocking", "--output", str(options.output),
        ]  # fmt: skip
        time.sleep(schedule.warmup)  # sample the steady state, not the start
        spied = subprocess.run(command, capture_output=True, text=True, check=False)  # noqa: S603
        load.join()
    if spied.returncode != 0:
        raise SystemExit(f"py-spy failed:\n{spied.stdout}{spied.stderr}")
    if not outcome:
        raise SystemExit("The load did not run: wrk's error is above.")
    result = outcome[0]
    print(f"wrk: {result.rate:.0f} req/s, p50 {result.p50_ms:.1f} ms, p99 {result.p99_ms:.1f} ms, "
          f"{result.errors} errors; server {result.server_cpu or 0:.0%} of a core")
    stacks = read(options.output)
    print("\n".join([*breakdown(stacks), "", *top_functions(stacks, options.top)]))
    print(f"\nCollapsed stacks in {options.output} (e.g. flamegraph.pl, or speedscope's import).")
    return 1 if result.errors or result.exhausted else 0


def read(path: Path) -> Counter[tuple[str, ...]]:
    """py-spy's raw format: `frame;frame;...;frame count`, outermost frame first."""
    stacks: Counter[tuple[str, ...]] = Counter()
    for line in path.read_text().splitlines():
        frames, _, count = line.rpartition(" ")
        if frames:
            stacks[tuple(frames.split(";"))] += int(count)
    return stacks


def stage(frames: tuple[str, ...]) -> str:
    split = (frame.partition(" (") for frame in frames)
    parsed = [(function.rsplit(".", 1)[-1], place) for function, _, place in split]
    for name, fragment, wanted, leaf in STAGES:
        for function, place in parsed[-1:] if leaf else parsed:
            if fragment in place and wanted in ("*", function):
                return name
    return "other (the interpreter, the standard library)"


def breakdown(stacks: Counter[tuple[str, ...]]) -> list[str]:
    total = sum(stacks.values())
    shares: Counter[str] = Counter()
    for frames, count in stacks.items():
        shares[stage(frames)] += count
    lines = [f"{total} samples of one worker while busy; share per stage:"]
    lines += [f"{count / total:6.1%}  {name}" for name, count in shares.most_common()]
    return lines


def top_functions(stacks: Counter[tuple[str, ...]], count: int) -> list[str]:
    """The innermost Python frames: where the samples were taken."""
    total = sum(stacks.values())
    own: Counter[str] = Counter()
    for frames, samples in stacks.items():
        own[_short(frames[-1])] += samples
    return ["Functions with the most samples of their own:"] + [
        f"{samples / total:6.1%}  {frame}" for frame, samples in own.most_common(count)
    ]


def _short(frame: str) -> str:
    """`function (…/site-packages/package/module.py)` as `function (package/module.py)`."""
    function, _, place = frame.partition(" (")
    for marker in ("site-packages/", "/lib/python3", str(Path(__file__).resolve().parents[1]) + "/"):
        if marker in place:
            place = place.split(marker, 1)[1]
    return f"{function} ({place}"


def _children(parent: int) -> list[int]:
    """The processes `parent` forked (gunicorn's workers), oldest first."""
    found = []
    for entry in PROC.iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == parent:
                found.append(int(entry.name))
    return sorted(found)


if __name__ == "__main__":
    raise SystemExit(main())
