"""The processes a benchmark run starts (gunicorn, the LivePerson stand-in, PostgreSQL): each in a
session of its own, so that one signal reaches it and every child it forks, and `pid` names the
process group whose CPU use bench/cpu.py reads."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import time
import urllib.request
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
HOST = "127.0.0.1"
START_SECONDS = 30  # for a server to answer its first request (gunicorn imports the app first)
STOP_SECONDS = 10


@dataclass(frozen=True)
class Process:
    pid: int  # leads its process group
    log: Path  # its standard output and error


def free_port() -> int:
    """A loopback port nobody listens on now (the kernel's choice)."""
    with socket.create_server((HOST, 0)) as listener:
        return int(listener.getsockname()[1])


def answers(url: str) -> Callable[[], bool]:
    """A readiness check: `url` answers 200."""

    def check() -> bool:
        try:
            with urllib.request.urlopen(url, timeout=5) as answer:  # noqa: S310 (loopback http)
                return bool(answer.status == 200)
        except OSError:  # refused while starting, or an HTTP error
            return False

    return check


@contextmanager
def running(
    command: Sequence[str],
    *,
    env: Mapping[str, str],
    log: Path,
    ready: Callable[[], bool],
    stop_signal: signal.Signals = signal.SIGTERM,
) -> Iterator[Process]:
    """Start `command` (from the repository root), wait until `ready()`, stop its process group
    on leaving: `stop_signal`, then SIGKILL for what is still there after STOP_SECONDS."""
    with log.open("wb") as sink:
        child = subprocess.Popen(  # noqa: S603 (the bench's own fixed commands)
            command, cwd=ROOT, env=dict(env), stdout=sink, stderr=subprocess.STDOUT, start_new_session=True
        )
    try:
        give_up = time.monotonic() + START_SECONDS
        while not ready():
            if child.poll() is not None or time.monotonic() > give_up:
                state = "did not get ready" if child.returncode is None else f"exited with {child.returncode}"
                raise RuntimeError(f"{command[0]} {state}; its output:\n{log.read_text(errors='replace')}")
            time.sleep(0.1)
        yield Process(child.pid, log)
    finally:
        _signal_group(child.pid, stop_signal)
        try:
            child.wait(STOP_SECONDS)
        except subprocess.TimeoutExpired:
            _signal_group(child.pid, signal.SIGKILL)
            child.wait(STOP_SECONDS)


def _signal_group(group: int, sent: signal.Signals) -> None:
    with contextlib.suppress(ProcessLookupError):  # the whole group has exited already
        os.killpg(group, sent)


def environment(without_prefix: str, **added: str) -> dict[str, str]:
    """This process's environment less the variables starting with `without_prefix`, plus `added`:
    a server reads only the settings it is given."""
    kept = {name: value for name, value in os.environ.items() if not name.startswith(without_prefix)}
    return {**kept, "PYTHONUNBUFFERED": "1", **added}
