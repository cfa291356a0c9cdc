"""Real processes on loopback for the tests: the brand backend under gunicorn, the
LivePerson stand-in, and the brand's website. Each starts in a temporary folder on a free port
(bin/demo's, for the servers the README's pictures show while bin/screenshots refreshes them)
and is stopped after."""

from __future__ import annotations

import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import requests
from flask import Flask
from werkzeug.serving import make_server

ROOT = Path(__file__).resolve().parents[2]
README_SCREENSHOTS = ROOT / "docs" / "screenshots"
BIN = Path(sys.executable).parent
START_DEADLINE = 30  # seconds a server may take to answer its first request
STOP_TIMEOUT = 10

SHORT_LIFETIME = 2  # seconds an id_token from the `short_backend` fixture is valid

# bin/demo's ports (its BACKEND_BIND, WEB_CLIENT_PORT and LIVEPERSON_PORT), and what else it sets
# that a picture shows: the README's pictures show what a developer running it sees.
DEMO_PORTS = {"backend": 8000, "web_client": 8001, "liveperson": 8002}
DEMO_BACKEND_SETTINGS = {"LOGIN_HINT": "Demo account: demo@example.com / demo-password"}


@dataclass(frozen=True)
class LiveServer:
    url: str
    log: Path
    pid: int  # leads the process group: `os.killpg(pid, ...)` reaches a server and its workers

    def output(self) -> str:
        return self.log.read_text(errors="replace")


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def refreshing_readme() -> bool:
    """Whether this run copies the README's pictures into docs/screenshots (bin/screenshots)."""
    return os.environ.get("UPDATE_README_SCREENSHOTS") == "1"


def keep_for_readme(picture: Path, name: str) -> None:
    """`picture` becomes docs/screenshots/<name>.png, on request only (bin/screenshots), so that
    a test run leaves the committed tree alone."""
    if refreshing_readme():
        README_SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(picture, README_SCREENSHOTS / f"{name}.png")


def port_for(server: str, in_readme: bool = False) -> int:
    """bin/demo's port for `server` (a DEMO_PORTS key) if a README picture shows it (`in_readme`)
    and the pictures are being refreshed; else a free one, so that the tests run beside a demo."""
    return DEMO_PORTS[server] if in_readme and refreshing_readme() else free_port()


def environment(prefixes: tuple[str, ...], **overrides: str) -> dict[str, str]:
    """This environment without the variables of `prefixes`, plus `overrides`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(prefixes)}
    env.update(PYTHONUNBUFFERED="1", **overrides)
    return env


@contextmanager
def _serve(command: list[str], env: dict[str, str], url: str, ready_path: str,
           log: Path) -> Iterator[LiveServer]:
    with log.open("wb") as sink:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=sink,
                                   stderr=subprocess.STDOUT, start_new_session=True)
    server = LiveServer(url, log, process.pid)
    try:
        deadline = time.monotonic() + START_DEADLINE
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"{command[0]} exited with {process.returncode}:\n{server.output()}")
            try:
                # The socket may accept before the app is imported: a read can wait a while.
                if requests.get(url + ready_path, timeout=5).status_code == 200:
                    break
            except requests.RequestException:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"{url} did not answer within {START_DEADLINE} s:\n{server.output()}")
            time.sleep(0.1)
        yield server
    finally:
        _stop(process)


def _stop(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM the process group (a server and its workers), SIGKILL if it lingers."""
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


