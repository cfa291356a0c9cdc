"""The real server for integration tests: `flask init-db`/`seed-demo`, then gunicorn with two
workers on a free loopback port, and helpers that talk to it over HTTP as its callers do."""

from __future__ import annotations

import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from html import unescape
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

import pytest
import requests
from joserfc import jwt
from joserfc.jwk import KeySet

from backend.cli import DEMO_CLIENT_SECRET, DEMO_USER

ROOT = Path(__file__).resolve().parents[2]
CLIENT_ID = "liveperson-demo"
CLIENT_SECRET = DEMO_CLIENT_SECRET
EMAIL = DEMO_USER["email"]
PASSWORD = DEMO_USER["password"]
POPOUT_URI = "http://127.0.0.1:8002/le_unified_window/index.html"
TIMEOUT = 15  # seconds any single HTTP request may take before the test errors out
START_DEADLINE = 20  # seconds the server may take to answer discovery
STOP_TIMEOUT = 10


@dataclass(frozen=True)
class LiveBackend:
    url: str
    issuer: str
    log: Path

    def output(self) -> str:
        return self.log.read_text(errors="replace")


def _free_loopback_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _stop(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM the process group (gunicorn and its workers), SIGKILL if it lingers."""
    if process.poll() is not None:
        return
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=STOP_TIMEOUT)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=STOP_TIMEOUT)
    except ProcessLookupError:
        process.wait(timeout=STOP_TIMEOUT)


@pytest.fixture(scope="session")
def live_backend(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveBackend]:
    """A seeded database and `gunicorn -c gunicorn.conf.py 'backend:create_app()'` serving it."""
    folder = tmp_path_factory.mktemp("live_backend")
    port = _free_loopback_port()
    url = f"http://127.0.0.1:{port}"
    env = {name: value for name, value in os.environ.items() if not name.startswith("BACKEND_")}
    env.update(
        BACKEND_DATABASE_URL=f"sqlite:///{folder / 'backend.sqlite3'}",
        BACKEND_SECRET_KEY=secrets.token_urlsafe(32),
        BACKEND_ISSUER=url,
        BACKEND_KEY_REFRESH_INTERVAL="0",
        BACKEND_BIND=f"127.0.0.1:{port}",
        BACKEND_WORKERS="2",
        PYTHONUNBUFFERED="1",
    )
    for command in ("init-db", "seed-demo"):
        result = subprocess.run(
            [sys.executable, "-m", "flask", "--app", "backend", command],
            cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=False,
        )
        assert result.returncode == 0, f"{command} failed:\n{result.stdout}\n{result.stderr}"

    log = folder / "gunicorn.log"
    command = [str(Path(sys.executable).parent / "gunicorn"), "-c", "gunicorn.conf.py"]
    with log.open("wb") as sink:
        process = subprocess.Popen(
            [*command, "backend:create_app()"],
            cwd=ROOT, env=env, stdout=sink, stderr=subprocess.STDOUT, start_new_session=True,
        )
    backend = LiveBackend(url=url, issuer=url, log=log)
    try:
        _wait_until_ready(process, backend)
        yield backend
    finally:
        _stop(process)


def _wait_until_ready(process: subprocess.Popen[bytes], backend: LiveBackend) -> None:
    deadline = time.monotonic() + START_DEADLINE
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"gunicorn exited with {process.returncode}:\n{backend.output()}")
        # The socket accepts before a worker has imported the app: a read may wait a while.
        remaining = max(deadline - time.monotonic(), 0.1)
        try:
            response = requests.get(f"{backend.url}/.well-known/openid-configuration",
                                    timeout=min(remaining, 5))
        except requests.RequestException:
            time.sleep(0.1)
            continue
        if response.status_code == 200:
            return
        time.sleep(0.1)
    pytest.fail(f"gunicorn did not answer within {START_DEADLINE} s:\n{backend.output()}")


# -- helpers: the brand's apps, a browser, and LivePerson ---------------------------------


def api_login(base: str, email: str = EMAIL, password: str = PASSWORD) -> str:
    """POST /api/session as the brand's app does; returns the session token."""
    response = requests.post(f"{base}/api/session", json={"email": email, "password": password},
                             timeout=TIMEOUT)
    assert response.status_code == 200, response.text
    return response.json()["session_token"]


def issue_code(base: str, session_token: str, **body: str) -> str:
    """POST /api/liveperson/code as the brand's app does when the SDK asks for a code."""
    response = requests.post(f"{base}/api/liveperson/code", json=body,
                             headers={"Authorization": f"Bearer {session_token}"},
                             timeout=TIMEOUT)
    assert response.status_code == 200, response.text
    return response.json()["code"]


def hidden_field(page: str, name: str) -> str:
    match = re.search(rf'<input type="hidden" name="{name}" value="([^"]*)"', page)
    assert match, f"no hidden {name} field in:\n{page}"
    return unescape(match.group(1))


def html_login(browser: requests.Session, login_url: str) -> requests.Response:
    """Fill in the HTML login form at `login_url` (which may carry `next`) as a browser would;
    returns the answer to the POST, not followed."""
    page = browser.get(login_url, timeout=TIMEOUT)
    assert page.status_code == 200, page.text
    form = {
        "csrf_token": hidden_field(page.text, "csrf_token"),
        "next": hidden_field(page.text, "next"),
        "email": EMAIL,
        "password": PASSWORD,
    }
    return browser.post(urljoin(login_url, "/login"), data=form, allow_redirects=False,
                        timeout=TIMEOUT)


def fetch_keys(base: str) -> KeySet:
    response = requests.get(f"{base}/oauth2/v3/certs", timeout=TIMEOUT)
    assert response.status_code == 200, response.text
    return KeySet.import_key_set(response.json())


def verify_id_token(base: str, token: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """Verify the RS256 signature against the published JWKS; returns (header, claims)."""
    decoded = jwt.decode(token, fetch_keys(base), algorithms=["RS256"])
    return decoded.header, decoded.claims
