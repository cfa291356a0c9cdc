"""`bin/demo` as a developer runs it: real processes on free ports (BACKEND_BIND,
LIVEPERSON_PORT, WEB_CLIENT_PORT), from a copy of the repository with an instance folder of its
own, so the developer's instance/ and running demo are not touched.

The copy has the packages copied and the rest (.venv too) linked: Flask's CLI resolves symbolic
links, and its instance folder with them."""

from __future__ import annotations

import os
import queue
import shutil
import signal
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
READY = "Ctrl-C stops everything"


@dataclass(frozen=True)
class Demo:
    process: subprocess.Popen[str]
    checkout: Path
    environment: dict[str, str]


def free_ports(count: int) -> list[int]:
    sockets = [socket.socket() for _ in range(count)]
    try:
        for sock in sockets:
            sock.bind(("127.0.0.1", 0))
        return [sock.getsockname()[1] for sock in sockets]
    finally:
        for sock in sockets:
            sock.close()


def busy_ports(ports: list[int]) -> list[int]:
    """Those of `ports` a server could not listen on at 127.0.0.1."""
    busy = []
    for port in ports:
        with socket.socket() as sock:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                busy.append(port)
    return busy


def session_members(session: int) -> set[int]:
    """The processes whose session is `session` (the demo's children run in its session)."""
    members = set()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # exited meanwhile
        if int(fields[3]) == session and fields[0] != "Z":
            members.add(int(stat.parent.name))
    return members


def project_checksum() -> str:
    """What bin/_setup.sh compares with .venv/.installed before it (re)installs."""
    script = "{ cat pyproject.toml; ls -d */__init__.py; } | cksum | cut -d' ' -f1"
    return subprocess.run(["bash", "-c", script], cwd=ROOT, capture_output=True, text=True,
                          check=True).stdout.strip()


def copy_checkout(folder: Path) -> Path:
    stamp = ROOT / ".venv" / ".installed"
    if not stamp.exists() or stamp.read_text().split("\n", 1)[0] != project_checksum():
        # Else the demo would install the project into the shared .venv from this temporary copy.
        pytest.skip(".venv is not up to date with pyproject.toml: run bin/test or bin/demo once")
    for entry in ROOT.iterdir():
        if entry.name in {"instance", ".git"}:
            continue
        if (entry / "__init__.py").exists() and entry.name != "tests":
            shutil.copytree(entry, folder / entry.name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            (folder / entry.name).symlink_to(entry)
    return folder


def environment(ports: dict[str, int] | None = None) -> dict[str, str]:
    """The test's environment without the project's settings, and the demo on `ports` (keyed as
    servers.DEMO_PORTS), by default free ones."""
    chosen = ports or dict(zip(("backend", "web_client", "liveperson"), free_ports(3), strict=True))
    ours = ("BACKEND_", "LIVEPERSON_", "WEB_CLIENT_")
    env = {k: v for k, v in os.environ.items() if not k.startswith(ours)}
    env.update(BACKEND_BIND=f"127.0.0.1:{chosen['backend']}", WEB_CLIENT_PORT=str(chosen["web_client"]),
               LIVEPERSON_PORT=str(chosen["liveperson"]))
    return env


@contextmanager
def running(checkout: Path, env: dict[str, str]) -> Iterator[Demo]:
    """bin/demo until it prints that it is ready; then, whatever happened, no process it started."""
    demo = subprocess.Popen([str(checkout / "bin" / "demo")], cwd=checkout, env=env, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True)
    lines: queue.Queue[str] = queue.Queue()
    reader = threading.Thread(target=lambda: [lines.put(line) for line in demo.stdout or ()], daemon=True)
    reader.start()
    seen: list[str] = []
    try:
        deadline = time.monotonic() + 90
        while not any(READY in line for line in seen):
            try:
                seen.append(lines.get(timeout=max(0.1, deadline - time.monotonic())))
            except queue.Empty:
                pytest.fail("bin/demo did not get ready:\n" + "".join(seen))
            if demo.poll() is not None and lines.empty():
                pytest.fail(f"bin/demo exited ({demo.returncode}):\n" + "".join(seen))
        yield Demo(demo, checkout, env)
    finally:
        if demo.poll() is None:
            os.killpg(demo.pid, signal.SIGKILL)
        for pid in session_members(demo.pid):
            os.kill(pid, signal.SIGKILL)
        demo.wait()
        reader.join(timeout=5)
        if demo.stdout:
            demo.stdout.close()
