"""`bin/demo` as a developer runs it (tests/support/demo.py): the three servers answer (their
favicons too); a second demo on the same ports stops at once, naming every busy port and its
variable, and leaves the first one's logs alone; SIGINT stops the first with every server it
started."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support import demo
from tests.support.demo import ROOT, session_members

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc for the children")


@pytest.fixture
def checkout(tmp_path: Path) -> Path:
    return demo.copy_checkout(tmp_path)


@pytest.fixture
def environment() -> dict[str, str]:
    return demo.environment()


@pytest.fixture
def first_demo(checkout: Path, environment: dict[str, str]) -> Iterator[subprocess.Popen[str]]:
    with demo.running(checkout, environment) as running:
        yield running.process


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


def test_two_servers_given_one_port_are_refused_before_anything_starts(
    checkout: Path, environment: dict[str, str]
) -> None:
    backend_port = environment["BACKEND_BIND"].rsplit(":", 1)[-1]
    refused = subprocess.run([str(checkout / "bin" / "demo")], cwd=checkout, text=True,
                             env={**environment, "WEB_CLIENT_PORT": backend_port},
                             capture_output=True, timeout=60, check=False)
    assert refused.returncode == 1
    assert (f"127.0.0.1:{backend_port} (brand website) is the port of the backend too; "
            "set WEB_CLIENT_PORT to move it") in refused.stderr, refused.stderr
    assert not (checkout / "instance").exists()  # no database, no log, no lock
