"""`bin/demo` as a developer runs it, real processes on free ports (BACKEND_BIND, LIVEPERSON_PORT,
WEB_CLIENT_PORT): the three servers answer (their favicons too); a second demo on the same ports
stops at once, naming every busy port and its variable, and leaves the first one's logs alone;
SIGINT stops the first with every server it started.

The demo runs from a copy of the repository (its packages copied, the rest and .venv linked) with
an instance folder of its own, so the developer's instance/ and running demo are not touched; the
packages are copied because Flask's CLI resolves symbolic links, and its instance folder with them."""

from __future__ import annotations

import os
import queue
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
READY = "Ctrl-C stops everything"

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc for the children")


def free_ports(count: int) -> list[int]:
    sockets = [socket.socket() for _ in range(count)]
    try:
        for sock in sockets:
            sock.bind(("127.0.0.1", 0))
        return [sock.getsockname()[1] for sock in sockets]
    finally:
        for sock in sockets:
            sock.close()


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


@pytest.fixture
def checkout(tmp_path: Path) -> Path:
    stamp = ROOT / ".venv" / ".installed"
    if not stamp.exists() or stamp.read_text().split("\n", 1)[0] != project_checksum():
        # Else the demo would install the project into the shared .venv from this temporary copy.
        pytest.skip(".venv is not up to date with pyproject.toml: run bin/test or bin/demo once")
    for entry in ROOT.iterdir():
        if entry.name in {"instance", ".git"}:
            continue
        if (entry / "__init__.py").exists() and entry.name != "tests":
            shutil.copytree(entry, tmp_path / entry.name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            (tmp_path / entry.name).symlink_to(entry)
    return tmp_path


@pytest.fixture
def environment() -> dict[str, str]:
    backend, web, liveperson = free_ports(3)
    ours = ("BACKEND_", "LIVEPERSON_", "WEB_CLIENT_")
    env = {k: v for k, v in os.environ.items() if not k.startswith(ours)}
    env.update(BACKEND_BIND=f"127.0.0.1:{backend}", WEB_CLIENT_PORT=str(web), LIVEPERSON_PORT=str(liveperson))
    return env


@pytest.fixture
def first_demo(checkout: Path, environment: dict[str, str]) -> Iterator[subprocess.Popen[str]]:
    demo = subprocess.Popen([str(checkout / "bin" / "demo")], cwd=checkout, env=environment, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True)
    lines: queue.Queue[str] = queue.Queue()
    reader = threading.Thread(target=lambda: [lines.put(line) for line in demo.stdout or ()], daemon=True)
    reader.start()
    seen = []
    try:
        deadline = time.monotonic() + 90
        while not any(READY in line for line in seen):
            try:
                seen.append(lines.get(timeout=max(0.1, deadline - time.monotonic())))
            except queue.Empty:
                pytest.fail("bin/demo did not get ready:\n" + "".join(seen))
            if demo.poll() is not None and lines.empty():
                pytest.fail(f"bin/demo exited ({demo.returncode}):\n" + "".join(seen))
        yield demo
    finally:
        if demo.poll() is None:
            os.killpg(demo.pid, signal.SIGKILL)
        for pid in session_members(demo.pid):
            os.kill(pid, signal.SIGKILL)
        demo.wait()
        reader.join(timeout=5)
        if demo.stdout:
            demo.stdout.close()


def get(url: str) -> tuple[int, str]:
    with urllib.request.urlopen(url, timeout=10) as response:
        response.read()
        return response.status, response.headers.get_content_type()


def test_demo_refuses_busy_ports_and_stops_cleanly(
    first_demo: subprocess.Popen[str], checkout: Path, environment: dict[str, str]
) -> None:
    backend = f"http://{environment['BACKEND_BIND']}"
    web = f"http://127.0.0.1:{environment['WEB_CLIENT_PORT']}"
    liveperson = f"http://127.0.0.1:{environment['LIVEPERSON_PORT']}"
    assert get(f"{backend}/.well-known/openid-configuration") == (200, "application/json")
    assert get(f"{web}/login")[0] == 200
    assert get(f"{liveperson}/api/config")[0] == 200
    for origin in (backend, web, liveperson):
        assert get(f"{origin}/favicon.ico") == (200, "image/svg+xml")

    logs = sorted((checkout / "instance").glob("*.log"))
    assert [log.name for log in logs] == ["backend.log", "liveperson.log", "web_client.log"]
    before = {log: (log.stat().st_mtime_ns, log.read_bytes()) for log in logs}

    started = time.monotonic()
    second = subprocess.run([str(checkout / "bin" / "demo")], cwd=checkout, env=environment, text=True,
                            capture_output=True, timeout=30, check=False)
    assert second.returncode != 0
    assert time.monotonic() - started < 10
    for variable in ("BACKEND_BIND", "LIVEPERSON_PORT", "WEB_CLIENT_PORT"):
        port = environment[variable].rsplit(":", 1)[-1]
        assert f":{port} " in second.stderr and f"set {variable} to move it" in second.stderr, second.stderr
    assert {log: (log.stat().st_mtime_ns, log.read_bytes()) for log in logs} == before

    children = session_members(first_demo.pid) - {first_demo.pid}
    assert len(children) >= 3  # gunicorn (and its workers), the stand-in, the website
    first_demo.send_signal(signal.SIGINT)
    assert first_demo.wait(timeout=20) == 130
    deadline = time.monotonic() + 5
    while session_members(first_demo.pid) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not session_members(first_demo.pid)
    assert not (checkout / "instance" / "demo.pid").exists()
    assert (checkout / "instance" / "backend.sqlite3").stat().st_size > 0  # its own database


def test_help_names_the_port_variables() -> None:
    shown = subprocess.run([str(ROOT / "bin" / "demo"), "--help"], capture_output=True, text=True,
                           timeout=10, check=True).stdout
    for variable in ("BACKEND_BIND", "LIVEPERSON_PORT", "WEB_CLIENT_PORT"):
        assert variable in shown