@contextmanager
def backend(folder: Path, workers: int = 2, liveperson_url: str | None = None,
            gunicorn_options: Sequence[str] = (), seed_options: Sequence[str] = (),
            commands: Sequence[Sequence[str]] = (), in_readme: bool = False,
            **settings: str) -> Iterator[LiveServer]:
    """`init-db`, `seed-demo`, `commands`, then `gunicorn -c gunicorn.conf.py 'backend:create_app()'`.
    `settings` are BACKEND_* values without the prefix, e.g. ID_TOKEN_LIFETIME="5".
    `in_readme`: a README picture shows it, so it is set up as bin/demo sets it up (`port_for`).
    `liveperson_url` goes to seed-demo: that stand-in's pop-out window becomes a redirect URI;
    `seed_options` too, e.g. ("--liveperson-connector", "openid").
    `commands` are more `flask --app backend` commands, e.g. a `create-client` of the test's own.
    `gunicorn_options` are extra command-line options, e.g. ("--worker-class", "gthread")."""
    port = port_for("backend", in_readme)
    url = f"http://127.0.0.1:{port}"
    if in_readme:
        settings = {**DEMO_BACKEND_SETTINGS, **settings}
    env = environment(("BACKEND_",), **{
        "BACKEND_DATABASE_URL": f"sqlite:///{folder / 'backend.sqlite3'}",
        "BACKEND_SECRET_KEY": secrets.token_urlsafe(32),
        "BACKEND_ISSUER": url,
        "BACKEND_KEY_REFRESH_INTERVAL": "0",
        "BACKEND_BIND": f"127.0.0.1:{port}",
        "BACKEND_WORKERS": str(workers),
        **{f"BACKEND_{name}": value for name, value in settings.items()},
    })
    seed = ["seed-demo", *(["--liveperson-url", liveperson_url] if liveperson_url else []), *seed_options]
    for command in (["init-db"], seed, *map(list, commands)):
        result = subprocess.run([sys.executable, "-m", "flask", "--app", "backend", *command],
                                cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
                                check=False)
        if result.returncode != 0:
            raise RuntimeError(f"{command} failed:\n{result.stdout}\n{result.stderr}")
    command = [str(BIN / "gunicorn"), "-c", "gunicorn.conf.py", *gunicorn_options, "backend:create_app()"]
    with _serve(command, env, url, "/.well-known/openid-configuration", folder / "gunicorn.log") as server:
        yield server


@contextmanager
def standin(folder: Path, issuer: str, *options: str, client_id: str = "liveperson-demo",
            client_secret: str = "demo-client-secret", port: int | None = None) -> Iterator[LiveServer]:
    """`python -m shared.liveperson` for the brand at `issuer`; `options` are extra flags.
    `port` lets a test register the stand-in's window URL with the backend before it starts."""
    port = port or free_port()
    url = f"http://127.0.0.1:{port}"
    command = [sys.executable, "-m", "shared.liveperson", "--host", "127.0.0.1", "--port", str(port),
               "--issuer", issuer, "--client-id", client_id,
               "--jwe-key-file", str(folder / "jwe-key.pem"), "--instance-folder", str(folder / "standin"),
               *options]
    # The secret goes in the environment, as the README advises: never on a command line.
    env = environment(("LIVEPERSON_",), LIVEPERSON_CLIENT_SECRET=client_secret)
    with _serve(command, env, url, "/api/config", folder / "standin.log") as server:
        yield server


@contextmanager
def web_client(folder: Path, backend_url: str, liveperson_url: str, *options: str,
               port: int | None = None) -> Iterator[LiveServer]:
    """`python -m web_client`, the brand's website; `options` are extra flags. Its origin must be in
    the backend's CORS_ORIGINS, so a test picks `port` before starting the backend."""
    port = port or free_port()
    url = f"http://127.0.0.1:{port}"
    command = [sys.executable, "-m", "web_client", "--host", "127.0.0.1", "--port", str(port),
               "--backend-url", backend_url, "--liveperson-url", liveperson_url, *options]
    env = environment(("WEB_CLIENT_",))
    with _serve(command, env, url, "/healthz", folder / f"web_client-{port}.log") as server:
        yield server


class Serving:
    """A WSGI app on a free loopback port, in a thread, for one test."""

    def __init__(self, app: Flask) -> None:
        self.server = make_server("127.0.0.1", 0, app, threaded=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> Serving:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.thread.join()
        self.server.server_close()
